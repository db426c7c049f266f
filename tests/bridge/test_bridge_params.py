"""bridge.params.SNNParams: one immutable, typed record of a converted network's parameters,
with one set of defaults shared by convert(), the simulators and the exports."""

import dataclasses
import inspect

import numpy as np
import pytest
from conftest import random_network, small_cnn_spec

from bridge.convert import convert
from bridge.network import SpikingNetwork
from bridge.params import SNNParams
from bridge.plan import Plan


def test_defaults_are_converts():
    sig = inspect.signature(convert).parameters
    p = SNNParams()
    for name in ("v_th", "v_init", "reset", "readout", "max_pool", "norm", "per_channel"):
        assert getattr(p, name) == sig[name].default, name


def test_a_hand_built_network_starts_where_a_converted_one_does(images):
    snn = convert(random_network(small_cnn_spec()), images)
    bare = SpikingNetwork(snn.ops, snn.input_shape)
    assert Plan(bare, np.float32).v_init == Plan(snn, np.float32).v_init == 0.5
    assert snn.params.norm_samples == len(images)


def test_immutable_and_round_trips_through_a_dict():
    p = SNNParams(v_th=np.float32(0.75), reset="zero", dt=1e-3)
    assert type(p.v_th) is float and p.v_th == 0.75
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.v_th = 2.0
    assert SNNParams.from_dict(p.as_dict()) == p


@pytest.mark.parametrize("kw, needle", [
    (dict(v_th=0), "v_th must be a positive number, got 0"),
    (dict(v_th=float("nan")), "v_th must be a positive number"),
    (dict(v_init=1.0), r"v_init must be in \[0, 1\)"),
    (dict(v_init=True), "v_init must be in"),
    (dict(reset="hold"), "unknown reset 'hold'; known: subtract, zero"),
    (dict(readout="rate"), "unknown readout 'rate'; known: potential, spikes"),
    (dict(max_pool="avg"), "unknown max_pool method 'avg'; known: count, gate"),
    (dict(dt=-1.0), "dt must be a positive number of seconds"),
])
def test_bad_values_are_one_line(kw, needle):
    with pytest.raises(ValueError, match=needle):
        SNNParams(**kw)


def test_unknown_keys_and_wrong_types_are_refused():
    with pytest.raises(ValueError, match="unknown converted-network parameter.*: threshold"):
        SNNParams.from_dict({"threshold": 1.0})
    with pytest.raises(TypeError, match="params must be a bridge.params.SNNParams, got dict"):
        SpikingNetwork([], (3,), [], {"v_th": 1.0})
