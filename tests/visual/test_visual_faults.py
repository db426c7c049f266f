"""The visual pathway's results are checked for finite values before they are returned
(:func:`neurosim.codegen.check_finite`, the same check as the single-neuron simulations), and
the spiking path's time step is validated before a run."""

import warnings

import numpy as np
import pytest
from brian2 import prefs

from neurosim.visual.pathway import RatePath, VisualParams
from neurosim.visual.photoreceptors import PhotoreceptorParams
from neurosim.visual.spiking import SpikingParams, simulate


@pytest.fixture
def restore_target():
    old = prefs.codegen.target
    yield
    prefs.codegen.target = old


def test_rate_path_nan_is_one_line_value_error():
    """No dark light (I_dark = 0) and a black image: 0/0 in the photoreceptors."""
    model = RatePath(VisualParams(photoreceptors=PhotoreceptorParams(I_dark=0.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match=r"^non-finite result in photoreceptors \(784 of 784 "
                                             r"values NaN or infinite\); check the parameters$"):
            model.run(np.zeros((1, 28, 28)))
        assert np.isfinite(model.run(np.full((1, 28, 28), 0.5))["v1_complex"]).all()


@pytest.mark.parametrize("params, needle", [
    (SpikingParams(dt=0.0), r"SpikingParams.dt=0.0: expected a positive, finite"),
    (SpikingParams(dt=float("nan")), r"SpikingParams.dt=nan"),
    (SpikingParams(duration=-1.0), r"SpikingParams.duration=-1.0"),
    (SpikingParams(duration=0.01, dt=0.02), r"SpikingParams.dt 20 ms: longer than the run's "
                                            r"shortest stretch \(10 ms\)"),
])
def test_spiking_bad_time_step(params, needle):
    with pytest.raises(ValueError, match=needle):
        simulate(RatePath(), np.full((10, 10), 0.5), np.random.default_rng(0), params,
                 target="numpy")


def test_spiking_non_finite_state_is_one_line_value_error(restore_target):
    """An absurd parameter (a NaN resting potential) makes every membrane potential NaN."""
    with pytest.raises(ValueError, match=r"^integration diverged by t = 5 ms in lgn.v; use a "
                                         r"smaller dt \(now 0.1 ms\) or check the parameters$"):
        simulate(RatePath(), np.full((10, 10), 0.5), np.random.default_rng(0),
                 SpikingParams(duration=0.005, E_L=float("nan")), target="numpy")
