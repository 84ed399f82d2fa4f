"""The personal translation memory: the store, matching, files in and out, and reuse in the decoding path."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from translator_app.core.adapt.memory import TMError, TranslationMemory, diff_words, match_key, memory_path
from translator_app.core.adapt.memory_io import export_tmx, import_file


@pytest.fixture
def memory(tmp_path):
    return TranslationMemory.open(tmp_path / "memory", "en", "es")


def test_add_lookup_exact_and_fuzzy(memory):
    memory.add("Open the  file.", "Abre el archivo.", origin="edit", model="tiny")
    exact = memory.lookup("open the file.")  # white space and the first letter's case do not count
    assert exact is not None and exact.exact and exact.target == "Abre el archivo."
    assert exact.entry.model == "tiny" and exact.entry.origin == "edit"
    fuzzy = memory.lookup("Open the files now.")
    assert fuzzy is not None and not fuzzy.exact and 75 <= fuzzy.similarity < 100
    assert memory.lookup("The weather is nice today.") is None
    assert memory.counts() == (1, 1)
    assert match_key("  Hello   World ") == "hello World"


def test_a_later_correction_replaces_the_target(memory):
    first = memory.add("Save the image.", "Guarda la imagen.")
    second = memory.add("save the image.", "Guarde la imagen.")
    assert first == second and len(memory) == 1
    assert memory.lookup("Save the image.").target == "Guarde la imagen."


def test_edit_delete_search(memory):
    a = memory.add("Open the file.", "Abre el archivo.")
    b = memory.add("Close the window.", "Cierra la ventana.")
    assert [e.id for e in memory.entries(search="VENTANA")] == [b]
    memory.update(a, "Open the document.", "Abre el documento.")
    assert memory.lookup("Open the document.").target == "Abre el documento."
    assert memory.lookup("Open the file.") is None or not memory.lookup("Open the file.").exact
    with pytest.raises(TMError):
        memory.update(a, "Close the window.", "x")  # two entries cannot share a source
    memory.delete(b)
    assert memory.get(b) is None and len(memory) == 1
    with pytest.raises(TMError):
        memory.delete(b)


def test_survives_reopening_and_sees_other_connections(tmp_path):
    folder = tmp_path / "memory"
    one = TranslationMemory.open(folder, "en", "es")
    two = TranslationMemory.open(folder, "en", "es")
    assert two.lookup("Open the file.") is None
    one.add("Open the file.", "Abre el archivo.")
    assert two.lookup("Open the file.").exact  # the index follows another connection's commit
    one.close()
    two.close()
    assert TranslationMemory.open(folder, "en", "es").lookup("Open the file.").exact
    with sqlite3.connect(memory_path(folder, "en", "es")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_writers(tmp_path):
    folder = tmp_path / "memory"
    errors = []

    def writer(k: int) -> None:
        try:
            memory = TranslationMemory.open(folder, "en", "es")  # a connection per writer, as two processes
            for i in range(40):
                memory.add(f"Sentence {k} number {i}.", f"Frase {k} número {i}.")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(TranslationMemory.open(folder, "en", "es")) == 160


def test_bad_pairs_and_entries(tmp_path, memory):
    with pytest.raises(TMError):
        TranslationMemory.open(tmp_path, "en", "en")
    with pytest.raises(TMError):
        TranslationMemory.open(tmp_path, "../x", "es")
    with pytest.raises(TMError):
        memory.add("  ", "algo")


def test_diff_words_marks_the_changed_words():
    new, old = diff_words("Open the red file.", "Open the blue file.")
    assert [t for t, changed in new if changed] == ["red"]
    assert "".join(t for t, _ in old) == "Open the blue file."


def test_tmx_round_trip(tmp_path, memory):
    memory.add("Open the file.", "Abre el archivo.", model="tiny")
    memory.add("Close <b> & the window.", "Cierra <b> & la ventana.")
    out = tmp_path / "mine.tmx"
    assert export_tmx(memory, out) == 2
    result = import_file(tmp_path / "other", out)
    assert (result.src_lang, result.tgt_lang, result.added) == ("en", "es", 2)
    back = TranslationMemory.open(tmp_path / "other", "en", "es")
    assert {(e.source, e.target) for e in back.entries()} == {(e.source, e.target) for e in memory.entries()}
    assert all(e.origin == "import" for e in back.entries())


def test_import_tsv_po_xliff(tmp_path):
    tsv = tmp_path / "terms.en-es.tsv"
    tsv.write_text("Open the file.\tAbre el archivo.\nSave.\tGuardar.\n", encoding="utf-8")
    assert import_file(tmp_path / "m", tsv).added == 2
    po = tmp_path / "app.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "_Quit"\nmsgstr "_Salir"\n\n#, fuzzy\nmsgid "Help"\nmsgstr "Ayuda"\n',
        encoding="utf-8",
    )
    result = import_file(tmp_path / "m", po, src_lang="en")
    assert result.added == 1 and result.tgt_lang == "es"  # the fuzzy entry is skipped, the accelerator removed
    xlf = tmp_path / "ui.xlf"
    xlf.write_text(
        '<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        '<file source-language="en" target-language="es" datatype="plaintext" original="x"><body>'
        '<trans-unit id="1"><source>Print the page.</source><target>Imprime la página.</target></trans-unit>'
        "</body></file></xliff>",
        encoding="utf-8",
    )
    assert import_file(tmp_path / "m", xlf).added == 1
    memory = TranslationMemory.open(tmp_path / "m", "en", "es")
    assert memory.lookup("Quit").target == "Salir" and memory.lookup("Print the page.").exact
    no_langs = tmp_path / "plain.tsv"
    no_langs.write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(TMError, match="--src"):
        import_file(tmp_path / "m", no_langs)


# ---- reuse in the one decoding path -----------------------------------------------------------------


@pytest.fixture(scope="module")
def translator(tiny_model_dir):
    from translator_app.core.translation.translator import Translator

    return Translator.load(tiny_model_dir)


def test_exact_match_replaces_the_model_output(translator, memory):
    plain = translator.translate("I like cats. Where is the station?")
    alternatives = translator.alternatives("Where is the station?", 2)
    assert all(s.origin == "model" for s in plain.sentences)
    memory.add("Where is the station?", "¿Dónde está la estación?")
    translator.set_memory(memory)
    try:
        out = translator.translate("I like cats. Where is the station?")
        first, second = out.sentences
        assert first.origin == "model" and first.text == plain.sentences[0].text
        assert second.origin == "memory" and second.text == "¿Dónde está la estación?"
        assert second.attention.shape == (len(second.target_tokens), len(second.source_tokens))
        assert out.text.endswith("¿Dónde está la estación?")
        # a correction made now is used by the next translation (the cache follows the memory)
        memory.add("I like cats.", "Me gustan los gatos.")
        assert translator.translate("I like cats. Where is the station?").text == (
            "Me gustan los gatos. ¿Dónde está la estación?"
        )
        # lines (files, documents, the CLI) too; a whole imported line matches as one
        memory.add("Hello there. How are you?", "Hola. ¿Qué tal?", origin="import")
        assert translator.translate_lines(["where is the station?", "Hello there.  How are you?"]) == [
            "¿Dónde está la estación?",
            "Hola. ¿Qué tal?",
        ]
        fuzzy = translator.translate("Where is the old station?").sentences[0]
        assert fuzzy.origin == "model" and fuzzy.match is not None and not fuzzy.match.exact
        assert translator.alternatives("Where is the station?", 2) == alternatives  # n-best stays the model's
    finally:
        translator.set_memory(None)
    assert translator.translate("Where is the station?").sentences[0].origin == "model"


def test_documents_use_the_memory_and_say_so(translator, memory, tmp_path):
    from translator_app.core.documents import translate_document

    memory.add("Where is the station?", "¿Dónde está la estación?")
    src = tmp_path / "in.txt"
    src.write_text("Where is the station?\n\nWhere is the old station?\n\nI like cats.\n", encoding="utf-8")
    translator.set_memory(memory)
    try:
        report = translate_document(src, tmp_path / "out.txt", translator)
    finally:
        translator.set_memory(None)
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").startswith("¿Dónde está la estación?")
    text = report.summary()
    assert "1 sentences taken from your translation memory" in text
    assert "1 sentences have a similar entry" in text
