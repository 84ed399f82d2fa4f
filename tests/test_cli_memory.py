"""``translator-app memory ...`` and the memory in ``translate`` / ``translate-file`` (on by default, ``--no-memory``)."""

from __future__ import annotations

import pytest

from translator_app.cli import main


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_list_export_delete(tmp_path, capsys):
    tsv = tmp_path / "mine.en-es.tsv"
    tsv.write_text("Where is the station?\t¿Dónde está la estación?\nI like cats.\tMe gustan los gatos.\n")
    code, out, _ = run(capsys, "memory", "import", str(tsv))
    assert code == 0 and "2 entries added to the en-es memory" in out
    code, out, _ = run(capsys, "memory", "list", "--search", "gatos")
    assert code == 0 and out.count("\n") == 1 and "I like cats.\tMe gustan los gatos." in out
    entry_id = out.split("\t")[0]
    tmx = tmp_path / "out.tmx"
    assert run(capsys, "memory", "export", str(tmx), "--src", "en", "--tgt", "es")[0] == 0
    assert "<seg>Me gustan los gatos.</seg>" in tmx.read_text(encoding="utf-8")
    assert run(capsys, "memory", "delete", entry_id)[0] == 0
    assert "gatos" not in run(capsys, "memory", "list")[1]
    code, _, err = run(capsys, "memory", "delete", entry_id)
    assert code == 2 and f"no memory entry {entry_id}" in err
    code, _, err = run(capsys, "memory", "export", str(tmp_path / "x.tsv"))
    assert code == 2 and "TMX" in err


def test_import_needs_a_pair(tmp_path, capsys):
    tsv = tmp_path / "plain.tsv"
    tsv.write_text("a\tb\n")
    code, _, err = run(capsys, "memory", "import", str(tsv))
    assert code == 2 and "--src and --tgt" in err


@pytest.mark.slow
def test_translate_and_translate_file_use_the_memory(tiny_model_dir, tmp_path, capsys):
    tsv = tmp_path / "mine.en-es.tsv"
    tsv.write_text("Where is the station?\t¿Dónde está la estación?\n")
    run(capsys, "memory", "import", str(tsv))
    model = ["--model", str(tiny_model_dir), "--beam", "1"]
    code, out, _ = run(capsys, "translate", *model, "where is the station?")
    assert code == 0 and out == "¿Dónde está la estación?\n"
    code, out, err = run(capsys, "translate", *model, "Where is the old station?")
    assert code == 0 and "memory: " in err and "% similar: Where is the station?" in err
    code, out, _ = run(capsys, "translate", *model, "--no-memory", "Where is the station?")
    assert code == 0 and out != "¿Dónde está la estación?\n"
    doc = tmp_path / "in.md"
    doc.write_text("# Where is the station?\n\nI like cats.\n", encoding="utf-8")
    code, out, _ = run(capsys, "translate-file", *model, str(doc), str(tmp_path / "out.md"))
    assert code == 0 and "1 sentences taken from your translation memory" in out
    assert (tmp_path / "out.md").read_text(encoding="utf-8").startswith("# ¿Dónde está la estación?")
    code, out, _ = run(capsys, "translate-file", *model, "--no-memory", str(doc), str(tmp_path / "out2.md"))
    assert code == 0 and "translation memory" not in out


def test_versions_and_use(tmp_path, capsys):
    tsv = tmp_path / "mine.en-es.tsv"
    tsv.write_text("I like cats.\tMe gustan los gatos.\n")
    run(capsys, "memory", "import", str(tsv))
    code, out, _ = run(capsys, "memory", "versions")
    assert code == 0 and out.startswith("* 0  the original model")
    code, _, err = run(capsys, "memory", "use", "3")
    assert code == 2 and "no version 3" in err
    assert run(capsys, "memory", "use", "0")[0] == 0
