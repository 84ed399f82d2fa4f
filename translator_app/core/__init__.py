"""Qt-free engine: corpus, tokenizer, model, search, training, checkpoints, translator.

Nothing in this package may import Qt (enforced by tests/test_architecture.py).
"""
