"""A small SQLite store of cache entries, safe for several processes at once.

Each entry is a JSON value (compressed) under a kind and a key, with the time it
was last used. The database carries a schema version (``PRAGMA user_version``): a
database of another version is emptied. WAL is used where the file system allows
it, else a rollback journal; a cache that cannot be opened or written (read-only
home, full disk, a corrupt file that cannot be replaced) makes the store work in
memory for this process, and :attr:`CacheStore.problem` says so once. Past
``max_bytes`` the entries used least recently go first.

Nothing here raises to the caller: a cache is never worth failing for.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Bumped whenever what an entry holds changes: older entries are dropped.
SCHEMA_VERSION = 2
#: The cache's size cap (bytes of entries).
MAX_BYTES = 128 << 20
#: How long a writer waits for another process's write (seconds).
BUSY_TIMEOUT = 2.0


def default_cache_dir() -> Path:
    """``$SESSION_EXPLORER_CACHE_DIR``, else the platform's cache directory."""
    override = os.environ.get("SESSION_EXPLORER_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "session-explorer" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "session-explorer"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "session-explorer"


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: str  # the database file, or ":memory:"
    entries: int
    bytes: int
    by_kind: dict[str, int]
    journal: str


class CacheStore:
    """The cache database (see the module docstring). Thread-safe."""

    def __init__(self, directory: Path | None = None, *, max_bytes: int = MAX_BYTES) -> None:
        self.directory = directory if directory is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self.problem: str | None = None
        self._lock = threading.Lock()
        self._journal = "memory"
        self._db = self._connect()

    # ---------------------------------------------------------------- opening
    @property
    def path(self) -> Path:
        return self.directory / "index.sqlite3"

    def _connect(self) -> sqlite3.Connection:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return self._open_file()
        except sqlite3.DatabaseError as error:
            # A corrupt or foreign file: start again from an empty one.
            try:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(str(self.path) + suffix).unlink(missing_ok=True)
                return self._open_file()
            except (OSError, sqlite3.Error):
                return self._in_memory(f"the cache {self.path} is unreadable ({error})")
        except (OSError, sqlite3.Error) as error:
            return self._in_memory(f"the cache directory {self.directory} cannot be used ({error})")

    def _open_file(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None)
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "delete"
        if str(mode).lower() != "wal":  # e.g. a network file system
            db.execute("PRAGMA journal_mode=DELETE")
            mode = "delete"
        self._journal = str(mode).lower()
        self._prepare(db)
        return db

    def _in_memory(self, why: str) -> sqlite3.Connection:
        self.problem = f"{why}: the index is kept in memory only"
        self._journal = "memory"
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._prepare(db)
        return db

    @staticmethod
    def _prepare(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DROP TABLE IF EXISTS entries")
            db.execute(
                "CREATE TABLE entries (kind TEXT NOT NULL, key TEXT NOT NULL, payload BLOB NOT NULL,"
                " size INTEGER NOT NULL, used REAL NOT NULL, PRIMARY KEY (kind, key))"
            )
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")

    def _fail(self, why: str) -> None:
        """The file stopped working: memory from now on (said once)."""
        if self._journal != "memory":
            self._db = self._in_memory(why)

    # ---------------------------------------------------------------- entries
    def load(self, kind: str, key: str) -> Any | None:
        """The entry's value (its use noted), or None."""
        return self.load_many(kind, [key]).get(key)

    def load_many(self, kind: str, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if not keys:
            return found
        with self._lock:
            try:
                rows: list[tuple[str, bytes]] = []
                for start in range(0, len(keys), 500):
                    part = keys[start:start + 500]
                    marks = ",".join("?" * len(part))
                    rows += self._db.execute(
                        f"SELECT key, payload FROM entries WHERE kind = ? AND key IN ({marks})", (kind, *part)
                    ).fetchall()
                if rows:  # their use noted, in one transaction
                    now = time.time()
                    self._db.execute("BEGIN IMMEDIATE")
                    try:
                        self._db.executemany("UPDATE entries SET used = ? WHERE kind = ? AND key = ?",
                                             [(now, kind, key) for key, _ in rows])
                        self._db.execute("COMMIT")
                    except sqlite3.OperationalError:
                        self._rollback()  # busy: the use is noted another time
            except sqlite3.DatabaseError as error:
                self._fail(f"the cache {self.path} failed ({error})")
                return found
        for key, payload in rows:
            try:
                found[key] = json.loads(zlib.decompress(payload))
            except (zlib.error, ValueError):
                continue  # a damaged entry is a missing one
        return found

    def save(self, kind: str, key: str, value: Any) -> None:
        self.save_many(kind, {key: value})

    def save_many(self, kind: str, values: dict[str, Any]) -> None:
        if not values:
            return
        now = time.time()
        rows = []
        for key, value in values.items():
            payload = zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 1)
            rows.append((kind, key, payload, len(payload), now))
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)
                self._trim()
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as error:
                self._rollback()
                if "locked" not in str(error) and "busy" not in str(error):
                    self._fail(f"the cache {self.path} cannot be written ({error})")
                # Another process is writing: this entry waits for the next save.
            except sqlite3.DatabaseError as error:
                self._rollback()
                self._fail(f"the cache {self.path} failed ({error})")

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")

    def _trim(self) -> None:
        total = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0]
        if total <= self.max_bytes:
            return
        for kind, key, size in self._db.execute(
                "SELECT kind, key, size FROM entries ORDER BY used").fetchall():
            self._db.execute("DELETE FROM entries WHERE kind = ? AND key = ?", (kind, key))
            total -= size
            if total <= self.max_bytes:
                break

    def delete(self, kind: str, key: str) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.execute("DELETE FROM entries WHERE kind = ? AND key = ?", (kind, key))

    # ------------------------------------------------------------- management
    def clear(self) -> int:
        """Remove every entry; how many there were."""
        with self._lock:
            try:
                count = self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
                self._db.execute("DELETE FROM entries")
                if self._journal != "memory":
                    self._db.execute("VACUUM")
                return int(count)
            except sqlite3.Error as error:
                self._fail(f"the cache {self.path} cannot be cleared ({error})")
                return 0

    def info(self) -> CacheInfo:
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT kind, COUNT(*), COALESCE(SUM(size), 0) FROM entries GROUP BY kind"
                ).fetchall()
            except sqlite3.Error:
                rows = []
        path = ":memory:" if self._journal == "memory" else str(self.path)
        return CacheInfo(path, sum(r[1] for r in rows), sum(r[2] for r in rows),
                         {kind: count for kind, count, _ in rows}, self._journal)

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()


_default: CacheStore | None = None
_default_on = False


def use_default_store(on: bool = True) -> None:
    """Whether catalogs made without a store use the user's cache (the command
    line turns it on unless ``--no-cache``; library use leaves it off)."""
    global _default_on
    _default_on = on


def default_store() -> CacheStore | None:
    """The user's cache, when turned on (made once per process)."""
    global _default
    if not _default_on:
        return None
    if _default is None:
        _default = CacheStore()
    return _default
