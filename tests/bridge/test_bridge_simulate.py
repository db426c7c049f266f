"""The batched simulator: convergence to the ANN as T grows, max-pool gating, SynOps, inputs."""

import numpy as np
import pytest
from conftest import random_network, small_cnn_spec
from numpy.lib.stride_tricks import sliding_window_view

from bridge.convert import convert
from bridge.network import ann_forward
from bridge.simulate import gate_max_pool, simulate, spike_counts


@pytest.fixture(scope="module")
def converted():
    net = random_network(small_cnn_spec("MaxPool2D", batch_norm=True), seed=3)
    x = np.random.default_rng(7).random((200, 12, 12, 1)).astype(np.float32)
    snn = convert(net, x[:100], norm="p99.9")
    y = net.forward(x[100:]).argmax(1)          # labels = the ANN's own predictions
    return snn, x[100:], y


def test_rates_and_predictions_converge_to_the_ann(converted):
    """Deterministic given the network and images (constant input): the same numbers to the
    fourth digit on the OpenBLAS kernels Haswell, Sandybridge and Prescott — r ≥ 0.9995, slope
    within 0.008 of 1, agreement 0.88 at T = 8 and 0.99 at T = 1024. Over other random
    networks (``random_network(seed=s)``, images from ``default_rng(100 + s)``, s = 1–4):
    r ≥ 0.9956, slope within 0.028, agreement 0.99–1.00 at T = 1024, r grows with T in every
    layer. (Network seed 0 is the exception, and is left out here: one of its 8 hidden dense
    units is nearly silent — per-channel λ = 0.0045 — and dividing by it amplifies the
    max-pool count error to r = 0.29, slope 0.04, with 100 % agreement.)"""
    snn, x, y = converted
    # random weights give small logit margins (median 0.08), so convergence needs many steps
    short, long = simulate(snn, x, y, 8), simulate(snn, x, y, 1024)
    assert long.ann_accuracy == 1.0
    for s, l in zip(short.layers, long.layers):
        assert l["pearson_r"] > 0.99, l
        assert l["pearson_r"] >= s["pearson_r"] - 1e-9
        assert abs(l["slope"] - 1) < 0.05, l        # rate ≈ normalised activation
    assert long.agreement_per_step[-1] >= 0.97
    assert long.agreement_per_step[-1] > short.agreement_per_step[-1]
    # the first steps of the long run are the short run
    np.testing.assert_array_equal(long.accuracy_per_step[:8], short.accuracy_per_step)


def test_batching_does_not_change_results(converted):
    snn, x, y = converted
    a = simulate(snn, x, y, 30, batch_size=100)
    b = simulate(snn, x, y, 30, batch_size=7)
    np.testing.assert_array_equal(a.accuracy_per_step, b.accuracy_per_step)
    np.testing.assert_array_equal(a.predictions, b.predictions)
    assert a.synops_per_image == pytest.approx(b.synops_per_image)


@pytest.mark.parametrize("encoding", ["poisson", "regular"])
def test_spike_encodings_converge_too(converted, encoding):
    """Poisson input, T = 400, over Poisson seeds 0–19: agreement on all 100 images 0.89–0.96
    (mean 0.93; seed 6 gave 0.89, below the former ≥ 0.9): the random network's logit margins
    are tiny (median 0.08), so Poisson noise flips near-ties. The better-posed check is on the
    decisive half (ANN logit margin above the median): 1.00 at every seed here, 0.98–1.00 over
    five other random networks × 20 seeds; asserted ≥ 0.95. All images: asserted ≥ 0.8 (0.09
    below the lowest of the 20 seeds, spread 0.07). Layer-0 r 0.9964–0.9966 (asserted > 0.95).
    Regular input is deterministic: agreement 0.98, decisive half 1.00, r 1.000."""
    snn, x, y = converted
    r = simulate(snn, x, y, 400, encoding=encoding, rng=np.random.default_rng(0))
    logits = np.sort(ann_forward(snn.ops, x), axis=1)   # the ANN's logits / λ_out
    margin = logits[:, -1] - logits[:, -2]
    decisive = margin > np.median(margin)
    assert np.mean(r.predictions[decisive] == y[decisive]) >= 0.95
    assert r.agreement_per_step[-1] >= 0.8
    assert r.layers[0]["pearson_r"] > 0.95


def test_poisson_is_reproducible_with_a_seed(converted):
    snn, x, y = converted
    a = simulate(snn, x[:20], y[:20], 20, encoding="poisson", rng=np.random.default_rng(1))
    b = simulate(snn, x[:20], y[:20], 20, encoding="poisson", rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.accuracy_per_step, b.accuracy_per_step)


@pytest.mark.parametrize("k, s", [(2, 2), (3, 3), (3, 2), (2, 1)])
def test_gate_max_pool_against_brute_force(k, s):
    rng = np.random.default_rng(k * 10 + s)
    counts = rng.integers(0, 4, (5, 13, 11, 3)).astype(np.float32)   # many ties
    spikes = (rng.random((5, 13, 11, 3)) < 0.5).astype(np.float32)
    ho, wo = (13 - k) // s + 1, (11 - k) // s + 1
    wc = sliding_window_view(counts, (k, k), axis=(1, 2))[:, ::s, ::s][:, :ho, :wo]
    ws = sliding_window_view(spikes, (k, k), axis=(1, 2))[:, ::s, ::s][:, :ho, :wo]
    idx = wc.reshape(*wc.shape[:4], -1).argmax(-1)        # first maximum, row-major
    ref = np.take_along_axis(ws.reshape(*ws.shape[:4], -1), idx[..., None], -1)[..., 0]
    np.testing.assert_array_equal(gate_max_pool(spikes, counts, k, s), ref)


def test_synops_counted_by_hand():
    """Dense 3→2 then 2→2; constant input: layer 1 costs its MACs once; afterwards every spike
    of the 2 hidden neurons reaches 2 synapses."""
    from ann.spec import LayerSpec, ModelSpec
    spec = ModelSpec((3,), (LayerSpec("Dense", {"units": 2, "activation": "relu"}),
                            LayerSpec("Dense", {"units": 2, "activation": "softmax"})))
    net = random_network(spec)
    net.set_weights([{"W": np.array([[0.5, 0.25], [0, 0], [0, 0]]), "b": np.zeros(2)},
                     {"W": np.eye(2), "b": np.zeros(2)}])
    x = np.array([[1.0, 0, 0]], np.float32)
    snn = convert(net, x, norm="none")
    r = simulate(snn, x, np.array([0]), 16)
    hidden_spikes = 16 * 0.5 + 16 * 0.25
    assert r.synops_per_image == 6 + 2 * hidden_spikes
    assert r.ann_macs_per_image == 6 + 4
    (counts,) = spike_counts(snn, x, 16)
    np.testing.assert_array_equal(counts, [[8, 4]])


def test_bad_inputs(converted):
    snn, x, y = converted
    with pytest.raises(ValueError, match="T must be a positive int, got 0"):
        simulate(snn, x, y, 0)
    with pytest.raises(ValueError, match=r"images of shape \(3, 28, 28\)"):
        simulate(snn, np.zeros((3, 28, 28)), y[:3], 5)
    with pytest.raises(ValueError, match="NaN"):
        simulate(snn, np.full_like(x, np.nan), y, 5)
    with pytest.raises(ValueError, match="labels of shape"):
        simulate(snn, x, y[:5], 5)
    with pytest.raises(TypeError, match="numeric"):
        simulate(snn, np.array([["a"]]), y, 5)


def test_workers_give_identical_results(converted):
    snn, x, y = converted
    one = simulate(snn, x, y, 20, batch_size=16)
    two = simulate(snn, x, y, 20, batch_size=16, workers=2)
    np.testing.assert_array_equal(one.accuracy_per_step, two.accuracy_per_step)
    np.testing.assert_array_equal(one.predictions, two.predictions)
    assert one.synops_per_image == pytest.approx(two.synops_per_image)
    for a, b in zip(one.layers, two.layers):
        assert a["pearson_r"] == pytest.approx(b["pearson_r"])
        assert a["saturated_fraction"] == b["saturated_fraction"]


def test_count_max_pool_tracks_the_busiest_input():
    """After every step the pooled count equals the window's largest input count, and the
    pooled output is a spike train (0/1)."""
    from bridge.simulate import count_max_pool

    rng = np.random.default_rng(3)
    rates = rng.random((4, 6, 6, 2)).astype(np.float32)
    counts = np.zeros_like(rates)
    total, prev = 0, 0
    for _ in range(50):
        counts += (rng.random(rates.shape) < rates).astype(np.float32)
        s, prev = count_max_pool(counts, prev, 2, 2)
        assert set(np.unique(s)) <= {0.0, 1.0}
        total = total + s
        ref = counts.reshape(4, 3, 2, 3, 2, 2).max(axis=(2, 4))
        np.testing.assert_array_equal(total, ref)


def test_count_pooling_is_unbiased_where_the_gate_overcounts():
    """Two inputs of one 2×2 window, each at rate 1/2, firing in turn (the other two silent):
    the gate follows whichever just fired and passes every spike (rate 1); the count method
    passes rate 1/2, the max of the rates."""
    from bridge.simulate import count_max_pool, gate_max_pool

    counts = np.zeros((1, 2, 2, 1), np.float32)
    gate_total = count_total = 0.0
    prev = 0
    for t in range(40):
        s = np.zeros_like(counts)
        s[0, 0, (t + 1) % 2, 0] = 1       # input (0, 1) fires at even t, input (0, 0) at odd t
        counts += s
        gate_total += float(gate_max_pool(s, counts, 2, 2).sum())
        out, prev = count_max_pool(counts, prev, 2, 2)
        count_total += float(out.sum())
    assert count_total == 20
    assert gate_total == 40
