"""Nullclines, vector field, threshold and the phase portrait of the planar models."""

import numpy as np
import pytest

from neurosim.dynamics.models import get_model
from neurosim.dynamics.phase_plane import (nullclines, phase_portrait, require_planar,
                                           vector_field)


def test_fhn_nullclines_are_its_cubic_and_its_line():
    model = get_model("fhn")
    vn, wn = nullclines(model, 0.4, n=120)
    inside = (vn.v - vn.v ** 3 / 3 + 0.4 >= -1.0) & (vn.v - vn.v ** 3 / 3 + 0.4 <= 2.5)
    np.testing.assert_allclose(vn.y[inside, 0], (vn.v - vn.v ** 3 / 3 + 0.4)[inside],
                               atol=1e-9)
    assert np.all(np.isnan(vn.y[~inside, 0]))
    line = (wn.v + 0.7) / 0.8
    ok = (line >= -1.0) & (line <= 2.5)
    np.testing.assert_allclose(wn.y[ok, 0], line[ok], atol=1e-9)


def test_rinzel_nullclines_cross_at_its_fixed_points():
    model = get_model("hh-rinzel")
    pp = phase_portrait(model, 0.0, t_end=30.0)
    (rest,) = pp.fixed_points
    vn, nn = pp.nullclines
    j = np.argmin(np.abs(vn.v - rest.v))
    assert np.nanmin(np.abs(vn.y[j] - rest.state[1])) < 2e-3
    assert np.nanmin(np.abs(nn.y[j] - rest.state[1])) < 2e-3
    assert rest.stability == "stable focus"


def test_vector_field_is_the_rhs_on_a_grid():
    model = get_model("morris-lecar", "class2")
    f = vector_field(model, 90.0, n=7)
    k = (3, 4)
    np.testing.assert_allclose([f.dv[k], f.dy[k]],
                               model.f(np.array([f.v[k], f.y[k]]), 90.0), rtol=1e-12)


def test_morris_lecar_class2_portrait_in_its_bistable_range():
    model = get_model("morris-lecar", "class2")
    pp = phase_portrait(model, 90.0)
    (rest,) = pp.fixed_points
    assert rest.stability == "stable focus"
    sub, supra = pp.trajectories["subthreshold"], pp.trajectories["suprathreshold"]
    assert sub.v.max() < 0 < supra.v.max()
    assert pp.cycle is not None and pp.cycle.v_max > 20               # the coexisting cycle
    assert abs(sub.x[:, -1] - rest.state)[0] < 0.5                    # back to rest


def test_phase_plane_needs_two_state_variables():
    with pytest.raises(ValueError, match="has 4 state variables"):
        require_planar(get_model("hh"))
    with pytest.raises(ValueError, match="window"):
        nullclines(get_model("fhn"), 0.0, window=((1, 0), (0, 1)))
