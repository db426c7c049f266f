"""Max pooling of spike trains, step by step (used by :mod:`bridge.simulate`).

A pooled IF layer has no weights: what passes a ``k×k`` max-pooling window at each step is a
choice among the window's spikes. Two rules, both keeping the pooled rate at the largest input
rate on average:

* :func:`count_max_pool` (default): the pooled count follows the busiest input's count,
  ``N_out[t] = max_window N_in[t]``, ``s_out[t] = N_out[t] − N_out[t−1]``.
* :func:`gate_max_pool`: Rueckauer et al.'s (2017, sec. 2.2.6) gate, passing the spikes of the
  input that has fired most so far.
"""

from __future__ import annotations

import numpy as np

from ann.functional import max_pool2d

__all__ = ["MAX_POOLS", "count_max_pool", "gate_max_pool"]


def _first_max(c: np.ndarray, s: np.ndarray, axis: int):
    """Along ``axis``: the largest ``c`` (first on ties) and the ``s`` at the same place."""
    def at(a, j):  # a view, never a copy
        return a[(slice(None),) * axis + (j,)]

    bc, bs = at(c, 0), at(s, 0)
    for j in range(1, c.shape[axis]):
        cj = at(c, j)
        bs = np.where(cj > bc, at(s, j), bs)
        bc = np.maximum(bc, cj)
    return bc, bs


MAX_POOLS = ("count", "gate")


def count_max_pool(counts: np.ndarray, previous, k: int, stride: int | None):
    """Max pooling of spike trains by their counts: the pooled neuron has fired, after every
    step, exactly as often as the busiest input of its window,

        N_out[t] = max_window N_in[t],     s_out[t] = N_out[t] − N_out[t−1] ∈ {−1, 0, 1}

    (each input count moves by at most one per step, so their maximum does too; it falls only
    when signed neurons take spikes back, :mod:`bridge.neuron`). Its rate is
    the largest input rate — the ANN's max of activations — with no bias from which input
    happened to fire last. Returns ``(spikes, N_out[t])``; pass ``N_out`` back as ``previous``
    (``0`` at the start).
    """
    m = max_pool2d(counts, k, stride)
    return m - previous, m


def gate_max_pool(spikes: np.ndarray, counts: np.ndarray, k: int, stride: int | None) -> np.ndarray:
    """Rueckauer et al.'s gate: the spikes of the unit with the largest ``counts`` so far in each
    ``k×k`` window (first in row-major order on ties, as :func:`ann.functional.max_pool2d`).

    Where inputs of similar rate take turns, the gate follows whichever has just fired and
    passes more spikes than the busiest input alone (measured: slope of rate vs activation
    1.1–1.2 in the layers after a pool); :func:`count_max_pool` does not have this bias.

    Non-overlapping windows are reduced along the window's columns, then its rows, on reshaped
    views (a row's first maximum, then the first row holding the overall maximum: the same
    choice as a row-major scan). Overlapping windows fall back to a scan over the ``k²`` offsets.
    """
    s = stride or k
    n, h, w, c = spikes.shape
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    if s == k:
        def view(a):
            return a[:, :ho * k, :wo * k, :].reshape(n, ho, k, wo, k, c)
        bc, bs = _first_max(view(counts), view(spikes), axis=4)
        return _first_max(bc, bs, axis=2)[1]
    best_c = best_s = None
    for a in range(k):
        for b in range(k):
            sl = (slice(None), slice(a, a + s * (ho - 1) + 1, s), slice(b, b + s * (wo - 1) + 1, s))
            if best_c is None:
                best_c, best_s = counts[sl].copy(), spikes[sl].copy()
                continue
            better = counts[sl] > best_c
            np.copyto(best_s, spikes[sl], where=better)
            np.maximum(best_c, counts[sl], out=best_c)
    return best_s
