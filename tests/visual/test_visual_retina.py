"""Retina and LGN stages of neurosim.visual, checked against analytic results and independent
implementations (explicit kernels, simulated dead-time Poisson trains)."""

import numpy as np
import pytest
from scipy import signal

from neurosim.visual import stimuli as st
from neurosim.visual.analysis import suppression_index
from neurosim.visual.bipolar import flash_gain, lowpass
from neurosim.visual.ganglion import poisson_spikes
from neurosim.visual.lgn import LGNParams, lgn_relay
from neurosim.visual.opl import outer_plexiform
from neurosim.visual.pathway import RatePath
from neurosim.visual.photoreceptors import PhotoreceptorParams, photoreceptors
from neurosim.visual.protocols import area_response


@pytest.fixture(scope="module")
def model():
    return RatePath()


def test_photoreceptors_follow_weber_and_compress():
    for level in (0.1, 0.5, 2.0):
        assert photoreceptors(np.array([level]), level)[0] == pytest.approx(0.5)
    I = np.linspace(0, 4, 200)
    p = photoreceptors(I, 0.5, PhotoreceptorParams())
    assert np.all(np.diff(p) > 0) and p[-1] < 1
    # compressive: equal increments give shrinking response increments above the mean
    assert np.all(np.diff(p[I > 0.5], 2) < 0)


def test_opl_equals_explicit_difference_of_gaussians():
    rng = np.random.default_rng(1)
    p = rng.random((1, 40, 40))
    sc, ss, ws = 1.0, 3.0, 0.8
    R = 9
    y, x = np.mgrid[-R:R + 1, -R:R + 1]
    g = lambda s: np.exp(-(x**2 + y**2) / (2 * s * s)) / (2 * np.pi * s * s)  # noqa: E731
    dog = g(sc) - ws * g(ss)
    ref = signal.convolve2d(p[0] - 0.5, dog, mode="same")
    out = outer_plexiform(p, sc, ss, ws)[0]
    inner = slice(R, -R)  # away from the borders, where padding differs
    np.testing.assert_allclose(out[inner, inner], ref[inner, inner], atol=2e-3)
    assert np.abs(outer_plexiform(np.full((1, 20, 20), 0.5), sc, ss, ws)).max() < 1e-12


def test_lowpass_is_the_exponential_step_response():
    dt, tau = 1e-3, 0.02
    x = np.zeros(200)
    x[50:] = 1.0
    y = lowpass(x, tau, dt)
    t = (np.arange(200) - 49) * dt
    expect = np.where(np.arange(200) >= 50, 1 - np.exp(-t / tau), 0)
    np.testing.assert_allclose(y, expect, atol=1e-12)


def test_flash_gain_is_peak_of_step_response():
    t = np.linspace(0, 1, 400001)
    for tf, ts, k in [(0.01, 0.06, 0.3), (0.008, 0.04, 0.85)]:
        s = (1 - np.exp(-t / tf)) - k * (1 - np.exp(-t / ts))
        assert flash_gain(tf, ts, k) == pytest.approx(s.max(), rel=1e-6)


@pytest.mark.parametrize("channel", [0, 1])
def test_on_cells_fire_at_light_onset_off_cells_at_offset(model, channel):
    """Deterministic rate path (no randomness; identical on the Haswell and Sandybridge
    OpenBLAS kernels). Measured, midget / parasol: ON onset 30.5 / 27.4 × baseline (asserted
    > 5), OFF during the spot at most 0.004 / 0.000 Hz above baseline (asserted < 0.5), OFF at
    offset 16.1 / 90.2 Hz above its onset level (asserted > 3), OFF/ON at offset 1.15 / 19.0."""
    dt = 0.002
    movie = st.flash(st.spot(28, 4, 1.0, 0.5), 0.5, 0.1, 0.3, 0.5, dt)   # on 100..300 ms
    r = model.run(movie, dt=dt, stages=["rgc_on", "rgc_off"], I_adapt=0.5)
    on, off = r["rgc_on"][:, channel, 14, 14], r["rgc_off"][:, channel, 14, 14]
    pre, onset, offset = slice(25, 50), slice(50, 75), slice(150, 175)
    base = model.params.channels[channel].r0
    assert on[pre].mean() == pytest.approx(base) and off[pre].mean() == pytest.approx(base)
    assert on[onset].mean() > 5 * base             # ON: strong response at onset
    assert off[onset].max() < base + 0.5         # OFF: at baseline during the spot
    assert off[offset].mean() > off[onset].mean() + 3  # OFF: response at offset
    assert off[offset].mean() > on[offset].mean() or channel == 0


def test_off_cells_respond_to_a_dark_spot_on_cells_do_not(model):
    """Deterministic; OFF/ON 41.6 and 41.0 (asserted > 4)."""
    r = model.run(st.spot(28, 4, 0.0, 0.5), stages=["rgc_on", "rgc_off"], I_adapt=0.5)
    for c in range(2):
        assert r["rgc_off"][0, c, 14, 14] > 4 * r["rgc_on"][0, c, 14, 14]


@pytest.mark.parametrize("unit", [("rgc_on", (0, 14, 14)), ("rgc_on", (1, 14, 14)),
                                  ("lgn_on", (1, 14, 14))])
def test_area_response_rises_then_falls(model, unit):
    """Deterministic (same on two OpenBLAS kernels). Peak at diameter index 2 / 4 / 4 of 27,
    rise 1.62 / 4.56 / 3.89 × the smallest spot (asserted > 1.5: the midget's 8 % margin is
    the tightest, with no randomness to move it), suppression index 0.785 / 0.783 / 0.745
    (asserted > 0.3)."""
    # spots of 20 % contrast centred on the unit, from under one pixel to the whole image
    d, r = area_response(model, unit, np.arange(0.5, 27, 1.0), luminance=0.6, center=(14, 14))
    k = int(np.argmax(r))
    assert 0 < k < len(d) - 3                     # peak at an intermediate size
    assert r[k] > 1.5 * r[0]                      # rises
    assert suppression_index(r) > 0.3             # then falls (surround antagonism)
    # the midget-like peak comes at a smaller spot than the parasol-like one
    if unit[1][0] == 0:
        _, r1 = area_response(model, ("rgc_on", (1, 14, 14)), d, luminance=0.6, center=(14, 14))
        assert d[k] < d[int(np.argmax(r1))]


def test_lgn_relay_matches_simulated_dead_time_poisson():
    """With 1000 s per rate, the 20 Hz train holds only ~20 000 spikes (s.d. 0.7 %): over seeds
    0–19 the largest relative error reached 1.9 % against the asserted 2 % (seed 0, used here:
    0.8 %). Each rate now gets ~200 000 input spikes (T = 2·10⁵ / rate, about the former total
    work): 0.06–0.51 % over seeds 0–19 (seed 0: 0.15 %); asserted 2 %, a margin of 1.5 points
    against a spread of 0.45."""
    rng = np.random.default_rng(0)
    tau = LGNParams().tau_ref
    for rate in (20.0, 100.0, 300.0):
        T = 2e5 / rate
        times = np.cumsum(rng.exponential(1 / rate, int(rate * T * 1.2)))
        times = times[times < T]
        kept, last = 0, -np.inf
        for s in times:                  # a relay cell passes a spike unless refractory
            if s - last > tau:
                kept, last = kept + 1, s
        assert kept / T == pytest.approx(lgn_relay(np.array(rate)), rel=0.02)


def test_poisson_spikes_rate_and_errors():
    """20 000 steps give the 10 Hz neuron ~200 spikes (s.d. 7 %): over seeds 0–19 the largest
    relative error was 0.5–10.0 %, reaching the asserted 10 % (seed 9). With 400 000 steps:
    0.3–3.3 % (mean 1.3 %; seed 2, used here: 1.4 %), a margin of 6.7 points against a spread
    of 3.0."""
    rng = np.random.default_rng(2)
    s = poisson_spikes(np.array([10.0, 50.0]), 1e-3, 400_000, rng)
    np.testing.assert_allclose(s.mean(axis=0) / 1e-3, [10, 50], rtol=0.1)
    with pytest.raises(ValueError, match="rates\\*dt"):
        poisson_spikes(np.array([2000.0]), 1e-3, 10, rng)


@pytest.mark.parametrize("channel, inner, outer", [(0, 4, 10), (1, 8, 20)])
def test_light_annulus_drives_the_off_centre_through_the_surround(model, channel, inner, outer):
    """A light ring on the surround (outside the centre) acts like a dark centre: OFF-centre
    cells fire, ON-centre cells fall to their maintained rate (Kuffler 1953).

    Deterministic; OFF at 20.4 / 16.1 × r0 (asserted > 5) and 20.3 / 16.1 × ON (asserted
    > 5)."""
    ring = st.annulus(28, inner, outer, 1.0, 0.5, center=(14, 14))
    r = model.run(ring, stages=["rgc_on", "rgc_off"], I_adapt=0.5)
    on, off = r["rgc_on"][0, channel, 14, 14], r["rgc_off"][0, channel, 14, 14]
    assert off > 5 * model.params.channels[channel].r0
    assert on < off / 5
