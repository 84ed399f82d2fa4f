"""Where the app writes a training run: :func:`model_dir_for` (the user's model folder, from
:mod:`translator_app.paths`).  Listing the store and model references live in the core
(:mod:`translator_app.core.library.model_list`)."""

from __future__ import annotations

from pathlib import Path


def model_dir_for(name: str) -> Path:
    """Where a training run named ``name`` writes its model."""
    from translator_app import paths
    from translator_app.core.library.store import sanitize_name

    return paths.user_models_dir() / sanitize_name(name)
