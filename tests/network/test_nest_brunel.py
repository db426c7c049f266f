"""Brian2 against NEST on the same Brunel (2000) model A description (the identical seeded
graph; each engine draws its own Poisson inputs): rates within 10 %, CVs within 0.1.

Measured, order 200 (N_E 800, N_I 200), 200 ms warm-up, NEST relative to Brian2:

- g = 5, η = 2, 500 ms, seeds 1-5: E rates 88.4-88.6 Hz (Brian2), NEST -0.5 to -0.9 %
  (NEST's refractory period lasts one step longer: 0.1 ms of an 11 ms ISI); CV 0.12, difference
  -0.002 to +0.001.
- g = 4.5, η = 0.9 (low rate, irregular), 3 s, seeds 1-5: 3.5-3.75 Hz, NEST -3.8 to +4.5 %;
  CV 0.66-0.68, difference -0.017 to +0.006. (With 1 s the rate differences reached 7.7 %:
  the window is 3 s for a margin over that spread.)
"""

from __future__ import annotations


import pytest



def _both(g, eta, duration_ms, seed):
    from brian2 import ms

    from neurosim.network.analysis import cv_isi, mean_rate
    from neurosim.network.models import brunel
    from neurosim.network.simulate import simulate

    net = brunel(200, g, eta, seed=seed)
    out = {}
    for engine in ("brian2", "nest"):
        r = simulate(net, duration_ms * ms, warmup=200 * ms, engine=engine)
        out[engine] = (mean_rate(r, "E"), mean_rate(r, "I"), cv_isi(r, "E"), r.n_synapses)
    return out


def _check(out):
    (rb, rib, cb, nb), (rn, rin, cn, nn) = out["brian2"], out["nest"]
    assert nb == nn  # the identical graph
    assert rn == pytest.approx(rb, rel=0.10) and rin == pytest.approx(rib, rel=0.10)
    assert abs(cn - cb) <= 0.1


def test_brunel_high_rate_engines_agree():
    _check(_both(5.0, 2.0, 500, seed=1))


@pytest.mark.slow
def test_brunel_low_rate_irregular_engines_agree():
    _check(_both(4.5, 0.9, 3000, seed=2))
