"""The network description: one-line TypeError / ValueError naming the bad value."""

import pytest
from brian2 import Hz, ms, mV, nA, nS

from neurosim.network import (Connection, Network, PoissonInput, Population, Recording, Synapse,
                              simulate)

LIF = dict(tau=20 * ms, E_L=0 * mV, v_th=20 * mV, v_reset=10 * mV, t_ref=2 * ms)
DELTA = Synapse("delta")


def pop(n=10, name="E"):
    return Population(name, "lif", n, params=LIF)


def conn(**kw):
    base = dict(pre="E", post="E", rule="all_to_all", weight=0.1 * mV, delay=1 * ms,
                synapse=DELTA)
    return Connection(**{**base, **kw})


def one_line(excinfo, *needles):
    text = str(excinfo.value)
    assert "\n" not in text
    for n in needles:
        assert n in text, text


@pytest.mark.parametrize("make, exc, needles", [
    (lambda: Population("E", "foo", 3), ValueError, ["'foo'", "lif"]),
    (lambda: Population("E", "izhikevich:XX", 3), ValueError, ["XX"]),
    (lambda: Population("E", "lif", 0), ValueError, ["n=0"]),
    (lambda: Population("E", "lif", 3, params=dict(tau=3 * mV)), ValueError, ["tau", "time"]),
    (lambda: Population("E", "lif", 3, I_e=1 * mV), ValueError, ["I_e", "current"]),
    (lambda: Population("1E", "lif", 3), ValueError, ["'1E'"]),
    (lambda: PoissonInput("x", 3, 5 * mV), ValueError, ["rate", "rate (e.g."]),
    (lambda: PoissonInput("x", 3, 5.0), TypeError, ["rate=5.0"]),
    (lambda: PoissonInput("x", 3, -5 * Hz), ValueError, ["negative"]),
    (lambda: Synapse("gaba"), ValueError, ["'gaba'", "cond_exp"]),
    (lambda: Synapse("exp"), ValueError, ["tau"]),
    (lambda: Synapse("exp", tau=5 * mV), ValueError, ["tau", "time"]),
    (lambda: Synapse("cond_exp", tau=5 * ms), ValueError, ["E_rev"]),
    (lambda: Synapse("delta", tau=5 * ms), ValueError, ["delta"]),
    (lambda: conn(rule="random"), ValueError, ["'random'", "fixed_indegree"]),
    (lambda: conn(rule="fixed_probability", p=1.5), ValueError, ["p=1.5", "[0, 1]"]),
    (lambda: conn(rule="fixed_probability", p=-0.1), ValueError, ["p=-0.1"]),
    (lambda: conn(rule="fixed_probability"), TypeError, ["p"]),
    (lambda: conn(p=0.5), ValueError, ["fixed_probability"]),
    (lambda: conn(rule="fixed_indegree"), TypeError, ["indegree"]),
    (lambda: conn(delay=-1 * ms), ValueError, ["delay", "negative"]),
    (lambda: conn(delay=1 * mV), ValueError, ["delay", "time"]),
    (lambda: conn(delay=1.0), TypeError, ["delay=1.0"]),
    (lambda: Network([pop()], [], [conn(delay=0.05 * ms)]), ValueError, ["delay", ">= dt"]),
    (lambda: Network([pop()], [], [conn(rule="fixed_indegree", indegree=11)]), ValueError,
     ["indegree=11", "10"]),
    (lambda: Network([pop()], [], [conn(rule="fixed_indegree", indegree=10,
                                        allow_autapses=False)]), ValueError, ["indegree=10"]),
    (lambda: Network([pop()], [], [conn(weight=1 * nA)]), ValueError, ["weight", "voltage"]),
    (lambda: Network([pop()], [], [conn(weight=0.1)]), TypeError, ["weight=0.1"]),
    (lambda: Network([pop()], [], [conn(synapse=Synapse("cond_exp", 5 * ms, 0 * mV),
                                        weight=-1 * nS)]), ValueError, ["negative"]),
    (lambda: Network([pop()], [], [conn(synapse=Synapse("exp", 5 * ms), weight=1 * mV)]),
     ValueError, ["current"]),
    (lambda: Network([pop()], [], [conn(post="X")]), ValueError, ["'X'"]),
    (lambda: Network([pop()], [], [conn(pre="X")]), ValueError, ["'X'"]),
    (lambda: Network([pop(), pop(5, "I")], [], [conn(pre="I", rule="one_to_one")]), ValueError,
     ["one_to_one", "5 -> 10"]),
    (lambda: Network([pop(), pop(name="E")]), ValueError, ["'E'"]),
    (lambda: Network([pop()], dt=0 * ms), ValueError, ["dt", "positive"]),
    (lambda: Network([pop()], recording=Recording(state={"E": (("w",), [0])})), ValueError,
     ["'w'"]),
    (lambda: Network([pop()], recording=Recording(state={"E": (("v",), [10])})), ValueError,
     ["indices"]),
    (lambda: Network([pop()], recording=Recording(spikes=("Q",))), ValueError, ["'Q'"]),
])
def test_bad_values_are_one_line_errors(make, exc, needles):
    with pytest.raises(exc) as e:
        make()
    one_line(e, *needles)


def test_unknown_engine_is_one_line():
    with pytest.raises(ValueError) as e:
        simulate(Network([pop()]), 10 * ms, engine="neuron")
    one_line(e, "'neuron'", "brian2, nest")


def test_description_is_frozen_and_named():
    c = conn()
    assert c.name == "E->E"
    with pytest.raises(Exception):
        c.rule = "one_to_one"
    s = Synapse("cond_exp", 5 * ms, 0 * mV)
    assert s.name == "cond_exp"
    net = Network([pop()], [], [conn(), conn(name="again")])
    assert net.n_neurons == 10 and net.channels("E") == {"delta": DELTA}
