"""benchmarks/quality.py: the metric helpers on tiny in-memory data (no model, no Apertium)."""

from __future__ import annotations

import pytest

from benchmarks import quality


@pytest.fixture(scope="module")
def q():
    return quality


def test_detect_format(q):
    assert q.detect_format(["Hi.\tHola.\n", "Bye.\t¡Adiós!\n"]) == "pairs"
    assert q.detect_format(["Hi.\tHola.\textra\n"]) == "pairs"  # extra columns are ignored, as in the app
    assert q.detect_format(["chat\tHi.\tHola.\t\n", "\n", "news\tAt 9.\tA las 9.\t9\n"]) == "everyday"
    assert q.detect_format(["chat\tHi.\tHola.\t\n", "Hi.\tHola.\n"]) == "pairs"
    with pytest.raises(ValueError):
        q.detect_format(["just one column\n"])
    with pytest.raises(ValueError):
        q.detect_format(["", "\n"])


def test_contains_verbatim_is_whole_token_and_exact(q):
    assert q.contains_verbatim("3", "el 3 de mayo")
    assert q.contains_verbatim("3", "(3)")
    assert not q.contains_verbatim("3", "el 13 de mayo")
    assert not q.contains_verbatim("3", "3,5 %") and not q.contains_verbatim("3", "v1.3")
    assert q.contains_verbatim("report.csv", "en report.csv.")
    assert q.contains_verbatim("Ctrl+S", "Pulse Ctrl+S.")
    assert not q.contains_verbatim("Ctrl+S", "Pulse ctrl+s.")  # character for character
    assert q.contains_verbatim("10:30", "a las 10:30?")
    assert not q.contains_verbatim("Ana", "Anabel")


def test_verbatim_share(q):
    hyps = ["Pulse Ctrl+S a las 10:30.", "Hola.", "Escriba a ana@example.com"]
    verbatim = [["Ctrl+S", "10:30"], [], ["ana@example.com", "Ana"]]
    assert q.verbatim_share(hyps, verbatim) == (3, 4)
    assert q.verbatim_share([], []) == (0, 0)


def test_derive_verbatim(q):
    src = "Send 3 files to bob@x.org via https://x.org/up, on your iPhone or the NASA PC, Tom."
    assert q.derive_verbatim(src) == ["3", "bob@x.org", "https://x.org/up", "iPhone", "NASA", "PC"]
    # only candidates that a reference keeps verbatim count
    assert q.derive_verbatim("I'm 19 and I have 1,000 books.", ["Tengo 19 años y 1.000 libros."]) == ["19"]
    assert q.derive_verbatim("I'm 19.", ["Tengo diecinueve."]) == []
    assert q.derive_verbatim("A I OK.") == ["OK"]  # one-letter words are not codes


def test_is_looping(q):
    loop = "me gusta el té y me gusta el té y me gusta el té"
    assert q.is_looping(loop, "I like tea.")
    assert not q.is_looping("me gusta el té", "I like tea.")
    # the source repeats itself: a repetitive translation is not a loop
    assert not q.is_looping(loop, "I like tea and I like tea and I like tea.")
    assert not q.is_looping("", "Hi.")


def test_group_rows_multi_reference_and_reverse(q):
    rows = [
        ("", "Who?", "¿Quién?", None),
        ("", "I lost.", "Perdí.", None),
        ("", "Who?", "¿Quiénes?", None),
        ("travel", "Gate B32  closes.", "La puerta B32 cierra.", None),
    ]
    sources, refs, verbatim, _ = q.group_rows(rows)
    assert sources == ["Who?", "I lost.", "Gate B32 closes."]  # white space normalised
    assert refs[0] == ["¿Quién?", "¿Quiénes?"] and verbatim[2] == ["B32"]
    sources, refs, _, domains = q.group_rows(rows, reverse=True)
    assert sources[0] == "¿Quién?" and refs[0] == ["Who?"] and len(sources) == 4 and domains[3] == "travel"


def test_parse_everyday(q):
    rows = q.parse_everyday(["chat\tAt 9, Ana.\tA las 9, Ana.\t9 | Ana\n", "news\tNo.\tNo.\t\n"])
    assert rows == [("chat", "At 9, Ana.", "A las 9, Ana.", ["9", "Ana"]), ("news", "No.", "No.", [])]
    with pytest.raises(ValueError):
        q.parse_everyday(["chat\tonly three\tcolumns\n"])


def test_load_set_both_formats(q, tmp_path):
    pairs = tmp_path / "tiny.en-es.tsv"
    pairs.write_text("Who?\t¿Quién?\nI'm 19.\tTengo 19 años.\nWho?\t¿Quiénes?\n", encoding="utf-8")
    dev = q.load_set(pairs)
    assert (dev.fmt, dev.sources, dev.max_refs, dev.verbatim_listed) == ("pairs", ["Who?", "I'm 19."], 2, False)
    assert dev.verbatim == [[], ["19"]]
    every = tmp_path / "every.en-es.tsv"
    every.write_text(
        "chat\tSee you at 7!\t¡Nos vemos a las 7!\t7\nnews\tNo one was hurt.\tNadie resultó herido.\t\n",
        encoding="utf-8",
    )
    dev = q.load_set(every, reverse=True, limit=1)
    assert (dev.fmt, dev.direction, dev.sources, dev.references) == (
        "everyday",
        "es-en",
        ["¡Nos vemos a las 7!"],
        [["See you at 7!"]],
    )
    assert dev.verbatim == [["7"]] and dev.domains == ["chat"]


def test_score_and_table(q, tmp_path):
    pytest.importorskip("sacrebleu")
    every = tmp_path / "every.en-es.tsv"
    every.write_text(
        "chat\tSee you at 7!\t¡Nos vemos a las 7!\t7\nnews\tNo one was hurt.\tNadie resultó herido.\t\n",
        encoding="utf-8",
    )
    dev = q.load_set(every)
    system = q.System("echo", lambda lines: ["¡Nos vemos a las 7!", "nadie nadie nadie nadie nadie"])
    r = q.evaluate(system, dev, by_domain=True, hyps_dir=tmp_path / "hyps")
    assert (r["verbatim_kept"], r["verbatim_total"], r["looping"], r["sentences"]) == (1, 1, 1, 2)
    assert set(r["domains"]) == {"chat", "news"} and r["domains"]["chat"]["bleu"] == 100.0
    table = q.markdown([r], {"sacrebleu": "x", "cpus": 2, "load_before": "0", "load_after": "0", "date": "d"})
    assert "| echo | every.en-es | en-es | 2 |" in table and "100.0 % (1/1)" in table and "| chat |" in table
    assert (tmp_path / "hyps").is_dir()


def test_model_system_searches_with_the_length_penalty_given(q, tiny_model_dir, monkeypatch):
    from translator_app.core.translation.translator import Translator

    seen = []
    monkeypatch.setattr(Translator, "translate_lines", lambda self, lines, decode: seen.append(decode) or list(lines))
    default = q.model_system(str(tiny_model_dir), 3, "en-es")
    tuned = q.model_system(f"{tiny_model_dir}=tiny", 3, "en-es", alpha=0.6)
    default.translate(["a"]), tuned.translate(["a"])
    assert [(d.beam_size, d.alpha) for d in seen] == [(3, 1.0), (3, 0.6)]
    assert tuned.name.startswith("tiny (beam 3, alpha 0.6, ") and "alpha" not in default.name.split("(")[-1]
    assert tuned.meta["alpha"] == 0.6
