#!/usr/bin/env bash
# Per-user install of the extracted translator-app bundle (Linux); no root needed.
#
#   tar xzf translator-app-<version>-linux-x86_64.tar.gz
#   translator-app/install.sh              # install or update
#   translator-app/install.sh --uninstall  # remove (your trained/imported models are kept)
#
# Places (PREFIX defaults to ~/.local, XDG_DATA_HOME to ~/.local/share):
#   $PREFIX/lib/translator-app/                       the app folder (a copy of this folder)
#   $PREFIX/bin/translator-app                        a link to its executable (the CLI too)
#   $XDG_DATA_HOME/applications/translator-app.desktop
#   $XDG_DATA_HOME/icons/hicolor/*/apps/translator-app.{png,svg}
# User data (models you train or import) lives in ~/.local/share/translator-app/ and is never
# touched by this script.
set -euo pipefail

APP=translator-app
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${PREFIX:-$HOME/.local}"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
DEST="$PREFIX/lib/$APP"
BIN="$PREFIX/bin/$APP"
DESKTOP="$DATA/applications/$APP.desktop"
ICONS="$DATA/icons/hicolor"

refresh_caches() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
}

uninstall() {
    rm -rf "$DEST"
    [ -L "$BIN" ] && rm -f "$BIN"
    rm -f "$DESKTOP"
    rm -f "$ICONS"/*/apps/"$APP".png "$ICONS"/scalable/apps/"$APP".svg
    refresh_caches
    echo "Removed $APP (user data in ${XDG_DATA_HOME:-$HOME/.local/share}/$APP was kept)."
}

case "${1:-}" in
    --uninstall|-u) uninstall; exit 0 ;;
    --help|-h) sed -n '2,15p' "$0"; exit 0 ;;
    "") ;;
    *) echo "usage: $0 [--uninstall]" >&2; exit 2 ;;
esac

if [ ! -x "$SRC/$APP" ] || [ ! -d "$SRC/_internal" ]; then
    echo "install.sh: run the copy inside the extracted bundle (next to the '$APP' executable)" >&2
    exit 1
fi

mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$DATA/applications"
if [ "$SRC" != "$DEST" ]; then
    # copy beside the old install, then swap, so a failed copy leaves the old version working
    tmp="$(mktemp -d "$PREFIX/lib/.$APP.XXXXXX")"
    cp -a "$SRC/." "$tmp/"
    rm -rf "$DEST.old"
    [ -e "$DEST" ] && mv "$DEST" "$DEST.old"
    mv "$tmp" "$DEST"
    rm -rf "$DEST.old"
fi
ln -sfn "$DEST/$APP" "$BIN"

res="$DEST/_internal/resources"
for png in "$res"/icons/"$APP"-*.png; do
    [ -e "$png" ] || continue
    size="${png##*-}"; size="${size%.png}"
    mkdir -p "$ICONS/${size}x${size}/apps"
    cp "$png" "$ICONS/${size}x${size}/apps/$APP.png"
done
if [ -f "$res/$APP.svg" ]; then
    mkdir -p "$ICONS/scalable/apps"
    cp "$res/$APP.svg" "$ICONS/scalable/apps/$APP.svg"
fi

# absolute Exec/TryExec: ~/.local/bin is not always on the PATH of the desktop session
sed -e "s|^Exec=.*|Exec=\"$DEST/$APP\"|" -e "s|^TryExec=.*|TryExec=$DEST/$APP|" \
    "$DEST/$APP.desktop" > "$DESKTOP"
chmod 644 "$DESKTOP"
refresh_caches

echo "Installed $APP into $DEST"
echo "  menu entry: $DESKTOP"
echo "  command:    $BIN  (try: $APP --self-test)"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "  note: $PREFIX/bin is not on your PATH" ;; esac
