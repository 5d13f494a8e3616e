"""Background work in worker processes, below the explorer's own threads.

The first reading of a big logs directory (the app logs' index, the interaction
files' summaries) is CPU work that would otherwise share the explorer's process,
and its interpreter lock, with the live feed and the screen. It runs in spawned
worker processes at a lower OS priority (:func:`lower_priority`), which hand back
small plain results. Spawning re-imports ``__main__``, so workers are used only
where the program allows them (:func:`allow_worker_processes`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

#: Niceness of the worker processes: the live path goes first.
WORKER_NICENESS = 10


def lower_priority() -> None:
    """Worker process initializer: run below the explorer's own threads."""
    with contextlib.suppress(AttributeError, OSError):  # not on this platform, or not allowed
        os.nice(WORKER_NICENESS)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of spawned, lower-priority worker processes (raises when there can be
    none here: the caller then does the work itself)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=lower_priority)


_shared: ProcessPoolExecutor | None = None
_shared_lock = threading.Lock()


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """The one pool of the process, made on first use with ``workers`` processes
    (every background task shares it: one set of processes in memory, not one per
    log and one for the summaries). Raises when there can be none here."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = worker_pool(workers)
        return _shared


def drop_shared_pool(pool: ProcessPoolExecutor) -> None:
    """A pool that broke: the next :func:`shared_pool` makes another."""
    global _shared
    with _shared_lock:
        if _shared is pool:
            _shared = None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_shared_pool() -> None:
    """Stop the pool's processes and wait for them (a benchmark counting their CPU)."""
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.shutdown(wait=True)


_WORKERS_ALLOWED = False
_LIVE_CORE = False


def keep_a_core_for_live(keep: bool = True) -> None:
    """Builds leave one core to the live path (the explorer turns this on; a
    headless command uses every core it may)."""
    global _LIVE_CORE
    _LIVE_CORE = keep


def live_core_kept() -> bool:
    """Whether builds leave a core to the live path (:func:`keep_a_core_for_live`)."""
    return _LIVE_CORE


def background_workers() -> int:
    """Worker processes for background work: under the explorer one core stays for
    the live path (and the thread that merges results); else up to two."""
    cores = os.cpu_count() or 1
    return max(1, min(2, cores - 1)) if _LIVE_CORE else min(2, cores)


def allow_worker_processes(allowed: bool = True) -> None:
    """Let big builds use worker processes (the ``session-explorer`` command does).

    Off by default for library use: worker processes are spawned, and spawning
    re-imports the program's ``__main__`` module, which must then be guarded by
    ``if __name__ == "__main__":``. Pass ``workers=`` to :class:`LogIndex` to choose
    explicitly.
    """
    global _WORKERS_ALLOWED
    _WORKERS_ALLOWED = allowed


def worker_processes_allowed() -> bool:
    return _WORKERS_ALLOWED
