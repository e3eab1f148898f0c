"""Running many small, independent jobs on every core: the one place that decides whether to fork.

Loading and rendering both use it. Work goes to a pool of *forked* processes,
which inherit the site model without pickling it; where the platform cannot
fork, or the work is too small to pay for a pool, it runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os


def processes_for(jobs: int, count: int, threshold: int) -> int:
    """How many processes `count` items deserve: 1 (stay here) when fewer than `threshold` or no fork."""
    processes = jobs or os.cpu_count() or 1
    if count < threshold or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return processes


def fork_pool(processes: int, initializer=None, initargs: tuple = ()):
    return multiprocessing.get_context("fork").Pool(processes, initializer, initargs)


def parallel_map(function, items: list, jobs: int, threshold: int) -> list:
    """`[function(x) for x in items]`, on forked processes when there are at least `threshold` items."""
    processes = processes_for(jobs, len(items), threshold)
    if processes <= 1:
        return [function(item) for item in items]
    with fork_pool(processes) as pool:
        return pool.map(function, items, chunksize=max(1, len(items) // (processes * 8)))
