"""Keep freed memory in the process for reuse — one knob of the C allocator, no dependency.

A training step allocates the same large temporaries (convolution outputs, their gradients, the
padded inputs: 0.3–1.5 MB each for LeNet at batch 64) and frees them again. glibc's ``malloc``
serves blocks above a threshold with fresh ``mmap`` pages and gives freed memory at the top of
the heap back to the kernel, so the next step pays a page fault for every 4 KiB it touches again.
Measured here (``benchmarks/bench_ann_vs_keras.py``): ~130 page faults and ~3 ms of a 9 ms LeNet
step. TensorFlow avoids the same cost with its own caching allocator.

:func:`keep_freed_memory` sets glibc's ``M_MMAP_THRESHOLD`` (blocks up to 32 MiB come from the
heap), ``M_TRIM_THRESHOLD`` and ``M_TOP_PAD`` (freed memory stays in the process) with
``mallopt``, called through :mod:`ctypes`. The price is that the process does not shrink
after its peak. The setting holds for the rest of the process; where ``mallopt`` is missing
(not glibc) nothing happens and the function returns ``False``.
"""

from __future__ import annotations

import ctypes

__all__ = ["keep_freed_memory"]

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
MIB = 1 << 20


def keep_freed_memory(mmap_threshold: int = 32 * MIB, trim_threshold: int = 1024 * MIB,
                      top_pad: int = 64 * MIB) -> bool:
    """Ask ``malloc`` to keep freed blocks for reuse (see the module docstring).

    Parameters
    ----------
    mmap_threshold : bytes; smaller blocks are carved from the heap instead of fresh pages
        (glibc accepts at most 32 MiB on 64-bit systems).
    trim_threshold : bytes of free memory at the heap's top kept before returning any to the
        kernel.
    top_pad : bytes the heap grows by beyond each request.

    Returns ``True`` if glibc accepted all three settings.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return all(mallopt(param, int(value)) == 1 for param, value in
               ((M_MMAP_THRESHOLD, mmap_threshold), (M_TRIM_THRESHOLD, trim_threshold),
                (M_TOP_PAD, top_pad)))
