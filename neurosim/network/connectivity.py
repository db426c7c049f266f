"""Seeded connectivity and initial values, drawn with NumPy so that every engine uses the same.

Random streams. Everything random of a :class:`~.description.Network` comes from its ``seed``
through :class:`numpy.random.SeedSequence` with a stream tag, so adding a connection does not
change the others::

    connection k (in network order)     SeedSequence([seed, 1, k])
    initial values of population k      SeedSequence([seed, 2, k])
    the engine's own random numbers      SeedSequence([seed, 3]) (Poisson inputs)

Rules (``i`` presynaptic, ``j`` postsynaptic index; arrays int32, sorted by ``j`` then ``i``)::

    all_to_all         every (i, j)               (i == j dropped if not allow_autapses)
    one_to_one         (k, k), k = 0..n-1
    fixed_probability  each pair independently with probability p (Bernoulli; for p <= 0.1
                       drawn as geometric gaps between synapses, the same process)
    fixed_indegree     for each j, `indegree` distinct i drawn uniformly without replacement

These are NEST's ``all_to_all``, ``one_to_one``, ``pairwise_bernoulli`` and ``fixed_indegree``
(with ``allow_multapses=False``) rules; NEST draws with its own generator, so an engine that
wants the same synapses connects these arrays explicitly.
"""

from __future__ import annotations

import numpy as np

from .description import Connection, Network, Uniform

__all__ = ["stream", "connect", "build_connectivity", "initial_values"]

#: pairs drawn per block (memory bound for the Bernoulli and in-degree draws)
_BLOCK = 4_000_000


def stream(seed: int, *tag: int) -> np.random.Generator:
    """The generator of stream ``tag`` of a network seed (see the module docstring)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), *map(int, tag)]))


def connect(conn: Connection, n_pre: int, n_post: int,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Presynaptic and postsynaptic indices ``(i, j)`` of one connection.

    Parameters
    ----------
    conn : Connection
        Its ``rule``, ``p``, ``indegree``, ``allow_autapses`` (applied when ``pre == post``).
    n_pre, n_post : int
        Population sizes.
    rng : numpy.random.Generator

    Returns
    -------
    i, j : ndarray of int32, shape (n_syn,)
        Sorted by ``j`` then ``i``.
    """
    recurrent = conn.pre == conn.post
    no_self = recurrent and not conn.allow_autapses
    if conn.rule == "one_to_one":
        k = np.arange(n_post, dtype=np.int32)
        return (k[:0], k[:0]) if no_self else (k, k.copy())
    if conn.rule == "all_to_all":
        j, i = np.divmod(np.arange(n_pre * n_post, dtype=np.int64), n_pre)
        keep = i != j if no_self else slice(None)
        return i[keep].astype(np.int32), j[keep].astype(np.int32)
    if conn.rule == "fixed_probability":
        return _bernoulli(float(conn.p), n_pre, n_post, no_self, rng)
    return _indegree(int(conn.indegree), n_pre, n_post, no_self, rng)


def _bernoulli(p, n_pre, n_post, no_self, rng):
    """Each pair with probability p. Sparse (p <= 0.1): the gaps between successive synapses
    along the flattened pairs (j, i) of a Bernoulli sequence are geometric(p), so only about
    p n_pre n_post numbers are drawn; dense: a uniform number per pair, in blocks of rows."""
    if 0 < p <= 0.1:
        total = n_pre * n_post
        chunks, last = [], -1
        while last < total:
            gaps = rng.geometric(p, size=max(1024, int(1.05 * p * (total - last)) + 64))
            pos = last + np.cumsum(gaps)
            chunks.append(pos)
            last = int(pos[-1])
        flat = np.concatenate(chunks)
        flat = flat[flat < total]
        j, i = np.divmod(flat, n_pre)
        if no_self:
            keep = i != j
            i, j = i[keep], j[keep]
        return i.astype(np.int32), j.astype(np.int32)
    rows = max(1, _BLOCK // max(n_pre, 1))
    ii, jj = [], []
    for j0 in range(0, n_post, rows):
        m = rng.random((min(rows, n_post - j0), n_pre)) < p
        if no_self:
            r = np.arange(j0, j0 + m.shape[0])
            ok = r < n_pre
            m[np.flatnonzero(ok), r[ok]] = False
        j, i = np.nonzero(m)
        ii.append(i.astype(np.int32))
        jj.append((j + j0).astype(np.int32))
    return np.concatenate(ii), np.concatenate(jj)


def _indegree(k, n_pre, n_post, no_self, rng):
    """``k`` distinct presynaptic partners per target: the ``k`` smallest of ``n_pre`` uniform
    keys per row (a uniformly random k-subset), in blocks of rows."""
    if k == 0:
        e = np.zeros(0, dtype=np.int32)
        return e, e.copy()
    rows = max(1, _BLOCK // max(n_pre, 1))
    ii = []
    for j0 in range(0, n_post, rows):
        keys = rng.random((min(rows, n_post - j0), n_pre))
        if no_self:
            r = np.arange(j0, j0 + keys.shape[0])
            ok = r < n_pre
            keys[np.flatnonzero(ok), r[ok]] = np.inf
        pick = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < n_pre else \
            np.argsort(keys, axis=1)[:, :k]
        ii.append(np.sort(pick, axis=1).astype(np.int32).ravel())
    i = np.concatenate(ii)
    j = np.repeat(np.arange(n_post, dtype=np.int32), k)
    return i, j


def build_connectivity(network: Network) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{connection name: (i, j)}`` for every connection of ``network`` (seeded streams)."""
    out = {}
    for k, c in enumerate(network.connections):
        n_pre = network.source(c.pre).n
        n_post = network.population(c.post).n
        out[c.name] = connect(c, n_pre, n_post, stream(network.seed, 1, k))
    return out


def initial_values(network: Network) -> dict[str, dict[str, object]]:
    """``{population: {variable: Quantity of shape (n,) or scalar}}``: the model's defaults
    overridden by :attr:`Population.initial`, :class:`Uniform` entries drawn from the
    population's stream."""
    out = {}
    for k, p in enumerate(network.populations):
        rng = stream(network.seed, 2, k)
        values = dict(p.neuron_model.initial)
        for name, value in p.initial.items():
            if isinstance(value, Uniform):
                lo, hi = value.low, value.high
                value = lo + (hi - lo) * rng.random(p.n)
            values[name] = value
        out[p.name] = values
    return out
