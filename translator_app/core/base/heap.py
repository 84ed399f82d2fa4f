"""Keep freed memory in the process while training, so big tensors stop costing page faults.

glibc's malloc serves every block over 32 MB with a fresh ``mmap`` and returns it with ``munmap``
when freed. A training step allocates and frees such blocks all the time (the logits of a batch
of 6,000 target tokens and 8,000 pieces are 96 MB in bf16, their gradient as much), so each step
touched ~80,000 new pages: 14 % of the step went to the kernel zeroing pages
(benchmarks/README.md, "Where a training step goes"). While :func:`retained_heap` is active, malloc
takes no block from ``mmap`` and does not trim the heap, so a step reuses the memory the previous
one freed: 10.5k against 9.1k target tokens/s for the small preset (bf16, 2 threads). On leaving,
the defaults come back and the free memory is returned to the system (the desktop app trains in
its own process's thread and must not keep the peak after training).

The heap does fragment (batches of other shapes need blocks of other sizes), and a heap that
never shrinks would hold the largest mix of them for good: :func:`release_free` (``malloc_trim``:
free pages anywhere in the heap go back to the system) is called every ``RELEASE_EVERY`` steps, so
memory stays near what a step uses while the page faults come back only once per that many steps.
Between two such calls the heap can still grow by gigabytes (a run on 350,000 pairs went from 4.3 to
9.9 GB resident in 30 seconds: batches of other shapes cannot reuse the blocks that are free), so
:func:`over_budget` is asked after every step too, and the heap is trimmed as soon as the process holds
more than :data:`budget_bytes` (a quarter of the machine's memory, 2–4 GiB): a laptop with 8 GB stays
usable while it trains.

Anywhere but glibc (macOS, Windows, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import platform
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

# mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
DEFAULT_TRIM_THRESHOLD = 128 * 1024
DEFAULT_MMAP_MAX = 65536
NO_TRIM = 2**31 - 1  # mallopt takes an int

RELEASE_EVERY = 100  # training steps between two malloc_trim calls
GIB = 1024**3
BUDGET_RANGE = (2 * GIB, 4 * GIB)  # resident bytes over which the heap is trimmed at once (RAM / 4 within)

_lock = threading.Lock()
_users = 0


@functools.cache  # (platform.libc_ver and find_library read files: once, not at every trim)
def _libc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


@contextmanager
def retained_heap() -> Iterator[bool]:
    """Within the block, freed memory stays in the heap (see the module docstring). Yields
    whether it took effect. Nested and concurrent uses share one setting; the last to leave
    restores glibc's defaults."""
    global _users
    libc = _libc()
    if libc is None:
        yield False
        return
    with _lock:
        if _users == 0:
            libc.mallopt(M_MMAP_MAX, 0)
            libc.mallopt(M_TRIM_THRESHOLD, NO_TRIM)
        _users += 1
    try:
        yield True
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                libc.malloc_trim(0)


def release_free() -> None:
    """Give the heap's free pages back to the system (glibc; elsewhere nothing)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def _page_size() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return 4096


def resident_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc/self/statm``); None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _page_size()
    except (OSError, ValueError, IndexError):
        return None


def budget_bytes() -> int:
    """A quarter of the machine's memory, within :data:`BUDGET_RANGE`."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * _page_size()
    except (AttributeError, OSError, ValueError):
        total = 4 * BUDGET_RANGE[1]
    return max(BUDGET_RANGE[0], min(BUDGET_RANGE[1], total // 4))


def over_budget(budget: int | None = None) -> bool:
    """Whether the process holds more than ``budget`` (default :func:`budget_bytes`) resident bytes."""
    held = resident_bytes()
    return held is not None and held > (budget_bytes() if budget is None else budget)
