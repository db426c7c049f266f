"""The time-batched simulator's element-wise loops over time, compiled with Numba.

Each loop runs the equations of :mod:`bridge.neuron` (the IF neuron) or the potential readout for
``n`` steps on a ``(n, M)`` block (``M`` neurons: images × units, flattened), in one pass over
memory. The arithmetic is that of :func:`bridge.neuron.if_step`, operation for operation in the
block's dtype (``V ← V + I``; ``s = [V ≥ θ]``, minus ``[V < 0 ∧ N > 0]`` for signed neurons;
``V ← V − θ·s`` or ``V ← V·(1 − s)``; ``N ← N + s``), so results
equal the step-by-step simulator's bit for bit; ``θ`` must be given in the block's dtype
(:func:`if_run` casts it). No ``fastmath``: Numba keeps IEEE semantics (no reassociation, no fused
multiply-add), and NaN/Inf propagate as in NumPy (a NaN potential never fires, an Inf one fires
every step).

Compiled on first use for each dtype and cached on disk (``cache=True``) when the package folder
is writable.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["if_run", "accumulate", "count_max_pool_run", "if_count_pool_run"]


#: ``mode`` of the compiled loops: the reset, and whether negative spikes are sent
ZERO, SUBTRACT, SIGNED = 0, 1, 2


@numba.njit(inline="always", nogil=True, error_model="numpy")
def _if_row(current, spikes, v, v_th, mode, counts):  # pragma: no cover - compiled
    # one step of M IF neurons (1-D views; current and spikes may be the same array)
    one = v_th / v_th          # 1 in the dtype of v_th (and of v)
    zero = one - one
    if mode == SUBTRACT:       # one loop per mode: no branch inside the vectorised one
        for j in range(v.size):
            vj = v[j] + current[j]
            s = one * (vj >= v_th)
            v[j] = vj - v_th * s
            spikes[j] = s
            counts[j] += s
    elif mode == SIGNED:
        for j in range(v.size):
            vj = v[j] + current[j]
            s = one * (vj >= v_th) - one * ((vj < zero) & (counts[j] > zero))
            v[j] = vj - v_th * s
            spikes[j] = s
            counts[j] += s
    else:
        for j in range(v.size):
            vj = v[j] + current[j]
            s = one * (vj >= v_th)
            v[j] = vj * (one - s)
            spikes[j] = s
            counts[j] += s


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _if_loop(io, v, v_th, mode, counts):  # pragma: no cover - compiled
    # in place: io[t] holds the current of step t and receives its spikes
    for t in range(io.shape[0]):
        _if_row(io[t], io[t], v, v_th, mode, counts)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _if_constant_loop(current, out, v, v_th, mode, counts):  # pragma: no cover - compiled
    # the same current every step: read from one (M,) array, spikes written to out (n, M)
    for t in range(out.shape[0]):
        _if_row(current, out[t], v, v_th, mode, counts)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _accumulate_loop(io, v):  # pragma: no cover - compiled
    n, m = io.shape
    for t in range(n):
        x = io[t]
        for j in range(m):
            v[j] = v[j] + x[j]
            x[j] = v[j]


@numba.njit(inline="always", nogil=True, error_model="numpy")
def _window_columns(k, stride, Wo, C):  # pragma: no cover - compiled
    # cols[d, j·C + c]: where output column j's d-th window column (channel c) sits in a row
    cols = np.empty((k, Wo * C), np.int64)
    for d in range(k):
        for j in range(Wo):
            for c in range(C):
                cols[d, j * C + c] = (j * stride + d) * C + c
    return cols


@numba.njit(inline="always", nogil=True, error_model="numpy")
def _pool_frame(rows, n_out, out, cols, best, k, stride):  # pragma: no cover - compiled
    # one frame: rows (H, W·C) input counts; n_out, out (Ho, Wo, C): pooled counts so far
    # (updated) and the pooled spikes N_out[t] − N_out[t−1]. Every inner loop runs over a
    # contiguous 1-D view or the index map ``cols``, so that LLVM vectorises it.
    Ho, Wo, C = out.shape
    for i in range(Ho):
        first = rows[i * stride]
        for q in range(best.size):
            best[q] = first[q]
        for a in range(1, k):
            other = rows[i * stride + a]
            for q in range(best.size):
                best[q] = max(best[q], other[q])
        o, p, c0 = out[i].reshape(Wo * C), n_out[i].reshape(Wo * C), cols[0]
        for q in range(Wo * C):
            o[q] = best[c0[q]]
        for d in range(1, k):
            cd = cols[d]
            for q in range(Wo * C):
                o[q] = max(o[q], best[cd[q]])
        for q in range(Wo * C):
            m = o[q]
            o[q] = m - p[q]
            p[q] = m


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _count_pool_loop(s, n_in, n_out, out, k, stride):  # pragma: no cover - compiled
    # s (n, B, H, W, C) input spikes; n_in (B, H, W, C) input counts and n_out (B, Ho, Wo, C)
    # pooled counts so far (updated); out (n, B, Ho, Wo, C) pooled spikes
    n, B, H, W, C = s.shape
    best = np.empty(W * C, s.dtype)            # a window row's max over its k image rows
    cols = _window_columns(k, stride, out.shape[3], C)
    for t in range(n):
        for b in range(B):
            counts, spikes = n_in[b].reshape(H * W * C), s[t, b].reshape(H * W * C)
            for q in range(H * W * C):
                counts[q] += spikes[q]
            _pool_frame(n_in[b].reshape(H, W * C), n_out[b], out[t, b], cols, best, k, stride)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _if_pool_loop(current, constant, v, v_th, mode, counts, n_out, out, k,
                  stride):  # pragma: no cover - compiled
    # IF neurons (B, H, W, C) and the count max pool of their spikes, step by step, without
    # writing the IF layer's spikes anywhere: the pool reads the neurons' counts directly.
    # current: (n, B, H·W·C), or (1, B, H·W·C) with constant=True; out (n, B, Ho, Wo, C)
    n = out.shape[0]
    B, H, W, C = v.shape
    best = np.empty(W * C, v.dtype)
    scratch = np.empty(H * W * C, v.dtype)     # a step's spikes (read by nobody: the counts are)
    cols = _window_columns(k, stride, out.shape[3], C)
    for t in range(n):
        for b in range(B):
            x = current[0 if constant else t, b]
            _if_row(x, scratch, v[b].reshape(H * W * C), v_th, mode,
                    counts[b].reshape(H * W * C))
            _pool_frame(counts[b].reshape(H, W * C), n_out[b], out[t, b], cols, best, k, stride)


def _mode(reset: str, signed: bool) -> int:
    """The compiled loops' ``mode`` for a reset and the signed option."""
    if signed and reset != "subtract":
        raise ValueError("signed neurons reset by subtraction, got reset " + repr(reset))
    return SIGNED if signed else SUBTRACT if reset == "subtract" else ZERO


def if_count_pool_run(current: np.ndarray, v: np.ndarray, v_th: float, reset: str,
                      counts: np.ndarray, n_out: np.ndarray, n: int, k: int,
                      stride: int | None, signed: bool = False) -> np.ndarray:
    """IF neurons followed by count max pooling, for ``n`` steps, fused: the same spikes, counts
    and pooled trains as :func:`if_run` then :func:`count_max_pool_run` (the pool's input counts
    are the neurons' own ``counts``), without writing the neurons' spike trains.

    ``current``: ``(n, B, H, W, C)``, or ``(B, H, W, C)`` for a constant current; ``v`` and
    ``counts`` ``(B, H, W, C)`` and the pooled counts ``n_out (B, Ho, Wo, C)`` are updated in
    place. Returns the pooled spikes ``(n, B, Ho, Wo, C)``."""
    stride = stride or k
    B, H, W, C = v.shape
    out = np.empty((n, B, (H - k) // stride + 1, (W - k) // stride + 1, C), v.dtype)
    constant = current.shape == v.shape
    cur = np.ascontiguousarray(current).reshape((1 if constant else n), B, H * W * C)
    _if_pool_loop(cur, constant, v, v.dtype.type(v_th), _mode(reset, signed), counts, n_out, out,
                  k, stride)
    return out


def count_max_pool_run(s: np.ndarray, n_in: np.ndarray, n_out: np.ndarray, k: int,
                       stride: int | None) -> np.ndarray:
    """Count-based max pooling (:func:`bridge.spike_pool.count_max_pool`) of the trains
    ``s (n, B, H, W, C)`` over their ``n`` steps: ``N_in += s[t]``, ``N_out[t] = max_window
    N_in``, spike ``N_out[t] − N_out[t−1]``. ``n_in (B, H, W, C)`` and ``n_out (B, Ho, Wo, C)``
    are the counts so far, updated in place; returns ``(n, B, Ho, Wo, C)`` spikes. Counts are
    whole numbers, exact in any float dtype."""
    stride = stride or k
    n, B, H, W, C = s.shape
    out = np.empty((n, B, (H - k) // stride + 1, (W - k) // stride + 1, C), s.dtype)
    _count_pool_loop(s, n_in, n_out, out, k, stride)
    return out


def _steps(current: np.ndarray, v: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """The ``(n, M)`` block the loops work on in place: ``current`` itself, or ``out`` filled
    with it (a constant ``current`` shaped like ``v`` is copied to every step)."""
    if out is None:
        if current.shape == v.shape:
            raise ValueError("a constant current needs out, the (n, ...) array for the spikes")
        out = current
    elif out is not current:
        np.copyto(out, current)
    return out.reshape(out.shape[0], -1)


def if_run(current: np.ndarray, v: np.ndarray, v_th: float, reset: str, counts: np.ndarray,
           out: np.ndarray | None = None, signed: bool = False) -> np.ndarray:
    """``n`` steps of IF neurons: ``current (n, ...)`` (or ``(...)``: the same current every step,
    then ``out`` is required), potentials ``v (...)`` and spike counts ``counts (...)`` updated in
    place. Returns the spikes ``(n, ...)`` (0/1 in ``v``'s dtype; −1 too with ``signed``: see
    :func:`bridge.neuron.if_step`) in ``out`` — by default ``current`` itself, overwritten.
    ``ValueError`` for ``signed`` with reset ``"zero"``."""
    v_th, mode = v.dtype.type(v_th), _mode(reset, signed)
    if current.shape == v.shape and out is not None:   # constant: never copied to every step
        io = out.reshape(out.shape[0], -1)
        _if_constant_loop(np.ascontiguousarray(current).reshape(-1), io, v.reshape(-1), v_th,
                          mode, counts.reshape(-1))
    else:
        io = _steps(current, v, out)
        _if_loop(io, v.reshape(-1), v_th, mode, counts.reshape(-1))
    return io.reshape((io.shape[0],) + v.shape)


def accumulate(current: np.ndarray, v: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The potential readout over ``n`` steps: ``V[t] = V[t−1] + I[t]`` in order, ``V[t]`` written
    to ``out[t]`` (by default ``current`` itself; a constant ``current (...)`` needs ``out``) and
    ``v`` left at the last step's value."""
    io = _steps(current, v, out)
    _accumulate_loop(io, v.reshape(-1))
    return io.reshape((io.shape[0],) + v.shape)
