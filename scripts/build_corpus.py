#!/usr/bin/env python3
"""Assemble an English-Spanish parallel corpus from Debian packages (and the shared Tatoeba file).

    python scripts/build_corpus.py [--out data/corpus] [--sources a,b,...] [--jobs 2]

Packages are fetched with ``apt-get download`` into data/debs/ and unpacked with ``dpkg-deb -x``
into data/pkgs/PKG/ (nothing is installed).  Each source is read, cleaned and filtered
(see scripts/corpus/clean.py), a seeded 500-pair dev set is set aside per domain into
benchmarks/dev/<domain>.en-es.tsv (kept if it already exists), every pair whose English or
Spanish side is in any benchmarks/dev/*.tsv or models/en-es/test.tsv is removed, pairs are
deduplicated (at most 3 translations per English string), optionally a source's pairs written
N times (``--repeat tatoeba=3``: it weights them in training), shuffled with a fixed seed and written to OUT/en-es.tsv, with OUT/en-es.sources (the source of each
line, one name a line: ``translator-app train --source-weights`` / ``--source-temperature`` read it) and
OUT/manifest.json.  Same package versions -> same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import clean, debian
from corpus.registry import DICT_SHARE, SOURCES

ROOT = Path(__file__).resolve().parents[1]
SEED = 13
DEV_PAIRS = 500
MAX_PER_ENGLISH = 3


def key(text: str) -> str:
    return " ".join(clean.normalize(text).split()).casefold()


def held_out_columns(rows: list[list[str]]) -> tuple[int, int]:
    """Which two columns hold English and Spanish: 0, 1 for plain ``en<TAB>es[<TAB>extra]`` files;
    1, 2 when the first column is a label (``domain<TAB>en<TAB>es<TAB>...``, as in everyday.en-es.tsv):
    every row has 3+ columns and the first takes few distinct one-word values."""
    if rows and all(len(r) >= 3 for r in rows):
        labels = {r[0] for r in rows}
        if len(labels) <= max(20, len(rows) // 20) and all(" " not in x for x in labels):
            return 1, 2
    return 0, 1


def held_out_keys(paths: list[Path]) -> tuple[set[str], list[str]]:
    keys: set[str] = set()
    used = []
    for p in paths:
        if not p.exists():
            continue
        used.append(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p))
        with open(p, encoding="utf-8", errors="replace") as fh:
            rows = [line.rstrip("\r\n").split("\t") for line in fh]
        a, b = held_out_columns(rows)
        for cols in rows:
            for c in cols[a : b + 1]:
                if c.strip():
                    keys.add(key(c))
    return keys, used


def sample_dev(pairs: list[tuple[str, str]], n: int, seed: int, avoid: set[str] = frozenset()) -> list[tuple[str, str]]:
    """A seeded sample of about n pairs, taking whole groups of one distinct English string
    (groups with a side in ``avoid``, e.g. an already released corpus, are passed over)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for en, es in pairs:
        groups.setdefault(en, []).append((en, es))
    english = sorted(groups)
    random.Random(seed).shuffle(english)
    dev: list[tuple[str, str]] = []
    for en in english:
        if len(dev) >= n:
            break
        if avoid and any(key(a) in avoid or key(b) in avoid for a, b in groups[en]):
            continue
        dev += groups[en]
    return dev


def write_tsv(path: Path, pairs: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for en, es in pairs:
            fh.write(f"{en}\t{es}\n")
    os.replace(tmp, path)


def write_sources(path: Path, names: list[str]) -> None:
    """The sidecar of a TSV: line k names the source of the TSV's line k (core/text/corpus_sources.py)."""
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(f"{name}\n" for name in names)
    os.replace(tmp, path)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_source(name: str, spec: dict, args, pool) -> tuple[list[tuple[str, str]], dict]:
    t0 = time.time()
    info: dict = {"licence": spec["licence"], "packages": [], "domain": spec.get("domain")}
    roots = []
    for pkg in spec.get("packages", []):
        try:
            meta = debian.fetch(pkg, args.data / "debs", args.data / "pkgs")
        except RuntimeError as exc:
            if spec.get("optional"):
                print(f"  skip {pkg}: {exc}", flush=True)
                info.setdefault("missing_packages", []).append(pkg)
                continue
            raise
        roots.append(meta["root"])
        info["packages"].append({k: meta[k] for k in ("package", "version", "licence", "deb")})
    stats: dict = {}
    items = spec["read"](roots, stats, args)
    if items is None:
        return [], {**info, "skipped": "input not available"}
    dropped: Counter = Counter()
    read = considered = 0
    kept: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for pairs, reasons, n in pool.imap(clean.process, items, chunksize=64):
        read += 1
        considered += n
        dropped.update(reasons)
        for p in pairs:
            if p in seen:
                dropped["duplicate"] += 1
            else:
                seen.add(p)
                kept.append(p)
    info.update(stats)
    info["pairs_read"] = read
    info["sentence_pairs"] = considered
    info["pairs_clean"] = len(kept)
    info["dropped"] = dict(sorted(dropped.items()))
    info["seconds"] = round(time.time() - t0, 1)
    print(
        f"  {name}: {read} read, {considered} after splitting, {len(kept)} clean "
        f"({', '.join(f'{k} {v}' for k, v in sorted(dropped.items()))}) in {info['seconds']} s",
        flush=True,
    )
    return kept, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "data/corpus", help="output folder (default data/corpus)")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="where debs/ and pkgs/ go")
    ap.add_argument(
        "--sources",
        default=",".join(n for n, s in SOURCES.items() if s.get("default", True)),
        help=f"comma-separated, in order (known: {', '.join(SOURCES)})",
    )
    ap.add_argument("--tatoeba", type=Path, default=ROOT.parent / "shared/corpora/tatoeba.en-es.tsv")
    ap.add_argument("--dev-dir", type=Path, default=ROOT / "benchmarks/dev")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument(
        "--dev-avoid",
        type=Path,
        action="append",
        default=[],
        help="TSV whose strings new dev sets must not contain (e.g. a corpus already trained on)",
    )
    ap.add_argument(
        "--repeat",
        action="append",
        default=[],
        metavar="SOURCE=N",
        help="write SOURCE's pairs N times (weights it in training; train with --keep-duplicates), "
        "e.g. tatoeba=3 (default: every pair once)",
    )
    ap.add_argument("--force", action="store_true", help="overwrite an output folder that has a READY file")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    if (out / "READY").exists() and not args.force:
        print(f"{out}/READY exists (a training run may be reading it); use --out elsewhere or --force", file=sys.stderr)
        return 2
    t0 = time.time()
    names = [n.strip() for n in args.sources.split(",") if n.strip()]
    for n in names:
        if n not in SOURCES:
            ap.error(f"unknown source {n!r}")
    # --repeat tatoeba=3 writes Tatoeba's short everyday sentences three times: +4.2 BLEU on Tatoeba,
    # -1.1 on the everyday set and -5 on software text after 60 minutes (benchmarks/quality.md), so
    # by default every pair is written once
    repeat: dict[str, int] = {}
    for item in args.repeat:
        name, _, times = item.partition("=")
        if name not in SOURCES or not times.isdigit() or int(times) < 1:
            ap.error(f"--repeat wants SOURCE=N with a known source and N >= 1, not {item!r}")
        repeat[name] = int(times)
    per_source: dict[str, list[tuple[str, str]]] = {}
    manifest_sources: dict[str, dict] = {}
    ctx = mp.get_context("fork")
    with ctx.Pool(args.jobs) as pool:
        for name in names:
            print(f"[{name}]", flush=True)
            pairs, info = run_source(name, SOURCES[name], args, pool)
            per_source[name] = pairs
            manifest_sources[name] = info

    # domain dev sets (kept if already there: they are committed and must stay stable); sources that
    # share a domain share its dev set, sampled from their pairs together (in build order)
    avoid, _ = held_out_keys([p.resolve() for p in args.dev_avoid])
    domains: dict[str, list[str]] = {}
    for name in names:
        domain = SOURCES[name].get("domain")
        if domain and per_source[name]:
            domains.setdefault(domain, []).append(name)
    for domain, members in domains.items():
        path = args.dev_dir / f"{domain}.en-es.tsv"
        if not path.exists():
            write_tsv(path, sample_dev([p for n in members for p in per_source[n]], DEV_PAIRS, SEED, avoid))
        for name in members:
            manifest_sources[name]["dev_set"] = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

    # held-out removal, then dedupe and the per-English cap across all sources
    held_files = sorted(args.dev_dir.glob("*.tsv")) + [ROOT / "models/en-es/test.tsv"]
    held, held_used = held_out_keys(held_files)
    corpus: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    per_en: Counter = Counter()
    for name in names:
        info = manifest_sources[name]
        drop = Counter()
        for en, es in per_source[name]:
            if key(en) in held or key(es) in held:
                drop["held_out"] += 1
            elif (en, es) in seen:
                drop["duplicate_across_sources"] += 1
            elif per_en[en] >= MAX_PER_ENGLISH:
                drop["english_cap"] += 1
            else:
                seen.add((en, es))
                per_en[en] += 1
                corpus.append((name, en, es))
        info["dropped"].update(drop)
        info["dropped"] = dict(sorted(info["dropped"].items()))
    # dictionary sources: at most DICT_SHARE of the final corpus
    dict_names = [n for n in names if SOURCES[n].get("dictionary")]
    if dict_names:
        rest = [c for c in corpus if c[0] not in dict_names]
        dicts = [c for c in corpus if c[0] in dict_names]
        limit = int(len(rest) * DICT_SHARE / (1 - DICT_SHARE))
        if len(dicts) > limit:
            rng = random.Random(SEED + 1)
            keep = set(rng.sample(range(len(dicts)), limit))
            for i, c in enumerate(dicts):
                if i not in keep:
                    manifest_sources[c[0]]["dropped"]["dictionary_share_cap"] = (
                        manifest_sources[c[0]]["dropped"].get("dictionary_share_cap", 0) + 1
                    )
            dicts = [c for i, c in enumerate(dicts) if i in keep]
        corpus = rest + dicts
    counts = Counter(c[0] for c in corpus)
    for name in names:
        info = manifest_sources[name]
        mine = [(en, es) for n, en, es in corpus if n == name]
        info["pairs_kept"] = counts[name]
        info["words_en"] = sum(len(en.split()) for en, _ in mine)
        info["words_es"] = sum(len(es.split()) for _, es in mine)
    labelled = [row for row in corpus for _ in range(repeat.get(row[0], 1))]
    random.Random(SEED).shuffle(labelled)  # the same order as shuffling the bare pairs: same TSV bytes as before
    rows = [(en, es) for _, en, es in labelled]
    path = out / "en-es.tsv"
    write_tsv(path, rows)
    sources_path = path.with_suffix(".sources")
    write_sources(sources_path, [name for name, _, _ in labelled])
    manifest = {
        "output": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "pairs": len(rows),
        "distinct_pairs": len(corpus),
        "repeat": {n: repeat[n] for n in names if repeat.get(n, 1) > 1},
        "words_en": sum(s["words_en"] for s in manifest_sources.values()),
        "words_es": sum(s["words_es"] for s in manifest_sources.values()),
        "bytes": path.stat().st_size,
        "sha256": sha256(path),
        "sources_file": sources_path.name,  # the source of each line of output, same order
        "sources_sha256": sha256(sources_path),
        "seed": SEED,
        "held_out_files": held_used,
        "held_out_strings": len(held),
        "build_seconds": round(time.time() - t0, 1),
        "sources": manifest_sources,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
    print(
        f"wrote {path}: {len(rows)} pairs, {manifest['bytes'] / 1e6:.1f} MB, "
        f"sha256 {manifest['sha256'][:16]}…, {manifest['build_seconds']} s"
    )
    for name in names:
        times = f" x{repeat[name]}" if repeat.get(name, 1) > 1 else ""
        print(f"  {name:20s} {counts[name]:8d}{times}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
