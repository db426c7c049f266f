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
