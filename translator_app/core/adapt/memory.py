"""The personal translation memory: the sentences a person corrected or confirmed, per language pair.

    memory = TranslationMemory.open(folder, "en", "es")      # folder/en-es.sqlite
    memory.add("Open the file.", "Abre el archivo.", origin="edit", model="English → Spanish")
    memory.lookup("open  the file.")   # Match(exact=True, similarity=100.0, target="Abre el archivo.")
    memory.lookup("Open the files.")   # Match(exact=False, similarity=96.6, ...): a suggestion

One SQLite file per pair, in WAL mode with a busy timeout, so the app's threads, a second app
window and the command line can write at the same time, and a crash leaves the last committed
state. Every thread gets its own connection. Each normalised source (white space collapsed, the
first letter's case ignored: :func:`match_key`) has one entry; a later correction replaces the
target. An exact match replaces the model's output in the decoding path (``pipeline.prepare``
asks :meth:`TranslationMemory.lookup`); a fuzzy one (at least ``FUZZY_THRESHOLD`` % similar,
rapidfuzz's normalised Indel similarity of the keys) rides along as a suggestion. No Qt, no torch.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from translator_app.core.text.corpus import normalize

FUZZY_THRESHOLD = 75.0  # % similarity from which a memory entry is offered as a suggestion
BUSY_TIMEOUT_S = 10.0
MAX_TEXT_CHARS = 20_000
ORIGINS = ("edit", "confirm", "import", "document")
_PAIR_CODE = re.compile(r"^[a-z]{2,3}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'edit',
    model TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_updated ON entries(updated);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class TMError(ValueError):
    """A memory that cannot be used (bad pair, unreadable file); the message says which."""


@dataclass(frozen=True)
class Entry:
    id: int
    source: str
    target: str
    origin: str  # "edit", "confirm", "import", "document"
    model: str  # the model whose output was corrected ("" for imports)
    created: float  # seconds since the epoch
    updated: float


@dataclass(frozen=True)
class Match:
    entry: Entry
    similarity: float  # 0..100
    exact: bool

    @property
    def target(self) -> str:
        return self.entry.target

    @property
    def source(self) -> str:
        return self.entry.source


def match_key(text: str) -> str:
    """White space collapsed, the first letter in lower case: what an exact match compares."""
    text = normalize(text)
    return text[:1].lower() + text[1:]


def check_pair(src: str, tgt: str) -> tuple[str, str]:
    pair = (str(src or "").strip().lower(), str(tgt or "").strip().lower())
    if not all(_PAIR_CODE.match(code) for code in pair) or pair[0] == pair[1]:
        raise TMError(f"not a language pair: {src!r} → {tgt!r} (give two language codes such as en and es)")
    return pair


def memory_path(folder: str | Path, src: str, tgt: str) -> Path:
    src, tgt = check_pair(src, tgt)
    return Path(folder) / f"{src}-{tgt}.sqlite"


def diff_words(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both texts as runs of (text, differs from the other), word by word: the highlighting of a fuzzy match."""
    wa, wb = re.findall(r"\S+|\s+", a), re.findall(r"\S+|\s+", b)
    out_a: list[tuple[str, bool]] = []
    out_b: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            out_a.append(("".join(wa[i1:i2]), changed))
        if j2 > j1:
            out_b.append(("".join(wb[j1:j2]), changed))
    return out_a, out_b


class TranslationMemory:
    """The entries of one language pair in one SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path, src_lang: str, tgt_lang: str):
        self.path = Path(path)
        self.src_lang, self.tgt_lang = check_pair(src_lang, tgt_lang)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._index: tuple[tuple, dict[str, Entry], list[str]] | None = None
        self._writes = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
        self.exact_hits = 0  # lookups answered, for reports (documents, the CLI)
        self.fuzzy_hits = 0

    @classmethod
    def open(cls, folder: str | Path, src_lang: str, tgt_lang: str) -> TranslationMemory:
        return cls(memory_path(folder, src_lang, tgt_lang), src_lang, tgt_lang)

    @property
    def pair(self) -> str:
        return f"{self.src_lang}-{self.tgt_lang}"

    # ---- connections ----------------------------------------------------------------------------
    def _connect(self) -> _Transaction:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
            except sqlite3.DatabaseError as exc:
                raise TMError(f"{self.path}: cannot open the translation memory ({exc})") from exc
            self._local.conn = conn
        return _Transaction(conn)

    def close(self) -> None:
        """Close this thread's connection (others close when their thread's objects go)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _query(self, sql: str, args: Iterable = ()) -> list[tuple]:
        with self._connect() as conn:
            return conn.execute(sql, tuple(args)).fetchall()

    # ---- writing ----------------------------------------------------------------------------------
    def add(self, source: str, target: str, *, origin: str = "edit", model: str = "", when: float | None = None) -> int:
        """Store (or replace the target of) the entry for ``source``; returns its id."""
        return self.add_many([(source, target)], origin=origin, model=model, when=when)[0]

    def add_many(
        self, pairs: Iterable[tuple[str, str]], *, origin: str = "import", model: str = "", when: float | None = None
    ) -> list[int]:
        if origin not in ORIGINS:
            raise TMError(f"unknown origin {origin!r}")
        now = time.time() if when is None else float(when)
        rows = []
        for source, target in pairs:
            source, target = normalize(source), normalize(target)
            if not source or not target:
                raise TMError("a memory entry needs a source and a target")
            if len(source) > MAX_TEXT_CHARS or len(target) > MAX_TEXT_CHARS:
                raise TMError(f"a memory entry is limited to {MAX_TEXT_CHARS:,} characters a side")
            rows.append((match_key(source), source, target, origin, model, now, now))
        ids = []
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            for row in rows:
                conn.execute(
                    "INSERT INTO entries(key, source, target, origin, model, created, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET source = excluded.source, "
                    "target = excluded.target, origin = excluded.origin, model = excluded.model, "
                    "updated = excluded.updated",
                    row,
                )
                ids.append(conn.execute("SELECT id FROM entries WHERE key = ?", (row[0],)).fetchone()[0])
        self._wrote()
        return ids

    def update(self, entry_id: int, source: str, target: str) -> None:
        source, target = normalize(source), normalize(target)
        if not source or not target:
            raise TMError("a memory entry needs a source and a target")
        try:
            with self._connect() as conn:
                cur = conn.execute(
                    "UPDATE entries SET key = ?, source = ?, target = ?, updated = ? WHERE id = ?",
                    (match_key(source), source, target, time.time(), int(entry_id)),
                )
        except sqlite3.IntegrityError:
            raise TMError(f"another entry already has the source {source!r}") from None
        if cur.rowcount == 0:
            raise TMError(f"no memory entry {entry_id} in {self.pair}")
        self._wrote()

    def delete(self, entry_id: int) -> None:
        with self._connect() as conn:
            cur = conn.execute("DELETE FROM entries WHERE id = ?", (int(entry_id),))
        if cur.rowcount == 0:
            raise TMError(f"no memory entry {entry_id} in {self.pair}")
        self._wrote()

    def _wrote(self) -> None:
        with self._lock:
            self._writes += 1

    # ---- reading ----------------------------------------------------------------------------------
    def entries(self, search: str = "", limit: int | None = None, since: float | None = None) -> list[Entry]:
        """Newest first; ``search`` matches either side (case-insensitive substring)."""
        sql, args = "SELECT id, source, target, origin, model, created, updated FROM entries", []
        where = []
        if search:
            where.append("(instr(lower(source), lower(?)) > 0 OR instr(lower(target), lower(?)) > 0)")
            args += [search, search]
        if since is not None:
            where.append("updated > ?")
            args.append(since)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY updated DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [Entry(*row) for row in self._query(sql, args)]

    def get(self, entry_id: int) -> Entry | None:
        rows = self._query(
            "SELECT id, source, target, origin, model, created, updated FROM entries WHERE id = ?", (int(entry_id),)
        )
        return Entry(*rows[0]) if rows else None

    def __len__(self) -> int:
        return int(self._query("SELECT count(*) FROM entries")[0][0])

    def get_meta(self, name: str, default: str = "") -> str:
        rows = self._query("SELECT value FROM meta WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else default

    def set_meta(self, name: str, value: str) -> None:
        with self._connect() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)", (name, str(value)))

    def revision(self) -> tuple:
        """Changes whenever any connection (this process or another) commits a change."""
        version = self._query("PRAGMA data_version")[0][0]
        with self._lock:
            return (self._writes, version)

    # ---- matching -----------------------------------------------------------------------------------
    def _current_index(self) -> tuple[dict[str, Entry], list[str]]:
        rev = self.revision()
        index = self._index
        if index is None or index[0] != rev:
            by_key = {match_key(e.source): e for e in self.entries()[::-1]}  # oldest first: newer wins
            index = (rev, by_key, list(by_key))
            self._index = index
        return index[1], index[2]

    def lookup(self, source: str, threshold: float = FUZZY_THRESHOLD) -> Match | None:
        """The exact match of ``source``, else the most similar entry at least ``threshold`` % similar."""
        key = match_key(source)
        if not key:
            return None
        by_key, keys = self._current_index()
        entry = by_key.get(key)
        if entry is not None:
            self.exact_hits += 1
            return Match(entry, 100.0, True)
        if not keys or threshold > 100:
            return None
        found = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=threshold)
        if found is None:
            return None
        self.fuzzy_hits += 1
        return Match(by_key[found[0]], float(found[1]), False)

    def exact(self, source: str) -> str | None:
        match = self.lookup(source, threshold=101.0)
        return match.target if match is not None else None

    def counts(self) -> tuple[int, int]:
        return self.exact_hits, self.fuzzy_hits

    def report_since(self, mark: tuple[int, int]) -> list[str]:
        """Lines for a report: the matches found since ``counts()`` returned ``mark``."""
        exact, fuzzy = self.exact_hits - mark[0], self.fuzzy_hits - mark[1]
        lines = []
        if exact:
            lines.append(f"{exact:,} sentences taken from your translation memory ({self.pair}, exact matches)")
        if fuzzy:
            lines.append(
                f"{fuzzy:,} sentences have a similar entry in your translation memory "
                f"(≥ {FUZZY_THRESHOLD:.0f} %; translated by the model: review them)"
            )
        return lines


class _Transaction:
    """``with`` a connection in autocommit mode: commit (or roll back) an explicit BEGIN on exit."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, exc_type, *_exc) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def kept_prefix(source: str, match: Match) -> str:
    """The start of ``match``'s target to keep for ``source``: as many of its words as the share of
    the sources' common leading words (a heuristic; the model then completes the sentence from
    there with prefix-constrained decoding, :func:`translator_app.core.translation.interactive.complete`)."""
    new, old = diff_words(source, match.source)
    lead = 0
    for text, changed in old:
        if changed:
            break
        lead += len(text.split())
    total = max(1, len(match.source.split()))
    words = match.target.split()
    if lead >= total and not any(changed for _, changed in new):
        return match.target
    keep = (len(words) * lead) // total
    return " ".join(words[:keep]) + (" " if keep else "")
