"""The corpus sources, in build order (earlier sources win deduplication and the per-English cap)."""

from __future__ import annotations

from pathlib import Path

from . import cldr, desktop_help, docbook_html, general_prose, kde_help, manpages, sources

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


# packages whose yelp help (usr/share/help/C and usr/share/help/es) is translated into Spanish:
# GNOME's and MATE's user guides and the help of their applications and games
HELP_PACKAGES = """
gnome-user-docs mate-user-guide accerciser aisleriot atril-common baobab brasero-common cheese-common
easytag engrampa-common eog eom-common evince-common evolution-common file-roller five-or-more
four-in-a-row gedit-common ghex glade gnome-2048 gnome-boxes gnome-calculator gnome-chess gnome-clocks
gnome-dictionary gnome-klotski gnome-logs gnome-mahjongg gnome-mines gnome-nibbles gnome-robots
gnome-sudoku gnome-system-monitor gnome-terminal-data gnome-tetravex gtranslator gucharmap hitori iagno
lightsoff mate-calc-common mate-system-monitor-common mate-terminal-common mate-utils-common meld orca
pitivi pluma-common polari quadrapassel rhythmbox-data seahorse shotwell-common simple-scan sound-juicer
swell-foop tali totem-common
""".split()

# KDE applications whose handbook (usr/share/doc/HTML/en and es) is translated into Spanish; those
# with fewer than 50 aligned blocks are left out (artikulate, blinken, dragonplayer, elisa, kamoso,
# kcharselect, kruler, ksystemlog, kteatime, ktimer, kwrite, sweeper; kdeconnect's Spanish handbook
# is under another folder name)
KDE_PACKAGES = """
akregator ark bovo cantor dolphin filelight granatier gwenview juk kalarm kanagram kapman katomic
kbackup kblackbox kblocks kbounce kbreakout kbruch kcalc kde-spectacle kdf kdiamond kfind
kfourinline kget kgoldrunner kgpg khangman khelpcenter kig kigo killbots kinfocenter kiriki
kjumpingcube kleopatra klickety klines kmag kmahjongg kmail kmines kmix kmousetool kmouth kmplot
knavalbattle knetwalk knotes kolf kollision kolourpaint kompare konquest kontact korganizer kpat
krdc kreversi krfb kshisen ksirk ksnakeduel kspaceduel ksquares ksudoku kturtle kubrick
kwalletmanager kwordquiz lokalize okteta okular partitionmanager picmi plasma-desktop-data rocs step
systemsettings
""".split()

# manpages-l10n's Spanish pages (and apt's, dpkg's and debconf's own) and the packages that ship
# their English originals
MAN_PACKAGES = """
manpages-es apt dpkg debconf-i18n debconf manpages coreutils bash grep gzip diffutils make binutils-common util-linux bsdutils
bsdextrautils mount bzip2 bc at kbd net-tools mtools psutils procmail logrotate acct time hostname gpm
libpam-runtime
""".split()

# DocBook HTML manuals: name -> (English page or dir, Spanish page or dir, English glob, Spanish name rule)
_DOC = "usr/share/doc"
MANUALS = {
    "installation-guide": (
        f"{_DOC}/installation-guide-amd64/en",
        f"{_DOC}/installation-guide-amd64/es",
        "*.html",
        None,
    ),
    "debian-handbook": (f"{_DOC}/debian-handbook/html/en-US", f"{_DOC}/debian-handbook/html/es-ES", "*.html", None),
    "maint-guide": (
        f"{_DOC}/maint-guide/html",
        f"{_DOC}/maint-guide-es/html",
        "*.en.html",
        lambda name: name.replace(".en.html", ".es.html"),
    ),
    "aptitude-manual": (f"{_DOC}/aptitude/html/en", f"{_DOC}/aptitude/html/es", "*.html", None),
    "debian-edu-manual": (
        f"{_DOC}/debian-edu-doc-en/debian-edu-bookworm-manual.html",
        f"{_DOC}/debian-edu-doc-es/debian-edu-bookworm-manual.html",
        "",
        None,
    ),
}
MANUAL_PACKAGES = [
    "installation-guide-amd64",
    "debian-handbook",
    "maint-guide",
    "maint-guide-es",
    "aptitude-doc-en",
    "aptitude-doc-es",
    "debian-edu-doc-en",
    "debian-edu-doc-es",
]


# Battle for Wesnoth 1.16: the data package (unit descriptions, help, tutorial, multiplayer maps)
# and the campaigns (narration and dialogue)
WESNOTH_PACKAGES = ["wesnoth-1.16-data"] + [
    f"wesnoth-1.16-{c}" for c in "did dm dw ei httt l low nr sof sota sotbe thot trow tsg ttb utbs".split()
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
    "debian-manuals": {
        "packages": MANUAL_PACKAGES,
        "licence": "GPL-2+ (the handbook: GPL-2+ or CC-BY-SA-3.0; per package, see packages[].licence)",
        "domain": "debian-manuals",
        "read": lambda roots, stats, args: docbook_html.manuals(roots, MANUALS, stats),
    },
    "desktop-help": {
        "packages": HELP_PACKAGES,
        "optional": True,
        "licence": "CC-BY-SA-3.0/4.0, GFDL-1.1+, GPL-2+/3+, LGPL (per package, see packages[].licence)",
        "domain": "desktop-help",
        "read": lambda roots, stats, args: desktop_help.help_pairs(roots, stats),
    },
    "kde-help": {
        "packages": KDE_PACKAGES,
        "optional": True,
        "licence": "GFDL-1.2+ (KDE documentation; per package, see packages[].licence)",
        "domain": "kde-help",
        "read": lambda roots, stats, args: kde_help.handbook_pairs(roots, stats),
    },
    "manpages": {
        "packages": MAN_PACKAGES,
        "optional": True,
        "licence": "GPL-3+ (manpages-l10n translations); English pages: per package, see packages[].licence",
        "domain": "manpages",
        "read": lambda roots, stats, args: manpages.man_pairs(roots, stats),
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
    "freedict-spa-eng": {
        "packages": ["dict-freedict-spa-eng"],
        "licence": "GPL-3+ (FreeDict spa-eng 0.3.1; see packages[].licence)",
        "dictionary": True,
        # Spanish headword -> its first English translation, written English first
        "read": lambda roots, stats, args: (
            (kind, en, es) for kind, es, en in sources.freedict(roots[0], "freedict-spa-eng", stats)
        ),
    },
    "cldr": {
        "licence": "Unicode-3.0 (CLDR data, via Babel: BSD-3-Clause)",
        "dictionary": True,
        "read": lambda roots, stats, args: cldr.cldr_names(stats),
    },
    # general-domain prose (issue #28), after every earlier source so that the earlier sources keep
    # their pairs; the four encyclopedic ones share one dev set (build_corpus.py pools a domain)
    "freeciv": {
        "packages": ["freeciv-data"],
        "licence": "GPL-2+",
        "domain": "encyclopedic",
        "read": lambda roots, stats, args: general_prose.freeciv(roots[0], stats),
    },
    "stellarium": {
        "packages": ["stellarium-data"],
        "licence": "GPL-2+",
        "domain": "encyclopedic",
        "read": lambda roots, stats, args: general_prose.stellarium_strings(roots[0], stats),
    },
    "debian-history": {
        "packages": ["debian-history"],
        "licence": "GPL-2+",
        "domain": "encyclopedic",
        "read": lambda roots, stats, args: general_prose.debian_history(roots[0], stats),
    },
    "kalzium": {
        "packages": ["kalzium-data"],
        "licence": "GPL-2+ (kalzium-data: GPL-2.0-or-later; see packages[].licence)",
        "domain": "encyclopedic",
        "read": lambda roots, stats, args: general_prose.kalzium(roots[0], stats),
    },
    "wesnoth": {
        "packages": WESNOTH_PACKAGES,
        "licence": "GPL-2+",
        # literary fantasy narration and dialogue, Peninsular Spanish with vosotros / vos: a source and
        # a dev set of its own, so that training can weight it
        "domain": "wesnoth",
        "read": lambda roots, stats, args: general_prose.wesnoth(roots, stats),
    },
    "stellarium-descriptions": {
        "packages": ["stellarium-data"],
        "licence": "GPL-2+",
        "domain": "encyclopedic",
        # off by default: the Spanish sky-culture descriptions show machine translation ("calfpack" ->
        # "paquete de pantorrillas", "星 官", "y / o", footnote marks moved after the stop)
        "default": False,
        "read": lambda roots, stats, args: general_prose.stellarium_descriptions(roots[0], stats),
    },
}
