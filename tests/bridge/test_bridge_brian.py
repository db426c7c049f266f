"""Brian2 cross-check: the exported network fires exactly as the batched simulator (float64,
same constant input, same dt) — an independent simulator, written from the equations."""

import numpy as np
import pytest
from conftest import random_network, small_cnn_spec

from bridge.brian_export import Brian2Network, brian2_spike_counts, effective_layers
from bridge.convert import convert
from bridge.network import ann_forward
from bridge.simulate import spike_counts


@pytest.mark.parametrize("readout, reset, signed", [
    ("spikes", "subtract", True), ("spikes", "subtract", False),
    ("potential", "subtract", True), ("potential", "zero", False)])
def test_brian2_spike_counts_equal_batched_simulator(readout, reset, signed, images):
    net = random_network(small_cnn_spec("AvgPool2D"), seed=1)
    snn = convert(net, images, norm="p99", readout=readout, reset=reset, signed=signed)
    x = images[:3]
    ours = spike_counts(snn, x, 40, dtype=np.float64)
    theirs = brian2_spike_counts(snn, x, 40)
    assert len(theirs) == 3
    total = 0
    for i in range(3):
        assert len(theirs[i]) == len(ours)
        for layer_ours, layer_theirs in zip(ours, theirs[i]):
            np.testing.assert_array_equal(layer_ours[i].reshape(-1), layer_theirs)
            total += int(layer_theirs.sum())
    # the check is not vacuous: the layers really fire. Deterministic (float64); the total is
    # about 8600 (subtract) / 6930 (zero) spikes here, 4967–15952 over network seeds 0–5
    assert total > 500


def test_brian2_signed_neurons_send_the_same_negative_spikes(images):
    """Signed neurons that really take spikes back (the net counts differ from the unsigned
    network's): Brian2's net counts (spikes minus negative events) equal the simulator's."""
    net = random_network(small_cnn_spec("AvgPool2D"), seed=0)
    snn = convert(net, images, norm="max", readout="spikes", signed=True)
    unsigned = convert(net, images, norm="max", readout="spikes", signed=False)
    x = images[:4]
    ours = spike_counts(snn, x, 40, dtype=np.float64)
    plain = spike_counts(unsigned, x, 40, dtype=np.float64)
    assert any(not np.array_equal(a, b) for a, b in zip(ours, plain))
    b2net = Brian2Network(snn)
    negative = 0
    for i in range(4):
        theirs = b2net.spike_counts(x[i], 40)
        assert len(theirs) == len(ours)
        for layer_ours, layer_theirs in zip(ours, theirs):
            np.testing.assert_array_equal(layer_ours[i].reshape(-1), layer_theirs)
        negative += sum(int(np.sum(m.count[:])) for m in b2net.negative)
    assert negative > 0            # Brian2 itself sent negative spikes


def test_effective_matrices_reproduce_the_ops(images):
    net = random_network(small_cnn_spec("AvgPool2D"), seed=2)
    snn = convert(net, images, norm="p99")
    x = images[:4].astype(np.float64).reshape(4, -1)
    for lay in effective_layers(snn):
        x = x @ lay["M"] + lay["b"]
        if lay["spiking"] and lay is not effective_layers(snn)[-1]:
            x = np.maximum(x, 0)
    np.testing.assert_allclose(x, ann_forward(snn.ops, images[:4]), rtol=1e-5, atol=1e-6)


def test_max_pooling_is_refused(images):
    net = random_network(small_cnn_spec("MaxPool2D"))
    snn = convert(net, images)
    with pytest.raises(ValueError, match="max pooling .* cannot be exported"):
        effective_layers(snn)
