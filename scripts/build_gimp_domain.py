#!/usr/bin/env python3
"""Build the GIMP help domain used to measure fine-tuning (issue 15).

    python scripts/build_gimp_domain.py [--out data/gimp] [--train-pairs 4000] [--test-pairs 500]

Fetches Debian's ``gimp-help-en`` and ``gimp-help-es`` (``apt-get download`` into data/debs/,
``dpkg-deb -x`` into data/pkgs/, with scripts/corpus/debian.py), pairs the HTML help pages by file
name, and within a page pairs the text blocks (paragraphs, headings, list and table text) by
position, section by section, where both sides have the same sequence of block tags (else the
section is skipped and counted). The pairs are cleaned and filtered like the broad corpus
(scripts/corpus/clean.py: sentence split with pysbd, untranslated, length ratio, language id...),
deduplicated by English string, and split by *page*: a seeded choice of whole pages gives the
test set (``--test-pairs`` pairs of 3-60 English words, at most 40 per page, no bibliography or
glossary pages), the other pages the training set (a seeded
sample of ``--train-pairs``); a training pair whose English or Spanish side occurs in the test set,
in benchmarks/dev/*.tsv or in models/en-es/test.tsv is dropped. Writes

    OUT/train.en-es.tsv   English<TAB>Spanish, shuffled
    OUT/test.en-es.tsv    the held-out pages' pairs
    OUT/manifest.json     package versions, licence, counts, sha256s

The GIMP domain stays out of the broad corpus (build_corpus.py skips GIMP) and its test set is
not written under benchmarks/dev/ (which feeds the broad corpus's exclusion logic). Same package
versions -> same bytes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_corpus import held_out_keys, key, sha256, write_tsv
from corpus import clean, debian

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gimp-help-en", "gimp-help-es")
SEED = 15
TEST_MIN_WORDS = 3
TEST_MAX_WORDS = 60
TEST_PER_PAGE = 40  # so that the test set spans many pages
NOT_FOR_TEST = ("bibliography", "glossary", "apcs", "gimp-help-", "index")  # lists of names and titles
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "td", "th", "caption", "li")
_SECTIONS = (
    "sect1",
    "sect2",
    "sect3",
    "sect4",
    "section",
    "simplesect",
    "refentry",
    "refsect1",
    "refsect2",
    "chapter",
    "appendix",
    "preface",
    "part",
    "book",
    "glossary",
    "glossdiv",
)
_DROP = (
    "//pre | //script | //style | //div[contains(@class,'toc')] | //div[@class='navheader']"
    " | //div[@class='navfooter'] | //div[contains(@class,'mediaobject')]"
)


def help_dir(root: Path, lang: str) -> Path:
    found = sorted(root.glob(f"usr/share/gimp/*/help/{lang}"))
    if not found:
        raise SystemExit(f"no usr/share/gimp/*/help/{lang} in {root}")
    return found[-1]


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """(section number, tag, text) of the text blocks of a DocBook HTML help page, in document order.
    A block inside another block (a paragraph in a list item or a table cell) is taken alone."""
    from lxml import html as lhtml

    root = lhtml.parse(str(path)).getroot()
    for bad in root.xpath(_DROP):
        if bad.getparent() is not None:
            bad.drop_tree()
    body = root.find("body")
    if body is None:
        return []
    # sections are keyed by their position: the generated ids (idm12345) differ between languages
    section_xpath = "|".join(f".//div[contains(concat(' ', @class, ' '), ' {c} ')]" for c in _SECTIONS)
    ordinal = {sec: str(i) for i, sec in enumerate(body.xpath(section_xpath))}
    out = []
    for el in body.iter(*_BLOCKS):
        if any(inner is not el for inner in el.iter(*_BLOCKS)):
            continue  # the inner blocks are taken instead
        sid = next((ordinal[a] for a in el.iterancestors("div") if a in ordinal), "")
        text = " ".join(el.text_content().split())
        if text:
            out.append((sid, el.tag, text))
    return out


def page_items(en_page: Path, es_page: Path, stats: Counter) -> list[tuple[str, str, str]]:
    """The raw ("para", english, spanish) items of one page pair."""
    a, b = blocks(en_page), blocks(es_page)
    secs_a: dict[str, list[tuple[str, str]]] = {}
    secs_b: dict[str, list[tuple[str, str]]] = {}
    for sid, tag, text in a:
        secs_a.setdefault(sid, []).append((tag, text))
    for sid, tag, text in b:
        secs_b.setdefault(sid, []).append((tag, text))
    items = []
    for sid, x in secs_a.items():  # document order
        y = secs_b.get(sid, [])
        if [t for t, _ in x] != [t for t, _ in y]:
            stats["sections_skipped"] += 1
            continue
        stats["sections_aligned"] += 1
        items += [("para", ta, tb) for (_, ta), (_, tb) in zip(x, y)]
    return items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "data/gimp")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="where debs/ and pkgs/ go")
    ap.add_argument("--train-pairs", type=int, default=4000)
    ap.add_argument("--test-pairs", type=int, default=500)
    ap.add_argument("--max-pages", type=int, default=0, help="read only the first N pages (smoke test)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.time()
    metas = [debian.fetch(pkg, args.data / "debs", args.data / "pkgs") for pkg in PACKAGES]
    en_dir, es_dir = help_dir(metas[0]["root"], "en"), help_dir(metas[1]["root"], "es")
    stats: Counter = Counter()
    pages = sorted(p.relative_to(en_dir) for p in en_dir.rglob("*.html"))
    if args.max_pages:
        pages = pages[: args.max_pages]
    per_page: dict[str, list[tuple[str, str]]] = {}
    dropped: Counter = Counter()
    seen: set[str] = set()
    with mp.get_context("fork").Pool(args.jobs) as pool:
        for rel in pages:
            other = es_dir / rel
            if not other.exists():
                stats["pages_without_spanish"] += 1
                continue
            stats["pages"] += 1
            kept = []
            for pairs, reasons, _n in pool.imap(clean.process, page_items(en_dir / rel, other, stats), chunksize=32):
                dropped.update(reasons)
                for en, es in pairs:
                    if key(en) in seen:
                        dropped["duplicate_english"] += 1
                        continue
                    seen.add(key(en))
                    kept.append((en, es))
            if kept:
                per_page[str(rel)] = kept
    print(
        f"{stats['pages']} pages, {sum(map(len, per_page.values()))} clean pairs "
        f"({', '.join(f'{k} {v}' for k, v in sorted(dropped.items()))}); "
        f"sections aligned {stats['sections_aligned']}, skipped {stats['sections_skipped']}",
        flush=True,
    )

    # the test set: whole pages, in a seeded order, until there are enough sentence-like pairs
    order = sorted(per_page)
    random.Random(SEED).shuffle(order)
    test: list[tuple[str, str]] = []
    test_pages: list[str] = []
    for page in order:
        if len(test) >= args.test_pairs:
            break
        if page.startswith(NOT_FOR_TEST):
            continue
        usable = [p for p in per_page[page] if TEST_MIN_WORDS <= len(p[0].split()) <= TEST_MAX_WORDS]
        usable = usable[:TEST_PER_PAGE]
        if usable:
            test += usable
            test_pages.append(page)
    test = test[: args.test_pairs]
    held, held_files = held_out_keys(sorted((ROOT / "benchmarks/dev").glob("*.tsv")) + [ROOT / "models/en-es/test.tsv"])
    held |= {key(s) for pair in test for s in pair}
    pool_pairs = []
    for page in sorted(set(per_page) - set(test_pages)):
        for en, es in per_page[page]:
            if key(en) in held or key(es) in held:
                dropped["held_out"] += 1
            else:
                pool_pairs.append((en, es))
    rng = random.Random(SEED + 1)
    train = rng.sample(pool_pairs, min(args.train_pairs, len(pool_pairs)))
    out = args.out
    write_tsv(out / "train.en-es.tsv", train)
    write_tsv(out / "test.en-es.tsv", test)
    manifest = {
        "packages": [{k: m[k] for k in ("package", "version", "licence", "deb")} for m in metas],
        "pages": stats["pages"],
        "pages_without_spanish": stats["pages_without_spanish"],
        "sections_aligned": stats["sections_aligned"],
        "sections_skipped": stats["sections_skipped"],
        "clean_pairs": sum(map(len, per_page.values())),
        "train_pool": len(pool_pairs),
        "dropped": dict(sorted(dropped.items())),
        "held_out_files": held_files,
        "seed": SEED,
        "train": {
            "path": str((out / "train.en-es.tsv").relative_to(ROOT))
            if out.is_relative_to(ROOT)
            else str(out / "train.en-es.tsv"),
            "pairs": len(train),
            "sha256": sha256(out / "train.en-es.tsv"),
        },
        "test": {"pairs": len(test), "pages": len(test_pages), "sha256": sha256(out / "test.en-es.tsv")},
        "test_pages": test_pages,
        "build_seconds": round(time.time() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
    print(
        f"wrote {out}/train.en-es.tsv ({len(train)} pairs from {len(per_page) - len(test_pages)} pages, pool "
        f"{len(pool_pairs)}) and test.en-es.tsv ({len(test)} pairs from {len(test_pages)} pages) in "
        f"{manifest['build_seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
