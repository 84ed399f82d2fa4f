"""Before Qt starts: are the system libraries its Linux platform plugin needs installed?

Without them Qt prints "Could not load the Qt platform plugin "xcb" ... This application
failed to start because no Qt platform plugin could be initialized" and aborts, which tells a
user nothing about what to install.  :func:`check` looks for the libraries first (``dlopen``
by soname, the way the plugin will, plus the Qt library folder of the wheel or the frozen
bundle) and :func:`message` names the Debian/Ubuntu and Fedora packages that provide the
missing ones.

Only the platform Qt is going to use is checked: ``xcb`` when ``QT_QPA_PLATFORM`` is unset
(or ``xcb``), ``DISPLAY`` is set and ``WAYLAND_DISPLAY`` is not; ``wayland`` when
``QT_QPA_PLATFORM`` asks for it, or is unset on a Wayland session (Qt then falls back to
xcb, so only a platform without a working fallback is reported).  ``offscreen``,
``minimal``, ``vnc``, Windows and macOS are not checked.

Qt-free and cheap (a few ``dlopen`` calls of libraries Qt loads right after anyway); the
``--self-test`` uses it too, to report without opening a window.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package)
BASE_LIBS: dict[str, tuple[str, str]] = {  # what QtGui itself needs on Linux, whatever the platform
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libX11.so.6": ("libx11-6", "libX11"),
}
XCB_LIBS: dict[str, tuple[str, str]] = {  # the xcb platform plugin (libqxcb.so, libQt6XcbQpa.so.6)
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
}
WAYLAND_LIBS: dict[str, tuple[str, str]] = {  # the wayland platform plugin (libqwayland.so)
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
}
PLATFORM_LIBS = {"xcb": XCB_LIBS, "wayland": WAYLAND_LIBS}


@dataclass(frozen=True)
class Missing:
    """The platform Qt will try and the libraries it lacks (empty: nothing to report)."""

    platform: str = ""
    libraries: tuple[str, ...] = ()
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)  # fallback platform -> its missing libs

    def __bool__(self) -> bool:
        return bool(self.libraries)

    def packages(self, distro: int) -> list[str]:
        """Package names for ``distro`` 0 (Debian/Ubuntu) or 1 (Fedora), deduplicated, in order."""
        table = {**BASE_LIBS, **XCB_LIBS, **WAYLAND_LIBS}
        names: list[str] = []
        for lib in self.libraries:
            name = table.get(lib, (lib, lib))[distro]
            if name not in names:
                names.append(name)
        return names


def platforms(env: dict[str, str] | None = None) -> list[str]:
    """The Linux platform plugins Qt will try, in order ([] when none of ours needs checking)."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return []
    asked = env.get("QT_QPA_PLATFORM", "").strip()
    if asked:
        names = [p.split(":", 1)[0].strip().lower() for p in asked.split(";") if p.strip()]
        return [n for n in names if n in PLATFORM_LIBS] if all(n in PLATFORM_LIBS for n in names) else []
    if env.get("WAYLAND_DISPLAY"):  # a Wayland session: Qt tries wayland, then xcb through XWayland
        return ["wayland", "xcb"] if env.get("DISPLAY") else ["wayland"]
    if env.get("DISPLAY"):
        return ["xcb"]
    return []


def _qt_lib_dirs() -> list[Path]:
    """Folders with libraries shipped beside Qt: the frozen bundle, the wheel's Qt/lib."""
    dirs: list[Path] = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs += [Path(frozen), Path(frozen) / "PySide6" / "Qt" / "lib"]
    try:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")  # finds the package without importing it
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                dirs.append(Path(location) / "Qt" / "lib")
    except (ImportError, ValueError):
        pass
    return dirs


def _loadable(soname: str, dirs: Iterable[Path] = ()) -> bool:
    for folder in dirs:
        if (folder / soname).exists():
            return True
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def check(env: dict[str, str] | None = None, *, finder: Callable[[str], bool] | None = None) -> Missing:
    """What is missing for the platform Qt will use; falsy when everything is there.

    ``finder(soname) -> bool`` replaces the ``dlopen`` test (the tests simulate a missing library)."""
    candidates = platforms(env)
    if not candidates:
        return Missing()
    if finder is None:
        dirs = _qt_lib_dirs()

        def finder(soname: str) -> bool:
            return _loadable(soname, dirs)

    base = [lib for lib in BASE_LIBS if not finder(lib)]
    missing = {name: tuple(base + [lib for lib in PLATFORM_LIBS[name] if not finder(lib)]) for name in candidates}
    if any(not libs for libs in missing.values()):
        return Missing()  # the first platform with everything works (Qt falls back to it)
    first = candidates[0]
    return Missing(first, missing[first], {n: libs for n, libs in missing.items() if n != first})


def message(missing: Missing) -> str:
    """The text printed before exiting: what is missing and the commands that install it."""
    lines = [
        f'translator-app: cannot start the window: the Qt "{missing.platform}" platform needs system '
        f"libraries that are not installed: {', '.join(missing.libraries)}.",
        "Install them, then start the app again:",
        f"  Debian/Ubuntu:  sudo apt-get install {' '.join(missing.packages(0))}",
        f"  Fedora:         sudo dnf install {' '.join(missing.packages(1))}",
    ]
    for name, libs in missing.alternatives.items():
        other = Missing(name, libs)
        lines.append(
            f'(Or, for the "{name}" platform: apt-get install {" ".join(other.packages(0))} / '
            f"dnf install {' '.join(other.packages(1))}.)"
        )
    lines.append("The command line (translator-app translate/train/evaluate) works without them.")
    return "\n".join(lines)


def report(env: dict[str, str] | None = None, *, finder: Callable[[str], bool] | None = None, stream=None) -> bool:
    """Print :func:`message` when something is missing; True when the app can go on."""
    missing = check(env, finder=finder)
    if not missing:
        return True
    text = message(missing)
    print(text, file=stream or sys.stderr, flush=True)
    import logging  # INFO: into the log file only, the user has just read the message above

    logging.getLogger(__name__).info("not starting: Qt %s lacks %s", missing.platform, ", ".join(missing.libraries))
    return False
