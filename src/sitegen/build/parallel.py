"""Running many small, independent jobs on every core: the one place that decides whether to fork.

Loading and rendering both use it. Work goes to a pool of *forked* processes,
which inherit the site model without pickling it; where the platform cannot
fork, or the work is too small to pay for a pool, it runs in this process.

A worker starts with SIGINT and SIGTERM at their defaults: it never runs a
handler it inherited from the process that forked it (`serve`'s would stop
the wrong event loop), and a signal sent to its process group ends it. Fork
only from a process that runs no other thread (`serve` builds in a process
of its own for this: see remote.py).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal


def processes_for(jobs: int, count: int, threshold: int) -> int:
    """How many processes `count` items deserve: 1 (stay here) when fewer than `threshold` or no fork."""
    processes = jobs or os.cpu_count() or 1
    if count < threshold or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return processes


def start_worker(initializer=None, initargs: tuple = ()) -> None:
    """The first thing a pool worker runs: default signal handling, the cyclic garbage collector on,
    then the caller's initializer.

    The build pauses the collector (pipeline.run), and a forked worker inherits the pause; but each page a
    worker renders leaves cycles (a template's context and what refers back to it), so a paused worker
    would keep every page it rendered. What it inherited is frozen instead: never scanned, and never
    written to by the collector, so those pages stay shared with the parent."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    gc.freeze()
    gc.enable()
    if initializer is not None:
        initializer(*initargs)


def fork_pool(processes: int, initializer=None, initargs: tuple = ()):
    """A pool of `processes` forked workers, each running `initializer(*initargs)` once it starts."""
    return multiprocessing.get_context("fork").Pool(processes, start_worker, (initializer, initargs))


def parallel_map(function, items: list, jobs: int, threshold: int) -> list:
    """`[function(x) for x in items]`, on forked processes when there are at least `threshold` items."""
    processes = processes_for(jobs, len(items), threshold)
    if processes <= 1:
        return [function(item) for item in items]
    with fork_pool(processes) as pool:
        return pool.map(function, items, chunksize=max(1, len(items) // (processes * 8)))
