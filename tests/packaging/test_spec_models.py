"""The packaged app bundles each model's replay set (only training leftovers are skipped)."""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

from translator_app.core.folders import filenames

SPEC = Path(__file__).resolve().parents[2] / "packaging" / "translator_app.spec"


def model_skip() -> tuple[str, ...]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "MODEL_SKIP")
    return eval(
        compile(ast.Expression(node.value), str(SPEC), "eval"), {"TRAIN_STATE_FILE": filenames.TRAIN_STATE_FILE}
    )


def test_the_replay_set_is_bundled_and_training_leftovers_are_not():
    skip = model_skip()
    for kept in (f"en-es/{filenames.REPLAY_FILE}", "en-es/test.tsv", "en-es/weights.pt", "es-en/config.json"):
        assert not any(fnmatch.fnmatch(kept, pattern) for pattern in skip), kept
    assert any(fnmatch.fnmatch(f"en-es/{filenames.TRAIN_STATE_FILE}", pattern) for pattern in skip)
    assert filenames.REPLAY_FILE in filenames.BUNDLE_NAMES  # import and export carry it too


def test_the_bundled_models_carry_their_display_names_and_a_clean_history():
    """A bundle installed from a training chunk keeps the name a person sees in the picker
    ("English → Spanish (broad)"), not the run folder's, and no local run paths."""
    import json

    import pytest

    root = SPEC.parents[1] / "models"
    for pair, name in (("en-es", "English → Spanish"), ("es-en", "Spanish → English")):
        config = root / pair / filenames.CONFIG_FILE
        if not config.is_file():
            pytest.skip(f"{config} is not in this checkout")
        meta = json.loads(config.read_text(encoding="utf-8"))["meta"]
        assert meta["name"].startswith(name), meta["name"]
        assert "run" not in meta and "path" not in meta.get("parent", {})
