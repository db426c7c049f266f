"""Sharing a simulation's images among workers: threads or forked processes.

:func:`run_shares` runs ``work(*job, tick=...)`` for every job (one contiguous share of the
images each) and returns the results in order, reporting progress as ``progress(done, total)``
about twice a second (``tick(k)`` is called by the work after every ``k`` images).

* ``"threads"`` — the time-batched simulator spends its time in BLAS and in compiled loops that
  release the GIL (:mod:`bridge.kernels`), so threads share the cores with no copy of the network
  or the images and no process start (measured here: ~10 % faster than processes on LeNet).
* ``"processes"`` — the step-by-step simulator spends much of its time in small NumPy calls that
  hold the GIL, so it shares the images among forked processes.

Either way each worker uses one BLAS thread (the workers already share the cores).
"""

from __future__ import annotations

import concurrent.futures
import threading

__all__ = ["run_shares", "KINDS"]

KINDS = ("threads", "processes")

_DONE = None  # in a worker process: the shared count of images simulated (progress), or None


def _init_process(done) -> None:
    global _DONE
    _DONE = done


def _count_done(n: int) -> None:
    with _DONE.get_lock():
        _DONE.value += n


def _in_process(work, job):
    from ann.blas import set_blas_threads

    set_blas_threads(1)  # the workers share the cores; one BLAS thread each
    return work(*job, tick=_count_done if _DONE is not None else None)


def _wait(futures, progress, done, total) -> list:
    while progress is not None:
        finished, _ = concurrent.futures.wait(futures, timeout=0.5)
        progress(done(), total)
        if len(finished) == len(futures):
            break
    return [f.result() for f in futures]


def run_shares(work, jobs: list, kind: str, progress=None, total: int = 0) -> list:
    """``[work(*job, tick=...) for job in jobs]``, the jobs run concurrently by ``kind`` workers
    (one per job); see the module docstring."""
    if kind == "threads":
        from ann.blas import blas_threads

        lock, count = threading.Lock(), [0]

        def tick(k: int) -> None:
            with lock:
                count[0] += k

        with blas_threads(1), concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
            futures = [pool.submit(work, *job, tick=tick) for job in jobs]
            return _wait(futures, progress, lambda: count[0], total)
    if kind != "processes":
        raise ValueError(f"unknown kind of worker {kind!r}; known: {', '.join(KINDS)}")
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0) if progress is not None else None
    with concurrent.futures.ProcessPoolExecutor(len(jobs), mp_context=ctx,
                                                initializer=_init_process,
                                                initargs=(counter,)) as pool:
        futures = [pool.submit(_in_process, work, job) for job in jobs]
        return _wait(futures, progress, lambda: counter.value, total)
