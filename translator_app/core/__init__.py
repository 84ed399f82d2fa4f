"""The engine, Qt-free, in nine parts (ARCHITECTURE.md), each a layer that imports only the ones below it
(import-linter's layers contract in pyproject.toml):

    adapt        translation memory and background adaptation
    library      the user's model library (list, import, export, remove)
    train        training as a generator of events: request, set-up, loop, validation, fine-tuning
    translation  the one decoding path; documents beside it (whole files, their structure kept)
    model        the network, its loss, search and decoding settings, the checkpoint
    folders      run folders and bundles on disk: file names, one atomic writer, lock, history
    text         corpora and formats, tokenizers, augmentation, sentences, protected spans, metrics
    base         configs, events, cancellation, language codes, threads, child processes

Nothing here imports Qt or translator_app.paths (tests/test_architecture.py, import-linter).
"""
