"""The IF neuron and the input encoders against their closed forms (Rueckauer et al. 2017)."""

import numpy as np
import pytest

from bridge.encoding import make_encoder
from bridge.params import SNNParams
from bridge.network import SpikingNetwork, Synaptic
from bridge.neuron import IFParams, if_step
from bridge.simulate import spike_counts

# currents that are exact binary fractions, so float32 sums are exact
CURRENTS = np.array([0.0, 1 / 64, 0.125, 0.3125, 0.5, 0.75, 63 / 64, 1.0], np.float32)


@pytest.mark.parametrize("T", [1, 7, 64, 200])
def test_subtractive_reset_fires_floor_T_I(T):
    v = np.zeros_like(CURRENTS)
    total = np.zeros_like(CURRENTS)
    for _ in range(T):
        s, v = if_step(CURRENTS, v, IFParams(1.0, "subtract"))
        total += s
    np.testing.assert_array_equal(total, np.floor(T * CURRENTS.astype(np.float64)))


@pytest.mark.parametrize("T", [1, 7, 64, 200])
def test_reset_to_zero_fires_floor_T_over_ceil(T):
    v = np.zeros_like(CURRENTS)
    total = np.zeros_like(CURRENTS)
    for _ in range(T):
        s, v = if_step(CURRENTS, v, IFParams(1.0, "zero"))
        total += s
    period = np.where(CURRENTS > 0, np.ceil(1.0 / np.maximum(CURRENTS, 1e-30)), np.inf)
    np.testing.assert_array_equal(total, np.floor(T / period))


def test_threshold_other_than_one():
    v = np.zeros(1, np.float32)
    n = 0
    for _ in range(100):
        s, v = if_step(np.array([0.5], np.float32), v, IFParams(2.0, "subtract"))
        n += int(s[0])
    assert n == 25


def test_in_place_update_is_the_same_arithmetic():
    rng = np.random.default_rng(0)
    cur = rng.normal(0.3, 0.5, 1000).astype(np.float32)
    v1 = np.zeros(1000, np.float32)
    v2 = np.zeros(1000, np.float32)
    for _ in range(50):
        s1, v1 = if_step(cur, v1, IFParams())
        s2, _ = if_step(cur, v2, IFParams(), out=v2)
        np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(v1, v2)


def test_unknown_reset():
    with pytest.raises(ValueError, match="unknown reset 'soft'"):
        if_step(np.ones(2), np.zeros(2), IFParams(1.0, "soft"))


def test_one_layer_network_closed_form():
    """One Dense layer, constant input x: current I = W x + b per step, so each neuron fires
    min(T, max(0, ⌊T·I + v_init⌋)) spikes (reset by subtraction, V(0) = v_init) — exactly."""
    x = np.array([[1.0, 0.5, 0.25, 0.0]], np.float32)
    W = np.array([[0.25, 0.5, -0.5, 1.0, 0.0],
                  [0.5, 0.25, 0.0, 0.5, 0.125],
                  [0.25, -1.0, 0.5, 1.0, 0.0],
                  [9.0, 9.0, 9.0, 9.0, 9.0]], np.float32)
    b = np.array([0.0, 0.0625, 0.0, -0.25, 0.5], np.float32)
    I = (x @ W + b)[0].astype(np.float64)           # [0.5625, 0.3125, -0.375, 1.25, 0.5625]
    for v_init in (0.0, 0.5):   # starting half-charged rounds to nearest instead of down
        snn = SpikingNetwork([Synaptic("dense", W, b, spiking=True)], (4,),
                             params=SNNParams(v_init=v_init, readout="spikes"))
        for T in (1, 10, 16, 100, 333):
            (counts,) = spike_counts(snn, x, T)
            expected = np.clip(np.floor(T * I + v_init), 0, T)
            np.testing.assert_array_equal(counts[0], expected)


def test_regular_encoder_is_floor_t_x():
    x = np.array([0.0, 0.25, 0.5, 1.0], np.float32)
    enc = make_encoder("regular", x)
    trains = enc.block(25)
    total = trains.sum(axis=0) + enc.block(15).sum(axis=0)      # blocks continue the trains
    np.testing.assert_array_equal(total, np.floor(40 * x))
    np.testing.assert_array_equal(np.isin(trains, (0, 1)), True)


def test_poisson_encoder_rate_and_seed():
    """The mean of 20 000 Bernoulli(0.3) draws has s.d. 0.0032; over seeds 0–19 |mean − 0.3|
    was ≤ 0.0091 (mean 0.0021; seed 5, used here: 0.0028). Asserted < 0.015 = 4.6 s.d., above
    the largest of the 20 seeds (NumPy's generator streams are the same on every machine)."""
    x = np.full(20000, 0.3, np.float32)
    a = make_encoder("poisson", x, np.random.default_rng(5))
    b = make_encoder("poisson", x, np.random.default_rng(5))
    sa, sb = a.block(1)[0], b.block(1)[0]
    np.testing.assert_array_equal(sa, sb)
    assert abs(sa.mean() - 0.3) < 0.015
    with pytest.raises(ValueError, match="needs rng"):
        make_encoder("poisson", x)
    with pytest.raises(ValueError, match="unknown encoding 'burst'"):
        make_encoder("burst", x)


def _signed_run(currents, v0=0.5):
    """Step a signed neuron through ``currents (T, M)``: spikes and counts per step."""
    v = np.full(currents.shape[1], v0)
    counts = np.zeros(currents.shape[1])
    spikes, history = [], []
    for current in currents:
        s, v = if_step(current, v, IFParams(1.0, "subtract", signed=True), counts=counts)
        counts += s
        spikes.append(s)
        history.append(counts.copy())
    return np.array(spikes), np.array(history), v


def test_signed_count_is_the_rounded_relu_of_the_integrated_current():
    """Signed neurons (bridge.neuron): with ``V[0] = θ/2`` and steps ``|I| < θ``, the count after
    every step is ``max(0, ⌊½ + Σ I⌋)``. Binary-fraction currents keep the float64 sums exact; the
    compiled loop (bridge.kernels) must send the same spikes."""
    from bridge.kernels import if_run

    rng = np.random.default_rng(0)
    currents = rng.integers(-63, 64, (200, 400)) / 64 + rng.integers(0, 2, 400) / 64
    spikes, counts, v = _signed_run(currents)
    expected = np.maximum(0, np.floor(0.5 + np.cumsum(currents, axis=0)))
    np.testing.assert_array_equal(counts, expected)
    assert (spikes < 0).sum() > 100 and (spikes > 0).sum() > 100   # both kinds are sent
    v_k, n_k = np.full(400, 0.5), np.zeros(400)
    out = if_run(currents.copy(), v_k, 1.0, "subtract", n_k, signed=True)
    np.testing.assert_array_equal(out, spikes)
    np.testing.assert_array_equal(n_k, counts[-1])
    np.testing.assert_array_equal(v_k, v)
    unsigned = np.zeros(400)
    if_run(currents.copy(), np.full(400, 0.5), 1.0, "subtract", unsigned)
    assert (unsigned > counts[-1]).any() and (unsigned >= counts[-1]).all()   # never takes back


def test_signed_neuron_takes_back_a_transient_spike():
    """A current that rises then falls: the unsigned neuron keeps its spike, the signed one takes
    it back when the integrated current falls below zero again."""
    currents = np.array([[0.75], [-0.5], [-0.5], [0.0]])
    spikes, counts, _ = _signed_run(currents)
    np.testing.assert_array_equal(spikes[:, 0], [1, -1, 0, 0])     # V: 1.25, -0.25, ...
    np.testing.assert_array_equal(counts[:, 0], [1, 0, 0, 0])
    v, unsigned = np.full(1, 0.5), 0.0
    for current in currents:
        s, v = if_step(current, v, IFParams(1.0, "subtract"))
        unsigned += s[0]
    assert unsigned == 1


def test_signed_needs_reset_by_subtraction():
    assert SNNParams().signed and not SNNParams(reset="zero").signed
    assert not SNNParams(signed=False).signed
    old_record = {k: v for k, v in SNNParams().as_dict().items() if k != "signed"}
    assert not SNNParams.from_dict(old_record).signed     # written before signed neurons
    assert SNNParams.from_dict(SNNParams().as_dict()).signed
    with pytest.raises(ValueError, match="signed neurons reset by subtraction, got reset 'zero'"):
        SNNParams(reset="zero", signed=True)
    with pytest.raises(ValueError, match="signed must be True, False or None, got 'yes'"):
        SNNParams(signed="yes")
    with pytest.raises(ValueError, match="signed neurons need counts"):
        if_step(np.ones(2), np.zeros(2), IFParams(1.0, "subtract", True))
    from bridge.kernels import if_run

    with pytest.raises(ValueError, match="signed neurons reset by subtraction"):
        if_run(np.ones((2, 2)), np.zeros(2), 1.0, "zero", np.zeros(2), signed=True)
