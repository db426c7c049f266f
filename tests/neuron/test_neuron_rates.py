"""One HH/Traub rate table, two forms: Brian2's equations and NumPy's rates give the same values.

The voltage grid holds the removable singularities of the ``exprel`` rates (HH: alpha_m at
-40 mV, alpha_n at -55 mV; Traub–Miles: alpha_m at -54, beta_m at -27, alpha_n at -52 mV).
"""

import numpy as np
import pytest

from neurosim.neuron.rates import (HH_RATE_TABLE, HH_RATES, TRAUB_RATE_TABLE, TRAUB_RATES,
                                   numpy_rates)

GRID_MV = np.r_[np.linspace(-100.0, 50.0, 301), -40.0, -55.0, -54.0, -27.0, -52.0,
                -40.0 + 1e-7, -55.0 - 1e-7]


@pytest.mark.parametrize("table, equations", [(HH_RATE_TABLE, HH_RATES),
                                              (TRAUB_RATE_TABLE, TRAUB_RATES)],
                         ids=["hh", "traub"])
def test_brian2_and_numpy_forms_of_the_rate_table_agree(table, equations):
    from brian2 import NeuronGroup, mV, ms

    group = NeuronGroup(len(GRID_MV), "v : volt" + equations)
    group.v = GRID_MV * mV
    brian2_values = {name: np.asarray(getattr(group, name)[:] * ms) for name in table}
    alpha, beta = numpy_rates(table, GRID_MV)
    for name, values in brian2_values.items():
        kind, gate = name.split("_")
        numpy_values = (alpha if kind == "alpha" else beta)[gate]
        assert np.all(np.isfinite(numpy_values)), name
        np.testing.assert_allclose(numpy_values, values, rtol=1e-9, atol=0, err_msg=name)


def test_the_removable_singularities_take_their_limits():
    alpha, _ = numpy_rates(HH_RATE_TABLE, np.array([-40.0, -55.0]))
    assert alpha["m"][0] == pytest.approx(1.0)   # 0.1 (V+40)/(1 - exp(-(V+40)/10)) -> 1
    assert alpha["n"][1] == pytest.approx(0.1)   # 0.01 (V+55)/(1 - exp(-(V+55)/10)) -> 0.1
