"""Build the PyInstaller bundle and run the frozen app (issue 5); plus quick checks of --self-test.

The frozen tests are slow (a clean PyInstaller build takes ~5 minutes of CPU on 2 cores, and
packing the tarball another minute or two), so they only run when asked:

    TRANSLATOR_APP_PACKAGING_TEST=1 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m packaging tests/packaging -v

Building is the test: ``packaging/build.sh`` runs into a temporary folder (the developer's
``dist/`` is left alone), then the frozen executable must pass ``--self-test`` and run the
``translate``, ``evaluate`` and ``train`` subcommands and start the GUI.  The bundled model is
``models/en-es`` when the checkout has it, otherwise a tiny model trained for the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = "translator-app"

pytestmark = pytest.mark.packaging
frozen = pytest.mark.skipif(
    os.environ.get("TRANSLATOR_APP_PACKAGING_TEST") != "1",
    reason="builds the PyInstaller bundle; set TRANSLATOR_APP_PACKAGING_TEST=1",
)


# ---- run_self_test() from the checkout (fast; these run with the unit tests) -------------------


def _models_with(bundle: Path, root: Path) -> Path:
    shutil.copytree(bundle, root / "en-es")
    return root


def _relabel(bundle: Path, src: str, tgt: str) -> None:
    """The bundle's language pair in its config (a pair without check sentences: any output passes)."""
    config = json.loads((bundle / "config.json").read_text(encoding="utf-8"))
    config["meta"].update(src_lang=src, tgt_lang=tgt)
    (bundle / "config.json").write_text(json.dumps(config), encoding="utf-8")


def test_self_test_fails_a_model_that_mistranslates_its_check_sentences(tiny_model_dir, tmp_path, monkeypatch, capsys):
    """The tiny en->es model translates badly: "some output" is not a pass."""
    from translator_app.selftest import run_self_test

    models = _models_with(tiny_model_dir, tmp_path / "models")
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(models))
    monkeypatch.setenv("TRANSLATOR_APP_HOME", str(tmp_path / "home"))
    assert run_self_test() == 1
    err = capsys.readouterr().err
    assert "self-test FAILED: the model mistranslates" in err and "'Thank you very much.' ->" in err


def test_self_test_succeeds_without_qt(tiny_model_dir, tmp_path):
    models = _models_with(tiny_model_dir, tmp_path / "models")
    _relabel(models / "en-es", "en", "xx")
    code = (
        "import sys\n"
        "from translator_app.selftest import run_self_test\n"
        "rc = run_self_test()\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))], 'Qt was imported'\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(TRANSLATOR_APP_MODELS=str(models), TRANSLATOR_APP_HOME=str(tmp_path / "home")),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for label in ("model:", "translation:", "load time:", "translate time:", "self-test OK"):
        assert label in proc.stdout
    assert "int8 dynamic quantisation: yes" in proc.stdout


def test_self_test_missing_model(tmp_path, monkeypatch, capsys):
    from translator_app.selftest import run_self_test

    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(tmp_path / "nowhere"))
    assert run_self_test() == 1
    assert "self-test FAILED: no default model" in capsys.readouterr().err


def test_self_test_corrupt_model(tiny_model_dir, tmp_path, monkeypatch, capsys):
    from translator_app.selftest import run_self_test

    models = _models_with(tiny_model_dir, tmp_path / "models")
    (models / "en-es" / "weights.pt").write_bytes(b"not a torch file")
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(models))
    assert run_self_test() == 1
    assert "self-test FAILED: cannot load the model" in capsys.readouterr().err


# ---- the frozen app ------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TRANSLATOR_APP_MODELS", "TRANSLATOR_APP_BUNDLE_MODELS", "PYTHONPATH")
    }
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def build(request, tmp_path_factory):
    """Run packaging/build.sh once for the module; returns (dist dir, build output)."""
    if (
        shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None
        and shutil.which("pyinstaller") is None
    ):
        pytest.fail("pyinstaller is not installed (pip install -e '.[package]')")
    root = tmp_path_factory.mktemp("frozen")
    env = _env(
        DIST_DIR=str(root / "dist"),
        BUILD_DIR=str(root / "build"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        TRANSLATOR_APP_HOME=str(root / "home"),
    )
    if not (REPO / "models" / "en-es" / "config.json").is_file():
        tiny = request.getfixturevalue("tiny_model_dir")
        models = root / "models"
        shutil.copytree(tiny, models / "en-es")
        env["TRANSLATOR_APP_BUNDLE_MODELS"] = str(models)
    start = time.monotonic()
    proc = subprocess.run(
        ["bash", str(REPO / "packaging" / "build.sh")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=3600,
    )
    print(f"build.sh took {time.monotonic() - start:.0f} s")
    assert proc.returncode == 0, f"build.sh failed ({proc.returncode}):\n{proc.stdout[-6000:]}"
    print(proc.stdout[-1500:])
    return root / "dist", proc.stdout


@pytest.fixture()
def exe(build) -> Path:
    path = build[0] / APP / APP
    assert path.is_file() and os.access(path, os.X_OK)
    return path


def run(exe: Path, *args: str, input: str | None = None, timeout: float = 300, **env: str):
    proc = subprocess.run(
        [str(exe), *args], input=input, env=_env(**env), text=True, timeout=timeout, capture_output=True
    )
    return proc


@frozen
def test_build_outputs(build):
    dist, log = build
    tarballs = list(dist.glob(f"{APP}-*-linux-*.tar.gz"))
    assert len(tarballs) == 1, log[-2000:]
    folder = dist / APP
    for name in ("install.sh", "translator-app.desktop", "INSTALL.md", "translator-app.png"):
        assert (folder / name).is_file(), name
    internal = folder / "_internal"
    assert (internal / "models" / "en-es" / "config.json").is_file()
    assert not (internal / "models" / "en-es" / "checkpoint.pt").exists()  # training leftovers stay out
    assert (internal / "resources" / "translator-app.png").is_file()
    # slimming: no torch headers/tests/C++ test programs, no QtWebEngine/QtQuick, shm manager kept
    shm = internal / "torch" / "bin" / "torch_shm_manager"
    assert shm.is_file() and os.access(shm, os.X_OK)
    assert not (internal / "torch" / "include").exists()
    assert not (internal / "torch" / "test").exists()
    assert (internal / "sentencepiece" / "package_data" / "nmt_nfkc.bin").is_file()  # tokenizer training
    testing = internal / "torch" / "testing" / "_internal"  # only the 4 modules `import torch` needs
    assert not (testing / "common_methods_invocations.py").exists() and not (testing / "opinfo").exists()
    assert not list(internal.rglob("*.a"))
    assert not list(internal.rglob("libQt6WebEngine*")) and not list(internal.rglob("libQt6Quick*"))
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    models = sum(p.stat().st_size for p in (internal / "models").rglob("*") if p.is_file())
    assert size - models < 640 * 2**20, f"bundle (without models) grew to {(size - models) / 2**20:.0f} MiB"
    print(f"bundle {size / 2**20:.0f} MiB, tarball {tarballs[0].stat().st_size / 2**20:.0f} MiB")


@frozen
def test_self_test(exe, tmp_path):
    proc = run(exe, "--self-test", TRANSLATOR_APP_HOME=str(tmp_path))
    print(proc.stdout, proc.stderr)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "frozen (PyInstaller)" in out
    assert "int8 dynamic quantisation: yes" in out
    assert "translation:" in out and "self-test OK" in out
    assert "_internal/models/en-es" in out  # the bundled model, not one from the environment


@frozen
def test_self_test_reports_missing_model(exe, tmp_path):
    proc = run(exe, "--self-test", TRANSLATOR_APP_HOME=str(tmp_path), TRANSLATOR_APP_MODELS=str(tmp_path / "none"))
    assert proc.returncode == 1
    assert "self-test FAILED" in proc.stderr and "no default model" in proc.stderr


@frozen
def test_translate_arguments_and_stdin(exe, tmp_path):
    proc = run(exe, "translate", "--beam", "3", "Hello, how are you?", TRANSLATOR_APP_HOME=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1
    proc = run(exe, "translate", input="Good morning.\nThank you very much.\n", TRANSLATOR_APP_HOME=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2
    proc = run(exe, "translate", "--no-quantize", "--show-attention", "Hello.", TRANSLATOR_APP_HOME=str(tmp_path))
    assert proc.returncode == 0, proc.stderr


@frozen
def test_evaluate_uses_sacrebleu(exe, tmp_path):
    test = tmp_path / "test.tsv"
    test.write_text("Hello.\tHola.\nThank you.\tGracias.\nGood morning.\tBuenos días.\n", encoding="utf-8")
    proc = run(
        exe,
        "evaluate",
        str(test),
        "--beam",
        "2",
        "--output",
        str(tmp_path / "hyp.txt"),
        TRANSLATOR_APP_HOME=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    assert "BLEU" in proc.stdout and "chrF" in proc.stdout
    assert len((tmp_path / "hyp.txt").read_text(encoding="utf-8").splitlines()) == 3


@frozen
def test_train_then_translate_with_it(exe, tmp_path, tiny_corpus):
    out = tmp_path / "trained"
    proc = run(
        exe,
        "train",
        str(tiny_corpus),
        "--out",
        str(out),
        "--preset",
        "tiny",
        "--max-steps",
        "6",
        "--vocab-size",
        "300",
        "--valid-every",
        "3",
        "--threads",
        "1",
        TRANSLATOR_APP_HOME=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "config.json").is_file() and (out / "weights.pt").is_file()
    proc = run(exe, "translate", "--model", str(out), "Hello.", TRANSLATOR_APP_HOME=str(tmp_path))
    assert proc.returncode == 0, proc.stderr


@frozen
def test_fine_tuning_the_bundled_model_replays_its_own_set(exe, tmp_path, tiny_corpus):
    """Issue #33: an installed app has no corpus; fine-tuning its bundled model replays the
    bundle's own replay set (replay.tsv.gz) instead of forgetting what the model knew."""
    base = exe.parent / "_internal" / "models" / "en-es"
    if not (base / "replay.tsv.gz").is_file():
        pytest.skip("the packaged en-es model is a tiny stand-in without a replay set")
    out = tmp_path / "ft"
    args = ("--out", str(out), "--max-steps", "2", "--valid-every", "2", "--threads", "1")
    proc = run(exe, "train", str(tiny_corpus), "--from", str(base), *args, TRANSLATOR_APP_HOME=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Reading general data from {base / 'replay.tsv.gz'}" in proc.stdout + proc.stderr
    assert "No general data found to replay" not in proc.stdout + proc.stderr
    assert (out / "config.json").is_file()


@frozen
def test_cli_errors_are_reported(exe, tmp_path):
    proc = run(exe, "translate", "--model", str(tmp_path / "missing"), "Hello.", TRANSLATOR_APP_HOME=str(tmp_path))
    assert proc.returncode == 2
    assert "translator-app: error:" in proc.stderr


@frozen
def test_child_commands_run_in_the_frozen_binary(exe, tmp_path):
    """Background adaptation starts the app binary itself (core/base/child.py: no ``-m`` when frozen)
    with ``memory adapt ...``, which starts it again with ``train ...``: both must dispatch."""
    for args in (("memory", "adapt", "--help"), ("train", "--help")):
        proc = run(exe, *args, TRANSLATOR_APP_HOME=str(tmp_path))
        assert proc.returncode == 0 and "--json" in proc.stdout, proc.stderr


@frozen
def test_gui_starts_headless(exe, tmp_path):
    """The window comes up offscreen: the process is still running, without a traceback, after a while."""
    if not (REPO / "translator_app" / "app.py").is_file():
        pytest.skip("translator_app/app.py (the GUI) does not exist yet")
    env = _env(QT_QPA_PLATFORM="offscreen", TRANSLATOR_APP_HOME=str(tmp_path))
    proc = subprocess.Popen([str(exe)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        rc = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        rc = None
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    stdout, stderr = proc.communicate()
    assert "Traceback" not in stderr, stderr[-3000:]
    assert rc is None or rc == 0, f"GUI exited with {rc}:\n{stderr[-3000:]}"
