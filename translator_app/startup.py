"""Start-up helpers of the desktop app that must not touch Qt or torch at import time.

* :class:`StartupLog`: time stamps of a start (``TRANSLATOR_APP_STARTUP_LOG=path.json``),
  used by ``benchmarks/bench_startup.py``.  Times are seconds since the process was launched:
  ``TRANSLATOR_APP_LAUNCH_TIME`` (``time.time()`` of the launcher, most precise) or the
  process start time from ``/proc/self/stat``.
* :func:`preload_torch_libraries`: ``dlopen`` torch's 400 MB ``libtorch_cpu.so`` in a
  background thread *with the GIL released* (``import torch`` does the same dlopen with the
  GIL held, which would freeze the window for the whole load and its static initialisers).
* :func:`load_translator`: what the translation worker thread runs to load a model: waits for
  that preload (the loader lock would otherwise be waited on with the GIL held), then loads.
* :func:`prepare_training`: constructs Adam once (its first use imports hundreds of modules),
  in a background thread a second after the model is ready, so the first training starts promptly.
* :func:`gc_paused`: no garbage collection during those big imports, then ``gc.freeze()``:
  the full collections they trigger were the 90–220 ms freezes of the window.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENV_LOG = "TRANSLATOR_APP_STARTUP_LOG"  # write the time stamps of this start here (JSON)
ENV_LAUNCH = "TRANSLATOR_APP_LAUNCH_TIME"  # time.time() when the launcher started this process
ENV_TEXT = "TRANSLATOR_APP_STARTUP_TEXT"  # typed into the source pane once the window is up
ENV_EXIT = "TRANSLATOR_APP_STARTUP_EXIT"  # "1": close the window after the first translation (+ settle time)
ENV_NO_PRELOAD = "TRANSLATOR_APP_NO_PRELOAD"  # "1": no background dlopen of libtorch (for comparisons)

logger = logging.getLogger(__name__)


# ---- when did this process start? ------------------------------------------------------------


def process_start_time() -> tuple[float, str]:
    """``time.time()`` at which this process was launched, and where that came from."""
    launched = os.environ.get(ENV_LAUNCH)
    if launched:
        try:
            return float(launched), "env"
        except ValueError:
            pass
    try:  # Linux: start time in clock ticks since boot (field 22), against the uptime now
        stat = Path("/proc/self/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        age = uptime - ticks / os.sysconf("SC_CLK_TCK")
        return time.time() - max(0.0, age), "proc"
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time(), "main"


class StartupLog:
    """Named time stamps of one start; a no-op unless ``TRANSLATOR_APP_STARTUP_LOG`` is set."""

    def __init__(self, path: str | None = None):
        self.path = Path(path) if path else None
        self.launch, self.source = process_start_time() if self.path else (time.time(), "main")
        self.marks: dict[str, float] = {}
        self.info: dict[str, Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> StartupLog:
        return cls(os.environ.get(ENV_LOG) or None)

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def mark(self, name: str) -> None:
        """Record the first time ``name`` happens (thread-safe)."""
        if self.path is None:
            return
        now = time.time()
        with self._lock:
            self.marks.setdefault(name, round(now - self.launch, 4))

    def note(self, **info: Any) -> None:
        if self.path is not None:
            with self._lock:
                self.info.update(info)

    def write(self) -> None:
        if self.path is None:
            return
        with self._lock:
            data = {
                "launch_source": self.source,
                "launch": self.launch,
                "pid": os.getpid(),
                "frozen": bool(getattr(sys, "frozen", False)),
                "marks": dict(self.marks),
                **self.info,
            }
        try:
            from translator_app.core.folders.runfolder import atomic_write_text  # stdlib only: no torch, no Qt

            atomic_write_text(self.path, json.dumps(data, indent=2))
        except OSError as exc:
            logger.warning("cannot write the start-up log %s: %s", self.path, exc)


# ---- libtorch, loaded without the GIL ------------------------------------------------------------

_preload: dict[str, Any] = {"thread": None, "seconds": None, "error": None}


def _torch_lib_dir() -> Path | None:
    import importlib.util

    try:
        spec = importlib.util.find_spec("torch")  # locates torch without importing it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "lib"
    return folder if folder.is_dir() else None


def _dlopen_without_gil(paths: list[Path]) -> None:
    import ctypes

    libc = ctypes.CDLL(None)  # a foreign function call through ctypes.CDLL releases the GIL
    try:
        dlopen = libc.dlopen
    except AttributeError:  # glibc < 2.34 keeps dlopen in libdl
        dlopen = ctypes.CDLL("libdl.so.2").dlopen
    dlopen.restype = ctypes.c_void_p
    dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    # RTLD_NOW | RTLD_LOCAL: the flags `import torch._C` loads these with (sys.getdlopenflags())
    mode = getattr(os, "RTLD_NOW", 2) | getattr(os, "RTLD_LOCAL", 0)
    for path in paths:
        if not dlopen(os.fsencode(path), mode):
            raise OSError(f"dlopen({path}) failed")


def preload_torch_libraries() -> threading.Thread | None:
    """Start loading ``libtorch_cpu.so`` (Linux) in a daemon thread; None when not applicable."""
    if _preload["thread"] is not None:
        return _preload["thread"]
    if not sys.platform.startswith("linux") or os.environ.get(ENV_NO_PRELOAD) == "1" or "torch" in sys.modules:
        return None
    folder = _torch_lib_dir()
    libs = [folder / name for name in ("libc10.so", "libtorch_cpu.so")] if folder else []
    if not libs or not all(p.is_file() for p in libs):
        return None

    def run() -> None:
        start = time.perf_counter()
        try:
            _dlopen_without_gil(libs)
        except Exception as exc:  # noqa: BLE001 - only an optimisation: import torch loads them anyway
            _preload["error"] = f"{type(exc).__name__}: {exc}"
            logger.debug("preloading libtorch failed: %s", exc)
        _preload["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=run, name="libtorch-preload", daemon=True)
    _preload["thread"] = thread
    thread.start()
    return thread


def wait_for_preload(timeout: float | None = 30.0) -> float | None:
    """Block (GIL released) until the preload thread is done; its duration in seconds."""
    thread = _preload["thread"]
    if thread is not None:
        thread.join(timeout)
    return _preload["seconds"]


# ---- the garbage collector during big imports ----------------------------------------------------

_gc = {"lock": threading.Lock(), "depth": 0, "was_enabled": True}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection inside the block (any thread; nestable); then ``gc.freeze()``.

    Importing torch (and, later, what Adam pulls in) creates millions of objects; each full
    collection they trigger walks all of them with the GIL held: 90–110 ms pauses of the
    window, measured while torch loaded in a worker.  Paused, the imports are also faster, and
    ``gc.freeze()`` moves what they created to the permanent generation so that later
    collections never walk it again (module-level objects live as long as the process anyway)."""
    with _gc["lock"]:
        if _gc["depth"] == 0:
            _gc["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc["depth"] += 1
    try:
        yield
    finally:
        with _gc["lock"]:
            _gc["depth"] -= 1
            if _gc["depth"] == 0:
                gc.freeze()
                if _gc["was_enabled"]:
                    gc.enable()


# ---- what the worker threads run ---------------------------------------------------------------


def load_translator(path: str) -> Any:
    """Load the model in ``path`` for the translation worker (runs in that worker's thread):
    waits (GIL released) for the libtorch preload, then imports torch and loads the model
    (:meth:`translator_app.core.translation.translator.Translator.load`) with the garbage collector paused."""
    waited = time.perf_counter()
    wait_for_preload()
    waited = time.perf_counter() - waited
    start = time.perf_counter()
    with gc_paused():
        from translator_app.core.translation.translator import Translator

        translator = Translator.load(path)
    logger.info(
        "model %s ready in %.2f s (waited %.2f s for libtorch; its dlopen took %s s)",
        path,
        time.perf_counter() - start,
        waited,
        f"{_preload['seconds']:.2f}" if _preload["seconds"] is not None else "-",
    )
    return translator


def prepare_training() -> float:
    """Construct Adam once (imports torch.optim and the ~800 modules its first use pulls in:
    torch._dynamo, sympy, ...) with the garbage collector paused; seconds taken."""
    start = time.perf_counter()
    with gc_paused():
        import torch

        torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    seconds = time.perf_counter() - start
    logger.info("training prepared in %.2f s", seconds)
    return seconds


def prepare_training_in_background() -> threading.Thread:
    """:func:`prepare_training` in a daemon thread (the desktop app, after the first model load)."""

    def run() -> None:
        try:
            prepare_training()
        except Exception:
            logger.warning("preparing training failed", exc_info=True)

    thread = threading.Thread(target=run, name="prepare-training", daemon=True)
    thread.start()
    return thread
