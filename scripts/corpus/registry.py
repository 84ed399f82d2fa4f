"""The corpus sources, in build order (earlier sources win deduplication and the per-English cap)."""

from __future__ import annotations

from pathlib import Path

from . import sources

DICT_SHARE = 0.10  # dictionaries: at most this share of the final corpus

# Spanish gettext catalogs of command-line tools (English msgids)
GETTEXT_PACKAGES = [
    "coreutils",
    "tar",
    "grep",
    "sed",
    "bash",
    "apt",
    "dpkg",
    "gettext",
    "findutils",
    "diffutils",
    "gzip",
    "wget",
    "cpio",
    "make",
]


# Spanish gettext catalogs of desktop applications and libraries (English msgids)
GUI_PACKAGES = [
    "libgtk-3-common",
    "libglib2.0-data",
    "evince-common",
    "gedit-common",
    "nautilus-data",
    "gnome-control-center-data",
    "gnome-software-common",
    "evolution-common",
    "totem-common",
    "rhythmbox-data",
    "shotwell-common",
    "gnumeric-common",
    "abiword-common",
    "dia-common",
    "inkscape",
    "vlc-l10n",
    "audacity-data",
    "filezilla-common",
    "transmission-common",
    "pidgin-data",
    "hexchat-common",
    "claws-mail-i18n",
    "gnucash-common",
    "gramps",
    "thunar-data",
    "xfce4-panel",
    "synaptic",
    "aptitude-common",
    "lyx-common",
]
# more command-line / system catalogs
GETTEXT_PACKAGES += [
    "git",
    "gnupg-l10n",
    "util-linux-locales",
    "e2fsprogs-l10n",
    "libc-l10n",
    "binutils-common",
    "gcc-12-locales",
    "debconf-i18n",
    "tasksel-data",
]


def _tatoeba(roots, stats, args):
    path = Path(args.tatoeba)
    if not path.exists():
        print(f"  {path} not found: Tatoeba skipped", flush=True)
        return None
    stats["file"] = str(path.name)
    return sources.tsv(path, stats)


SOURCES: dict[str, dict] = {
    "libreoffice-help": {
        "packages": ["libreoffice-help-en-us", "libreoffice-help-es"],
        "licence": "MPL-2.0",
        "domain": "libreoffice-help",
        "read": lambda roots, stats, args: sources.libreoffice_help(roots[0], roots[1], stats),
    },
    "libreoffice-ui": {
        "packages": ["libreoffice-l10n-es"],
        "licence": "MPL-2.0",
        "domain": "libreoffice-ui",
        "read": lambda roots, stats, args: sources.libreoffice_ui(roots[0], stats),
    },
    "gettext-cli": {
        "packages": GETTEXT_PACKAGES,
        "optional": True,
        "licence": "GPL-2+/GPL-3+ (per package, see packages[].licence)",
        "domain": "gettext-cli",
        "read": lambda roots, stats, args: sources.locale_mo(roots, stats),
    },
    "gettext-gui": {
        "packages": GUI_PACKAGES,
        "optional": True,
        "licence": "GPL-2+/GPL-3+/LGPL-2+ (per package, see packages[].licence)",
        "domain": "gettext-gui",
        "read": lambda roots, stats, args: sources.locale_mo(roots, stats, kind="gui"),
    },
    "debian-reference": {
        "packages": ["debian-reference-en", "debian-reference-es"],
        "licence": "GPL-2+",
        "domain": "debian-reference",
        "read": lambda roots, stats, args: sources.debian_reference(roots[0], roots[1], stats),
    },
    "bible": {
        "packages": ["sword-text-kjv", "sword-text-sparv"],
        "licence": "Public domain (KJV 1769; Reina-Valera 1909)",
        "domain": "bible",
        # off by default: 1909 Spanish is archaic and verses are long (28 % of the words for 10 % of
        # the pairs); `--sources ...,bible,...` adds it
        "default": False,
        "read": lambda roots, stats, args: sources.sword_pair(roots[0], roots[1], "engKJV2006eb", "spaRV1909eb", stats),
    },
    "tatoeba": {
        "licence": "CC-BY-2.0-FR (Tatoeba via manythings.org)",
        "read": _tatoeba,
    },
    "freedict": {
        "packages": ["dict-freedict-eng-spa"],
        "licence": "GPL-2+",
        "dictionary": True,
        "read": lambda roots, stats, args: sources.freedict(roots[0], "freedict-eng-spa", stats),
    },
}
