#!/usr/bin/env bash
# Build the desktop app with PyInstaller (onedir) and pack it:
#   dist/translator-app/                                 the app folder (run ./translator-app)
#   dist/translator-app-<version>-linux-x86_64.tar.gz    that folder as a tarball
#
# Usage (from anywhere; `make package` runs it with .venv/bin on PATH):
#   bash packaging/build.sh
# Environment:
#   DIST_DIR=dir        output folder (default: dist)
#   BUILD_DIR=dir       PyInstaller work folder (default: build/pyinstaller)
#   FAST=1              reuse the previous analysis (no --clean): quicker, for iterating on the spec
#   NO_TARBALL=1        skip the tarball
#   SKIP_SMOKE=1        skip the post-build smoke test (--version and --self-test of the frozen app)
#   TRANSLATOR_APP_BUNDLE_MODELS=dir   bundle dir instead of models/ (must hold en-es/)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DIST_DIR="${DIST_DIR:-dist}"
BUILD_DIR="${BUILD_DIR:-build/pyinstaller}"
APP=translator-app

if command -v pyinstaller >/dev/null 2>&1; then
    PYINSTALLER=(pyinstaller)
    PYTHON="$(dirname "$(command -v pyinstaller)")/python"
elif [ -x .venv/bin/pyinstaller ]; then
    PYINSTALLER=(.venv/bin/pyinstaller)
    PYTHON=.venv/bin/python
else
    echo "build.sh: pyinstaller not found (run 'make package', or pip install -e '.[package]')" >&2
    exit 2
fi
[ -x "$PYTHON" ] || PYTHON=python3

VERSION="$("$PYTHON" -c 'import translator_app; print(translator_app.__version__)')"
case "$(uname -s)" in
    Linux) OS=linux ;;
    Darwin) OS=macos ;;
    *) OS="$(uname -s | tr '[:upper:]' '[:lower:]')" ;;
esac
ARCH="$(uname -m)"
TARBALL="$DIST_DIR/$APP-$VERSION-$OS-$ARCH.tar.gz"
MODELS_DIR="${TRANSLATOR_APP_BUNDLE_MODELS:-$ROOT/models}"

echo "== translator-app $VERSION: PyInstaller $("${PYINSTALLER[@]}" --version), $OS-$ARCH"
echo "== models bundled from $MODELS_DIR"
if [ ! -f "$MODELS_DIR/en-es/config.json" ]; then
    echo "WARNING: $MODELS_DIR/en-es is missing: the app will have no default model" >&2
fi

CLEAN=(--clean)
[ -n "${FAST:-}" ] && CLEAN=()

t0=$(date +%s)
"${PYINSTALLER[@]}" --noconfirm "${CLEAN[@]}" --log-level "${PYI_LOG_LEVEL:-WARN}" \
    --distpath "$DIST_DIR" --workpath "$BUILD_DIR" packaging/translator_app.spec
t1=$(date +%s)

OUT="$DIST_DIR/$APP"
# Desktop integration files beside the executable (the tarball's top level).
cp resources/install.sh resources/translator-app.desktop resources/INSTALL.md "$OUT/"
cp resources/translator-app.png resources/translator-app.svg "$OUT/"
chmod +x "$OUT/install.sh"
# Files keep their source modes (model files are written 0600): make everything world-readable,
# so an install by root (e.g. into /opt) works for every user.
chmod -R u+rwX,go+rX,go-w "$OUT"

# Every ELF file of the bundle must find its libraries inside the bundle or on the system.
if [ "$OS" = linux ] && command -v ldd >/dev/null 2>&1; then
    missing="$(cd "$OUT/_internal" && find . -name '*.so*' -type f -print0 \
        | LD_LIBRARY_PATH="$PWD:$PWD/PySide6/Qt/lib:$PWD/torch/lib" xargs -0 -n 50 ldd 2>/dev/null \
        | grep 'not found' | sort -u || true)"
    if [ -n "$missing" ]; then
        echo "note: libraries not found on this machine, hence not bundled; the user's system provides"
        echo "      them (only the Qt plugins that use them, e.g. Wayland's, depend on them):"
        echo "$missing" | sed -e 's/^[[:space:]]*/      /'
    fi
fi

if [ -z "${SKIP_SMOKE:-}" ]; then
    echo "== smoke test"
    "$OUT/$APP" --version
    if [ -f "$MODELS_DIR/en-es/config.json" ]; then
        TRANSLATOR_APP_HOME="$(mktemp -d)" "$OUT/$APP" --self-test
    fi
fi

t2=$(date +%s)
if [ -z "${NO_TARBALL:-}" ]; then
    rm -f "$TARBALL"
    if command -v pigz >/dev/null 2>&1; then GZIP_CMD=(pigz -6); else GZIP_CMD=(gzip -6); fi
    tar -C "$DIST_DIR" --owner=0 --group=0 --numeric-owner -cf - "$APP" | "${GZIP_CMD[@]}" > "$TARBALL.part"
    mv "$TARBALL.part" "$TARBALL"
fi
t3=$(date +%s)

echo "== done"
echo "PyInstaller build time: $((t1 - t0)) s   tarball: $((t3 - t2)) s   total: $((t3 - t0)) s"
echo "bundle:  $(du -sh "$OUT" | cut -f1)  $OUT  ($(find "$OUT" -type f | wc -l) files)"
[ -f "$TARBALL" ] && echo "tarball: $(du -sh "$TARBALL" | cut -f1)  $TARBALL"
exit 0
