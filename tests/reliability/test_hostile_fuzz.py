"""Issue 29: property-based hostile inputs: documents of every format, corpora, model folders,
and sentences with many protected items, through the same readers, checks and loader as the app.

Properties (each must hold for every generated case):

* documents (txt, md, html, docx, odt, srt, vtt, po, xliff) built from generated sentences
  (CJK, emoji, RTL, markup characters, numbers, URLs): either a DocumentError that names the
  file, or an output in which every word of every sentence is still present (a document never
  loses text), within a time limit;
* corpora (generated TSV lines and bytes): a corpus or a CorpusError naming the file;
* model folders (a real tiny bundle with a generated hostile config, file contents or special
  files): ``load_bundle`` gives a bundle or a BundleError, ``ModelStore.scan`` never raises and
  never hangs;
* sentences with any number of protected items and unspellable characters: the pipeline's
  ``prepare`` masks every item (at most 32 per part, parts that spell the sentence).

``HOSTILE_FUZZ_EXAMPLES`` sets the cases per property: a few (derandomised) in ``make test``,
2,500 per property (10,000 in all) with random seeds in ``make fuzz``.
"""

from __future__ import annotations

import html as html_mod
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from reliability_helpers import copy_bundle, time_limit

from tests.core.test_documents import ODT_CONTENT, make_odt
from translator_app.core.documents import DocumentError, translate_document
from translator_app.core.library.store import ModelStore
from translator_app.core.model.checkpoint import BundleError, load_bundle
from translator_app.core.text.corpus import CorpusError, read_corpus

EXAMPLES = int(os.environ.get("HOSTILE_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("HOSTILE_FUZZ_RANDOM", "") == "1"
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
CASE_SECONDS = 30

WORDS = st.sampled_from(
    "the cat house Tokyo 東京 我爱你 Привет Γειά שלום مرحبا 😀 café naïve 42 3.14 1,000 "
    "https://ex.com/a?b=1 user@ex.org %s {name} <b> & \" ' ⟦1⟧ -- # * ` [x](y) 00:00:01,000".split()
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=12).map(lambda ws: " ".join(ws) + ".")
SENTENCES = st.lists(SENTENCE, min_size=1, max_size=6)


class Echo:
    """translate_lines' signature: each line comes back unchanged (so every word must survive)."""

    preserves_markers = True

    def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
        return list(lines)


def _xml(text: str) -> str:
    return html_mod.escape(text, quote=False)


def _docx(sentences: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    for s in sentences:
        doc.add_paragraph(s)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _odt(sentences: list[str], folder: Path) -> bytes:
    make_odt(folder / "base.odt")
    paragraphs = "".join(f"<text:p>{_xml(s)}</text:p>" for s in sentences)
    content = ODT_CONTENT.replace("</office:text>", paragraphs + "</office:text>", 1)
    buf = io.BytesIO()
    with zipfile.ZipFile(folder / "base.odt") as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, content if info.filename == "content.xml" else src.read(info))
    return buf.getvalue()


def _build(fmt: str, sentences: list[str], folder: Path) -> bytes:
    if fmt == "txt":
        return "\n".join(sentences).encode()
    if fmt == "md":
        return "\n\n".join(("# " if i == 0 else "- " if i % 2 else "") + s for i, s in enumerate(sentences)).encode()
    if fmt == "html":
        return ("<html><body>" + "".join(f"<p>{_xml(s)}</p>" for s in sentences) + "</body></html>").encode()
    if fmt == "srt":
        return "".join(
            f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},500\n{s}\n\n" for i, s in enumerate(sentences)
        ).encode()
    if fmt == "vtt":
        return (
            "WEBVTT\n\n" + "".join(f"00:{i:02d}.000 --> 00:{i:02d}.500\n{s}\n\n" for i, s in enumerate(sentences))
        ).encode()
    if fmt == "po":
        esc = [s.replace("\\", "\\\\").replace('"', '\\"') for s in sentences]
        return (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            + "".join(f'msgid "{s}"\nmsgstr ""\n\n' for s in esc)
        ).encode()
    if fmt == "xliff":
        units = "".join(
            f'<trans-unit id="{i}"><source>{_xml(s)}</source></trans-unit>' for i, s in enumerate(sentences)
        )
        return (
            '<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
            f'<file source-language="en" target-language="es" datatype="plaintext" original="x"><body>{units}'
            "</body></file></xliff>"
        ).encode()
    if fmt == "docx":
        return _docx(sentences)
    return _odt(sentences, folder)


def _output_text(fmt: str, data: bytes) -> str:
    if fmt in ("docx", "odt"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = z.read("word/document.xml" if fmt == "docx" else "content.xml")
    text = data.decode("utf-8")
    if fmt in ("html", "xliff", "docx", "odt"):
        text = html_mod.unescape(re.sub(r"<[^>]*>", "", text))
    if fmt == "po":
        text = text.replace('\\"', '"').replace("\\\\", "\\").replace('"\n"', "")
    return text


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@SETTINGS
@given(fmt=st.sampled_from(["txt", "md", "html", "docx", "odt", "srt", "vtt", "po", "xliff"]), sentences=SENTENCES)
def test_documents_never_lose_text(fmt, sentences):
    event(f"format {fmt}")  # counted by --hypothesis-show-statistics (the figures of make fuzz)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / f"in.{fmt}"
        src.write_bytes(_build(fmt, sentences, folder))
        out = folder / f"out.{fmt}"
        try:
            with time_limit(CASE_SECONDS):
                translate_document(src, out, Echo())
        except DocumentError as exc:
            event(f"{fmt}: refused with a DocumentError")
            assert str(exc).startswith(str(src))
            assert not out.exists()
            return
        text = _output_text(fmt, out.read_bytes())
        missing = [w for w in _words(" ".join(sentences)) if w not in _words(text)]
        assert missing == [], (fmt, sentences, text)


@SETTINGS
@given(
    lines=st.lists(
        st.tuples(st.text(max_size=40), st.text(max_size=40)).map(lambda p: f"{p[0]}\t{p[1]}"), min_size=0, max_size=20
    ),
    junk=st.binary(max_size=40),
)
def test_corpora_give_pairs_or_a_clear_error(lines, junk):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.tsv"
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + junk)
        try:
            pairs, _ = read_corpus(path)
        except CorpusError as exc:
            assert str(exc).startswith(str(path))
            return
        assert all(s.strip() and t.strip() for s, t in pairs)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
MODEL_FIELDS = ["src_vocab_size", "tgt_vocab_size", "emb_dim", "enc_hidden", "dec_hidden", "enc_layers", "dec_layers"]
MUTATIONS = st.one_of(
    st.tuples(st.just("field"), st.sampled_from(MODEL_FIELDS), st.integers(-5, 10**12) | JSON_VALUES),
    st.tuples(
        st.just("bytes"), st.sampled_from(["config.json", "weights.pt", "tokenizer.model"]), st.binary(max_size=64)
    ),
    st.tuples(st.just("truncate"), st.sampled_from(["weights.pt", "tokenizer.model"]), st.integers(0, 4000)),
    st.tuples(
        st.just("special"),
        st.sampled_from(["config.json", "weights.pt", "tokenizer.model"]),
        st.sampled_from(["fifo", "zero", "dir"]),
    ),
    st.tuples(st.just("nest"), st.just("config.json"), st.integers(1, 200_000)),
)


def _mutate(folder: Path, mutation) -> None:
    kind, name, arg = mutation
    path = folder / ("config.json" if kind == "field" else name)
    if kind != "special" and not path.is_file():  # an earlier mutation made it a FIFO / link / folder
        return
    if kind == "field":
        config = json.loads(path.read_text())
        config["model"][name] = arg
        path.write_text(json.dumps(config))
    elif kind == "bytes":
        path.write_bytes(arg)
    elif kind == "truncate":
        path.write_bytes(path.read_bytes()[:arg])
    elif kind == "special":
        path.unlink()
        if arg == "fifo":
            os.mkfifo(path)
        elif arg == "zero":
            os.symlink("/dev/zero", path)
        else:
            path.mkdir()
    else:
        path.write_text("[" * arg + "]" * arg)


@SETTINGS
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=3))
def test_model_folders_load_or_give_a_bundle_error(tiny_model_dir, mutations):
    with tempfile.TemporaryDirectory() as tmp:
        user = Path(tmp) / "user"
        user.mkdir()
        copy_bundle(tiny_model_dir, user / "good")
        bad = copy_bundle(tiny_model_dir, user / "bad")
        for mutation in mutations:
            try:
                _mutate(bad, mutation)
            except (OSError, ValueError, TypeError, KeyError, RecursionError):  # an earlier mutation broke the file
                pass
        with time_limit(CASE_SECONDS):
            try:
                load_bundle(bad)
            except BundleError as exc:
                assert str(bad) in str(exc)
            entries, problems = ModelStore(Path(tmp) / "bundled", user).scan()
        assert "good" in [e.name for e in entries]
        assert len(entries) + len(problems) == 2
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def tokenizers():
    from translator_app.core.text.tokenizer import SubwordModel, Tokenizers

    model = SubwordModel((Path(__file__).resolve().parents[2] / "models" / "en-es" / "tokenizer.model").read_bytes())
    return Tokenizers(model, model)


ITEM = st.sampled_from(
    ["42", "1,000", "3.5", "https://ex.com/p", "a@b.org", "%s", "{x}", "東京", "😀", "v1.2.3", "word"]
)


@SETTINGS
@given(items=st.lists(ITEM, min_size=1, max_size=120))
def test_every_protected_item_is_masked(tokenizers, items):
    from translator_app.core.text.tokenizer import PLACEHOLDERS
    from translator_app.core.translation import pipeline

    text = " ".join(items) + "."
    sentences, _ = pipeline.prepare(tokenizers, [text], "en")
    spans = [s for sent in sentences for s in sent.spans]
    assert all(len(sent.spans) <= len(PLACEHOLDERS) for sent in sentences)
    for sent in sentences:  # each part's spans are where they say
        assert all(sent.source[s.start : s.end] == s.text for s in sent.spans)
    protected = [i for i in items if i != "word"]
    masked = " ".join(s.text for s in spans)  # (runs of unspellable characters may share one span)
    assert all(masked.count(item) >= protected.count(item) for item in set(protected)), (items, masked)
