"""Connection rules: exact in-degree, one-to-one, all-to-all, Bernoulli counts within binomial
bounds, no autapses when refused, seeded reproducibility."""

import numpy as np
import pytest
from brian2 import ms, mV

from neurosim.network import Connection, Network, Population, Synapse
from neurosim.network.connectivity import build_connectivity, connect, initial_values, stream
from neurosim.network.description import Uniform

LIF = dict(tau=20 * ms, E_L=0 * mV, v_th=20 * mV, v_reset=10 * mV, t_ref=2 * ms)


def c(rule, pre="A", post="B", **kw):
    return Connection(pre, post, rule, weight=0.1 * mV, delay=1 * ms, synapse=Synapse("delta"),
                      **kw)


def test_fixed_indegree_is_exact_and_without_multapses():
    i, j = connect(c("fixed_indegree", indegree=37), 200, 150, stream(3, 1, 0))
    assert np.array_equal(np.bincount(j, minlength=150), np.full(150, 37))
    pairs = i.astype(np.int64) * 1000 + j
    assert len(np.unique(pairs)) == len(pairs)
    assert i.min() >= 0 and i.max() < 200


def test_fixed_indegree_uniform_over_sources():
    """Each source is chosen with probability k/n_pre per target: the out-degree of a source
    is Binomial(n_post, k/n_pre); its mean over sources is exact, its spread binomial."""
    n_pre, n_post, k = 100, 2000, 10
    i, _ = connect(c("fixed_indegree", indegree=k), n_pre, n_post, stream(0, 1, 0))
    out = np.bincount(i, minlength=n_pre)
    assert out.sum() == n_post * k
    sd = np.sqrt(n_post * k / n_pre * (1 - k / n_pre))
    assert np.all(np.abs(out - n_post * k / n_pre) < 5 * sd)


def test_no_autapses_when_refused():
    i, j = connect(c("fixed_indegree", "A", "A", indegree=99, allow_autapses=False), 100, 100,
                   stream(1, 1, 0))
    assert not np.any(i == j) and np.all(np.bincount(j) == 99)
    i, j = connect(c("fixed_probability", "A", "A", p=1.0, allow_autapses=False), 50, 50,
                   stream(1, 1, 0))
    assert len(i) == 50 * 49 and not np.any(i == j)
    i, j = connect(c("all_to_all", "A", "A", allow_autapses=False), 7, 7, stream(1, 1, 0))
    assert len(i) == 42 and not np.any(i == j)


def test_one_to_one_and_all_to_all():
    i, j = connect(c("one_to_one"), 9, 9, stream(0, 1, 0))
    assert np.array_equal(i, np.arange(9)) and np.array_equal(j, np.arange(9))
    i, j = connect(c("all_to_all"), 3, 4, stream(0, 1, 0))
    assert sorted(zip(i.tolist(), j.tolist())) == [(a, b) for a in range(3) for b in range(4)]


@pytest.mark.parametrize("p", [0.0, 0.02, 0.5, 1.0])
def test_fixed_probability_count_within_binomial_bounds(p):
    n_pre, n_post = 300, 400
    i, j = connect(c("fixed_probability", p=p), n_pre, n_post, stream(5, 1, 0))
    n = n_pre * n_post
    sd = np.sqrt(n * p * (1 - p))
    assert abs(len(i) - n * p) <= 5 * sd + 1e-9
    assert len(np.unique(i.astype(np.int64) * n_post + j)) == len(i)


def test_seeded_reproducible_and_streams_independent():
    pops = [Population("A", "lif", 300, params=LIF,
                       initial={"v": Uniform(0 * mV, 10 * mV)}),
            Population("B", "lif", 200, params=LIF)]
    conns = [c("fixed_probability", p=0.1), c("fixed_indegree", "B", "A", indegree=20)]
    a = build_connectivity(Network(pops, (), conns, seed=7))
    b = build_connectivity(Network(pops, (), conns, seed=7))
    other = build_connectivity(Network(pops, (), conns, seed=8))
    for name in a:
        assert all(np.array_equal(x, y) for x, y in zip(a[name], b[name]))
    assert not np.array_equal(a["A->B"][0], other["A->B"][0])
    # adding a connection does not change the others
    more = build_connectivity(Network(pops, (), conns + [c("all_to_all", name="extra")], seed=7))
    assert np.array_equal(more["B->A"][0], a["B->A"][0])
    v = initial_values(Network(pops, (), conns, seed=7))["A"]["v"]
    assert np.all((v >= 0 * mV) & (v < 10 * mV)) and len(np.unique(np.asarray(v))) == 300
