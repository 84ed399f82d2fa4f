"""Issue 17: a missing system library of Qt's platform plugin gives a clear message and exit 1."""

from __future__ import annotations

import sys

import pytest

from translator_app import qtcheck

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb/wayland plugins are Linux's")


def _without(*missing: str):
    return lambda soname: soname not in missing


@linux_only
@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, []),  # no display at all: nothing of ours to check
        ({"DISPLAY": ":0"}, ["xcb"]),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, ["xcb"]),
        ({"QT_QPA_PLATFORM": "xcb"}, ["xcb"]),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, ["wayland", "xcb"]),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ["wayland"]),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, ["wayland"]),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, []),
        ({"QT_QPA_PLATFORM": "minimal"}, []),
    ],
)
def test_the_platform_qt_will_use(env, expected):
    assert qtcheck.platforms(env) == expected


@linux_only
def test_missing_xcb_cursor_names_the_packages_for_debian_and_fedora():
    missing = qtcheck.check({"DISPLAY": ":0"}, finder=_without("libxcb-cursor.so.0", "libxkbcommon-x11.so.0"))
    assert missing and missing.platform == "xcb"
    assert missing.libraries == ("libxcb-cursor.so.0", "libxkbcommon-x11.so.0")
    text = qtcheck.message(missing)
    assert "apt-get install libxcb-cursor0 libxkbcommon-x11-0" in text
    assert "dnf install xcb-util-cursor libxkbcommon-x11" in text
    assert "libxcb-cursor.so.0" in text and '"xcb"' in text


@linux_only
def test_everything_installed_or_another_platform_is_fine():
    assert not qtcheck.check({"DISPLAY": ":0"}, finder=_without())
    assert not qtcheck.check({"QT_QPA_PLATFORM": "offscreen"}, finder=_without("libxcb-cursor.so.0"))
    assert not qtcheck.check({}, finder=_without("libxcb-cursor.so.0"))
    # a Wayland session without the wayland libraries still works through XWayland (Qt falls back)
    assert not qtcheck.check({"DISPLAY": ":0", "WAYLAND_DISPLAY": "w"}, finder=_without("libwayland-client.so.0"))


@linux_only
def test_wayland_without_a_fallback_reports_the_wayland_packages():
    missing = qtcheck.check(
        {"WAYLAND_DISPLAY": "wayland-0"}, finder=_without("libwayland-client.so.0", "libwayland-cursor.so.0")
    )
    assert missing.platform == "wayland"
    text = qtcheck.message(missing)
    assert "apt-get install libwayland-client0 libwayland-cursor0" in text
    assert "dnf install libwayland-client libwayland-cursor" in text
    both = qtcheck.check(
        {"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}, finder=_without("libwayland-cursor.so.0", "libxcb-icccm.so.4")
    )
    assert both.platform == "wayland" and "libxcb-icccm.so.4" in both.alternatives["xcb"]
    assert "libxcb-icccm4" in qtcheck.message(both)


@linux_only
def test_a_missing_base_library_is_reported_once_per_package():
    missing = qtcheck.check({"DISPLAY": ":0"}, finder=_without("libglib-2.0.so.0", "libgthread-2.0.so.0"))
    assert missing.packages(0) == ["libglib2.0-0"] and missing.packages(1) == ["glib2"]


@linux_only
def test_app_main_prints_the_message_and_exits_1_before_creating_the_qapplication(monkeypatch, capsys):
    from translator_app import app

    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(qtcheck, "_loadable", lambda soname, dirs=(): soname != "libxcb-cursor.so.0")

    def no_qt(*_a, **_k):
        raise AssertionError("the QApplication must not be created")

    monkeypatch.setattr(app, "make_application", no_qt)
    assert app.main(["translator-app-gui"], configure_logging=False) == 1
    err = capsys.readouterr().err
    assert "libxcb-cursor.so.0" in err
    assert "sudo apt-get install libxcb-cursor0" in err and "sudo dnf install xcb-util-cursor" in err


@linux_only
def test_the_real_check_runs_quickly_on_this_machine():
    import time

    start = time.perf_counter()
    result = qtcheck.check({"DISPLAY": ":0"})  # whatever this machine has installed
    assert isinstance(result, qtcheck.Missing)
    assert time.perf_counter() - start < 2.0
    if result:
        assert qtcheck.message(result).startswith("translator-app: cannot start the window")
