"""core.text.langid: input language detection among the app's languages, and the CLI's warning."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("py3langid")

from translator_app.core.base.langcodes import base_code
from translator_app.core.text import langid

REPO = Path(__file__).resolve().parents[2]

SENTENCES = {
    "en": [
        "Hello, my name is Anna and I live in Berlin.",
        "I would like a cup of coffee, please.",
        "The weather was so bad yesterday that we stayed at home all day.",
    ],
    "es": [
        "Hola, me llamo Ana y vivo en Madrid con mi familia.",
        "¿Dónde está la estación de tren?",
        "Mañana vamos a la playa si no llueve.",
    ],
    "fr": [
        "Je voudrais une tasse de café, s'il vous plaît.",
        "Nous sommes allés au cinéma hier soir avec nos amis.",
        "Où se trouve la gare la plus proche ?",
    ],
}


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_detects_english_spanish_and_french_sentences(lang):
    for text in SENTENCES[lang]:
        found = langid.detect(text)
        assert found is not None, text
        code, probability = found
        assert code == lang, (text, found)
        assert langid.MIN_CONFIDENCE <= probability <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Hola",
        "Hello there",
        "¡Hola, amigo!",
        "Merci beaucoup",
        "BA2471 19:45 12.000",
        "https://example.com/a/b?c=d ana@example.com",
        "3 4 5 6 7 8",
    ],
)
def test_short_or_wordless_text_gives_none(text):
    assert langid.detect(text) is None


def test_numbers_urls_and_codes_do_not_count_as_words():
    assert langid.words("My flight BA2471 leaves at 19:45, see https://example.com/x") == [
        "My",
        "flight",
        "leaves",
        "at",
        "see",
    ]
    assert langid.detect("Vuelo BA2471 19:45 https://example.com/vuelos") is None  # one real word


def test_only_the_apps_languages_are_answers():
    # German and Italian are among the six; anything detected is one of them
    assert langid.detect("Ich möchte bitte eine Tasse Kaffee und ein Stück Kuchen.")[0] == "de"
    assert langid.detect("Vorrei una tazza di caffè, per favore, e un bicchiere d'acqua.")[0] == "it"
    found = langid.detect("Dit is een zin in het Nederlands, die de app niet kent.")
    assert found is None or found[0] in langid.LANGUAGES


def test_looks_like_target_is_true_only_for_the_models_target_language():
    es, en, fr = SENTENCES["es"][0], SENTENCES["en"][0], SENTENCES["fr"][0]
    assert langid.looks_like_target(es, "en", "es")[0] == "es"
    assert langid.looks_like_target(es, "en-US", "es_ES")[0] == "es"  # regional codes
    assert langid.looks_like_target(en, "en", "es") is None  # the right direction
    assert langid.looks_like_target(fr, "en", "es") is None  # neither language of the model
    assert langid.looks_like_target(en, "es", "en")[0] == "en"
    assert langid.looks_like_target(es, "en", "zh") is None  # a language outside the six
    assert langid.looks_like_target(es, "es", "es") is None
    assert langid.looks_like_target("Hola amigo", "en", "es") is None  # too short to say


def test_names_and_base_languages():
    assert langid.name("es") == "Spanish" and langid.name("pt_BR") == "Portuguese"
    assert langid.name("xx") == "xx" and langid.name("") == "?"
    assert base_code("EN-gb") == "en" and base_code("") == ""


def test_preload_in_the_background_and_the_cost_of_a_check(record_property):
    thread = langid.preload(background=True)
    if thread is not None:
        thread.join(60)
    assert langid.is_loaded()
    text = "Hola, me llamo Ana y vivo en Berlín. Mi vuelo BA2471 sale a las 19:45."
    langid.detect(text)
    times = []
    for _ in range(200):
        start = time.perf_counter()
        langid.detect(text)
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    record_property("langid_median_ms", round(median, 3))
    print(f"\nlangid.detect on a typed sentence: median {median:.3f} ms, max {max(times):.3f} ms")
    assert median < 5  # about 0.1 ms on a quiet machine; a generous bound for a busy one


# ---- translator-app translate: the stderr warning ------------------------------------------------


class FakeTranslator:
    def __init__(self, path: str, src: str = "en", tgt: str = "es"):
        self.info = SimpleNamespace(path=path, name="fake", src_lang=src, tgt_lang=tgt, parameters=1, meta={})

    def translate(self, text, decode=None, glossary=None):
        return SimpleNamespace(text=text.upper(), sentences=())

    def translate_lines(self, lines, decode=None, glossary=None):
        return [line.upper() for line in lines]


@pytest.fixture()
def fake_cli(monkeypatch, tmp_path):
    from tests.core.test_store import make_bundle
    from translator_app import cli, cli_translate

    models = tmp_path / "bundled"
    model = make_bundle(models / "en-es", "en", "es")
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(models))
    monkeypatch.setattr(cli_translate, "_load_translator", lambda args: FakeTranslator(str(model)))
    return cli, tmp_path


def test_cli_warns_once_on_stderr_when_the_input_is_in_the_target_language(fake_cli, capsys):
    cli, _ = fake_cli
    assert cli.main(["translate", "Hola, me llamo Ana y vivo en Madrid con mi familia."]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "HOLA, ME LLAMO ANA Y VIVO EN MADRID CON MI FAMILIA."  # still translated
    assert err.count("warning:") == 1
    assert (
        "warning: the input looks like Spanish, but the model translates English → Spanish; "
        "use --model with a Spanish → English model (none is installed)"
    ) in err
    assert cli.main(["translate", "Hello, my name is Anna and I live in Berlin."]) == 0
    assert capsys.readouterr().err == ""  # the right direction: no warning


def test_cli_names_the_installed_reverse_model_and_warns_once_for_many_lines(fake_cli, capsys, monkeypatch):
    import io

    from tests.core.test_store import make_bundle
    from translator_app import paths

    cli, _ = fake_cli
    reverse = make_bundle(paths.user_models_dir() / "es-en", "es", "en")
    lines = [
        "Hola, me llamo Ana y vivo en Madrid.",
        "¿Dónde está la estación de tren?",
        "Mañana vamos a la playa si no llueve.",
    ]
    stdin = io.StringIO("\n".join(lines) + "\n")
    stdin.isatty = lambda: False  # a pipe: the batched path
    monkeypatch.setattr("sys.stdin", stdin)
    assert cli.main(["translate"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [line.upper() for line in lines]
    assert err.count("warning:") == 1 and f"use --model {reverse}" in err
    stdin = io.StringIO("\n".join(lines) + "\n")
    stdin.isatty = lambda: True  # typed line by line: still one warning
    monkeypatch.setattr("sys.stdin", stdin)
    assert cli.main(["translate"]) == 0
    assert capsys.readouterr().err.count("warning:") == 1


@pytest.mark.slow
def test_cli_with_the_bundled_model_warns_for_spanish_input():
    import subprocess
    import sys

    model = REPO / "models" / "en-es"
    if not (model / "weights.pt").exists():
        pytest.skip("the bundled model is not in this checkout")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "translator_app",
            "translate",
            "--model",
            str(model),
            "--beam",
            "1",
            "Hola, me llamo Ana y vivo en Madrid con mi familia.",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and "warning: the input looks like Spanish" in proc.stderr
