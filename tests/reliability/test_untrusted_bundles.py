"""Untrusted model bundles and checkpoints (issue 7).

A bundle comes from anywhere (a download, a colleague's zip). Loading one must never run
code hidden in a pickle, and every way of being broken or mismatched must end in a
``BundleError`` whose message names the bundle (or the file in it), never in another
exception type, a crash, or a silently wrong model.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import copy_bundle

from translator_app.core.base.config import TokenizerConfig
from translator_app.core.model.checkpoint import (
    BundleError,
    load_bundle,
    load_train_state,
    safe_torch_load,
    save_train_state,
)
from translator_app.core.text.tokenizer import train_subword_model
from translator_app.core.translation.translator import Translator

SETTINGS = settings(
    max_examples=int(os.environ.get("RELIABILITY_EXAMPLES", "200")),
    deadline=None,
    derandomize=not os.environ.get("RELIABILITY_RANDOM"),
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ---- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def bundle(tiny_model_dir, tmp_path) -> Path:
    """A private copy of the trained tiny bundle (bundle files only) to break."""
    dest = copy_bundle(tiny_model_dir, tmp_path / "downloaded-model")
    Translator.load(dest)  # the intact copy loads: every failure below is caused by the change
    return dest


def edit_config(path: Path, change) -> None:
    cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
    change(cfg)
    (path / "config.json").write_text(json.dumps(cfg), encoding="utf-8")


def edit_weights(path: Path, change) -> None:
    state = torch.load(path / "weights.pt", weights_only=True)
    change(state)
    torch.save(state, path / "weights.pt")


def assert_refused(path: Path, match: str | None = None) -> BundleError:
    """Translator.load fails with a BundleError that names the bundle folder or a file in it."""
    with pytest.raises(BundleError) as info:
        Translator.load(path)
    message = str(info.value)
    assert str(path) in message, f"the message does not name {path}: {message}"
    assert "\n" not in message.strip()
    if match:
        assert match.lower() in message.lower(), message
    return info.value


# ---- pickle payloads are refused without being executed ---------------------------------------


class Payload:
    """Unpickling this runs ``func(*args)``: here, creating a marker file."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def payloads(marker: Path) -> dict[str, Payload]:
    return {
        "open": Payload(open, str(marker), "w"),
        "os.system": Payload(os.system, f"touch '{marker}'"),
        "exec": Payload(exec, f"open({str(marker)!r}, 'w').close()"),
    }


def write_payload(dest: Path, kind: str, fmt: str, marker: Path, state: dict | None = None) -> None:
    evil = payloads(marker)[kind]
    obj = dict(state or {})
    obj["decoder.evil"] = evil if fmt != "nested" else [torch.zeros(1), {"x": evil}]
    if fmt == "raw-pickle":
        dest.write_bytes(pickle.dumps(evil))
    elif fmt == "legacy":
        torch.save(obj, dest, _use_new_zipfile_serialization=False)
    else:
        torch.save(obj, dest)


FORMATS = ["zip", "legacy", "raw-pickle", "nested"]


@pytest.mark.parametrize("kind", ["open", "os.system", "exec"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_payload_is_live_when_unpickled_freely(tmp_path, kind, fmt):
    """Control: the same files DO run their payload under a plain unpickler, so the
    refusal tests below would fail if load_bundle unpickled freely."""
    marker = tmp_path / "pwned"
    path = tmp_path / "weights.pt"
    write_payload(path, kind, fmt, marker)
    assert not marker.exists()
    if fmt == "raw-pickle":
        pickle.loads(path.read_bytes())
    else:
        torch.load(path, weights_only=False)
    assert marker.exists()


@pytest.mark.parametrize("kind", ["open", "os.system", "exec"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_weights_with_a_pickle_payload_are_refused_unexecuted(bundle, tmp_path, kind, fmt):
    marker = tmp_path / "pwned"
    state = torch.load(bundle / "weights.pt", weights_only=True)
    write_payload(bundle / "weights.pt", kind, fmt, marker, state)
    err = assert_refused(bundle, match="weights.pt")
    assert "refused" in str(err) or "not a readable weights file" in str(err)
    assert not marker.exists(), "the pickle payload was executed"
    with pytest.raises(BundleError):
        load_bundle(bundle)
    assert not marker.exists()


@pytest.mark.parametrize("fmt", ["zip", "legacy", "raw-pickle"])
def test_checkpoint_with_a_pickle_payload_is_refused_unexecuted(tmp_path, fmt):
    marker = tmp_path / "pwned"
    path = tmp_path / "checkpoint.pt"
    write_payload(path, "os.system", fmt, marker, {"model": {}, "step": 5})
    with pytest.raises(BundleError, match="checkpoint.pt"):
        load_train_state(path)
    assert not marker.exists()


def test_resuming_from_a_poisoned_checkpoint_is_refused_unexecuted(tiny_model_dir, tmp_path):
    from translator_app.core.train.training import CorpusSpec, TrainRequest, train

    run = tmp_path / "run"
    shutil.copytree(tiny_model_dir, run)
    marker = tmp_path / "pwned"
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    write_payload(run / "checkpoint.pt", "exec", "zip", marker, state)
    with pytest.raises(BundleError, match="checkpoint.pt"):
        for _ in train(TrainRequest(CorpusSpec("unused.tsv"), run, resume=True)):
            pass
    assert not marker.exists()


# ---- mismatched or broken parts give a clear BundleError naming the path ----------------------


def test_config_vocab_size_differs_from_the_tokenizer(bundle):
    edit_config(bundle, lambda c: c["model"].update(src_vocab_size=c["model"]["src_vocab_size"] + 1))
    assert_refused(bundle, match="vocabulary")


def test_tokenizer_of_another_size_with_a_matching_config(bundle, tiny_corpus):
    """Tokenizer and config agree with each other, the weights were trained for another vocabulary."""
    lines = [s for line in tiny_corpus.read_text(encoding="utf-8").splitlines() for s in line.split("\t")[:2]]
    other = train_subword_model(lines, TokenizerConfig(vocab_size=250))
    (bundle / "tokenizer.model").write_bytes(other.model_bytes)
    edit_config(bundle, lambda c: c["model"].update(src_vocab_size=len(other), tgt_vocab_size=len(other)))
    assert_refused(bundle, match="do not match")


def test_missing_tensor(bundle):
    edit_weights(bundle, lambda s: s.pop("decoder.combine.weight"))
    assert_refused(bundle, match="do not match")


def test_unexpected_extra_tensor(bundle):
    edit_weights(bundle, lambda s: s.update({"decoder.extra.weight": torch.zeros(3)}))
    assert_refused(bundle, match="do not match")


@pytest.mark.parametrize("key", ["encoder.embedding.weight", "decoder.out.bias", "encoder.rnn.weight_hh_l0"])
def test_tensor_of_the_wrong_shape(bundle, key):
    edit_weights(bundle, lambda s: s.update({key: torch.zeros(*[d + 1 for d in s[key].shape])}))
    assert_refused(bundle, match="do not match")


def test_config_of_another_architecture(bundle):
    edit_config(bundle, lambda c: c["model"].update(dec_hidden=c["model"]["dec_hidden"] * 2))
    assert_refused(bundle, match="do not match")


@pytest.mark.parametrize(
    "text, match",
    [
        ("{", "unreadable model config"),
        ('{"format": "translator-app-bundle", "version": 1, "model": ', "unreadable model config"),
        ("", "unreadable model config"),
        ("[]", "not a translator-app-bundle config"),
        ('"just a string"', "not a translator-app-bundle config"),
        ('{"version": 1, "model": {}}', "not a translator-app-bundle config"),
        ('{"format": "something-else", "version": 1}', "not a translator-app-bundle config"),
    ],
)
def test_corrupt_config_json(bundle, text, match):
    (bundle / "config.json").write_text(text, encoding="utf-8")
    assert_refused(bundle, match=match)


def test_config_json_that_is_not_utf8(bundle):
    (bundle / "config.json").write_bytes(b"\xff\xfe{\x00}")
    assert_refused(bundle, match="unreadable model config")


@pytest.mark.parametrize("version", [2, 99, "1", None, 1.5])
def test_config_of_a_newer_or_unknown_version(bundle, version):
    edit_config(bundle, lambda c: c.update(version=version))
    assert_refused(bundle, match="update the app" if isinstance(version, int) else "version")


@pytest.mark.parametrize(
    "field, value",
    [
        ("attention", "transformer"),
        ("enc_layers", 0),
        ("dropout", 1.5),
        ("emb_dim", "64"),
        ("dec_hidden", -1),
        ("tie_embeddings", "yes"),
    ],
)
def test_invalid_model_config_values(bundle, field, value):
    edit_config(bundle, lambda c: c["model"].update({field: value}))
    assert_refused(bundle, match="invalid model config")


def test_model_section_is_not_an_object(bundle):
    edit_config(bundle, lambda c: c.update(model=[1, 2]))
    assert_refused(bundle, match="invalid model config")


@pytest.mark.parametrize("keep", [0, 1, 30, 0.5, -1, -200])
def test_truncated_weights_file(bundle, keep):
    data = (bundle / "weights.pt").read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else (keep if keep >= 0 else len(data) + keep)
    (bundle / "weights.pt").write_bytes(data[:cut])
    assert_refused(bundle, match="weights.pt")


@pytest.mark.parametrize("content", ["tensor", "list", "dict-of-strings", "nested-dict"])
def test_weights_that_are_not_a_state_dict(bundle, content):
    obj = {
        "tensor": torch.zeros(3),
        "list": [torch.zeros(3)],
        "dict-of-strings": {"a": "b"},
        "nested-dict": {"a": {"b": torch.zeros(1)}},
    }[content]
    torch.save(obj, bundle / "weights.pt")
    assert_refused(bundle, match="weights.pt")


@SETTINGS
@given(data=st.binary(max_size=4096))
@example(data=b"")
@example(data=b"\x0a\x02\x08\x01")  # a tiny, well-formed protobuf
def test_random_bytes_as_tokenizer(bundle, data):
    (bundle / "tokenizer.model").write_bytes(data)
    assert_refused(bundle)


def test_truncated_and_bit_flipped_tokenizer(bundle):
    good = (bundle / "tokenizer.model").read_bytes()
    for cut in (1, 10, len(good) // 3, len(good) - 1):
        (bundle / "tokenizer.model").write_bytes(good[:cut])
        assert_refused(bundle)


@pytest.mark.parametrize("missing", ["config.json", "weights.pt", "tokenizer.model"])
def test_missing_file(bundle, missing):
    (bundle / missing).unlink()
    assert_refused(bundle, match=missing if missing != "config.json" else "not a model bundle")


@pytest.mark.parametrize("name", ["weights.pt", "tokenizer.model"])
def test_a_directory_where_a_file_should_be(bundle, name):
    (bundle / name).unlink()
    (bundle / name).mkdir()
    assert_refused(bundle, match=name)


def test_separate_tokenizers_declared_but_absent(bundle):
    edit_config(bundle, lambda c: c.update(tokenizer={"joint": False}))
    assert_refused(bundle, match="source.model")


def test_not_a_folder(tmp_path):
    (tmp_path / "file.bin").write_bytes(b"x")
    assert_refused(tmp_path / "file.bin", match="not a model folder")
    assert_refused(tmp_path / "nowhere", match="not a model folder")


def test_train_state_that_is_not_a_checkpoint(tmp_path):
    for obj in ({"model": {}}, {"step": 3}, torch.zeros(2), [1, 2]):
        save_train_state(tmp_path / "checkpoint.pt", obj)
        with pytest.raises(BundleError, match="checkpoint.pt"):
            load_train_state(tmp_path / "checkpoint.pt")


# ---- known defects: other exception types escape --------------------------------------------


def _with_data_pkl(src: Path, dest: Path, pkl: bytes) -> None:
    """Copy the zip-format torch file ``src`` to ``dest`` with its pickle replaced by ``pkl``."""
    with zipfile.ZipFile(src) as zin:
        files = {n: zin.read(n) for n in zin.namelist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        for name, data in files.items():
            zout.writestr(name, pkl if name.endswith("/data.pkl") else data)
    dest.write_bytes(buf.getvalue())


CORRUPT_PICKLES = {
    "memo-get-of-a-missing-key": b"\x80\x02h\x8a.",  # KeyError
    "persistent-id-not-a-tuple": b"\x80\x02K\x01Q.",  # AssertionError
    "empty-persistent-id": b"\x80\x02)Q.",  # IndexError
    "stop-on-an-empty-stack": b".",  # IndexError
}


@pytest.mark.parametrize("name", sorted(CORRUPT_PICKLES))
def test_corrupt_pickle_inside_weights_gives_a_bundle_error(bundle, name):
    _with_data_pkl(bundle / "weights.pt", bundle / "weights.pt", CORRUPT_PICKLES[name])
    assert_refused(bundle, match="weights.pt")


@SETTINGS
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4))
def test_mutated_pickle_inside_weights_gives_a_bundle_error(tiny_model_dir, tmp_path, edits):
    with zipfile.ZipFile(tiny_model_dir / "weights.pt") as z:
        pkl = bytearray(z.read(next(n for n in z.namelist() if n.endswith("/data.pkl"))))
    for where, value in edits:
        pkl[int(where * len(pkl))] = value
    path = tmp_path / "weights.pt"
    _with_data_pkl(tiny_model_dir / "weights.pt", path, bytes(pkl))
    try:
        state = safe_torch_load(path)
    except BundleError as exc:
        assert str(path) in str(exc)
        return
    assert isinstance(state, dict)  # a flip in a harmless place may still load


@pytest.mark.parametrize("field", ["emb_dim", "enc_hidden", "dec_hidden"])
def test_config_with_absurd_sizes_gives_a_bundle_error(bundle, field):
    edit_config(bundle, lambda c: c["model"].update({field: 10**13}))
    assert_refused(bundle)


@pytest.mark.parametrize("pad_id", [5000, -5000])
def test_config_with_out_of_range_pad_id_gives_a_bundle_error(bundle, pad_id):
    edit_config(bundle, lambda c: c["model"].update(pad_id=pad_id))
    assert_refused(bundle)


@pytest.mark.parametrize("value", ["joint", [True], 1])
def test_tokenizer_section_that_is_not_an_object_gives_a_bundle_error(bundle, value):
    edit_config(bundle, lambda c: c.update(tokenizer=value))
    assert_refused(bundle)
