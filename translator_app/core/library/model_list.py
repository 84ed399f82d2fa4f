"""The models a store holds, for the app: :func:`list_models` reads every ``config.json`` of the store
(``ModelStore.scan``) and, at start-up, picks the model to load; :func:`model_ref` /
:func:`resolve_model_ref` name a model as the settings remember it (by store name, so another
installation finds its own copy).  Torch-free and Qt-free; the GUI runs :func:`list_models` as a
background task and gets the :class:`ModelListing` back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ModelListing:
    entries: tuple[Any, ...]  # core.library.store.ModelEntry, bundled first
    problems: tuple[Any, ...]  # core.library.store.StoreProblem: folders that look like models but cannot be read
    chosen: str = ""  # the first usable candidate ("" when none was asked for, or none is usable)
    notes: tuple[str, ...] = ()  # what is wrong with the bundled default model, for the person


def list_models(store: Any, candidates: Iterable[str | None] = (), default: str | Path | None = None) -> ModelListing:
    """Scan ``store``; with ``candidates`` also choose the first that is a readable bundle (then any
    listed model), and with ``default`` say when the bundled default model is missing or damaged."""
    entries, problems = store.scan()
    notes: list[str] = []
    if default is not None:
        default = Path(default)
        if not default.exists():
            notes.append(f"The bundled default model is missing ({default}).")
        elif store.entry(default) is None:
            why = next((p.message for p in problems if Path(p.path) == default), "its config.json cannot be read")
            notes.append(f"The bundled default model is damaged: {why}")
    chosen = ""
    candidates = [str(c) for c in candidates if c]
    if candidates:
        for candidate in (*candidates, *(str(e.path) for e in entries)):
            if store.entry(candidate) is not None:
                chosen = candidate
                break
    return ModelListing(tuple(entries), tuple(problems), chosen, tuple(notes))


BUNDLED_REF = "bundled/"  # a bundled model, by its folder name in this installation's models/
USER_REF = "user/"  # one of the user's models, by its folder name in the user's model folder


def model_ref(store: Any, path: str | Path) -> str:
    """How the settings remember a model: by its store name ("bundled/en-es", "user/my-run"), so
    that another installation (or a moved checkout) finds its own copy; a model outside the store
    keeps its absolute path.  Pure path arithmetic: nothing is read."""
    path = Path(path)
    for prefix, root in ((BUNDLED_REF, Path(store.bundled_dir)), (USER_REF, Path(store.user_dir))):
        try:
            if path.resolve().parent == root.resolve():
                return prefix + path.name
        except OSError:
            continue
    return str(path)


def resolve_model_ref(store: Any, ref: str) -> str:
    """The folder a :func:`model_ref` names in this installation ("" for an empty ref)."""
    if not ref:
        return ""
    for prefix, root in ((BUNDLED_REF, store.bundled_dir), (USER_REF, store.user_dir)):
        if ref.startswith(prefix) and "/" not in ref[len(prefix) :] and ref[len(prefix) :] not in ("", ".", ".."):
            return str(Path(root) / ref[len(prefix) :])
    return ref
