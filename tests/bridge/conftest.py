"""Small networks for the bridge tests (random weights, no training needed)."""

import numpy as np
import pytest

from ann.network import Network
from ann.spec import LayerSpec, ModelSpec


def small_cnn_spec(pool="AvgPool2D", batch_norm=False):
    conv = {"filters": 3, "kernel_size": 3}
    layers = ([LayerSpec("Conv2D", {**conv, "use_bias": False}), LayerSpec("BatchNorm"),
               LayerSpec("Activation", {"activation": "relu"})] if batch_norm
              else [LayerSpec("Conv2D", {**conv, "activation": "relu"})])
    layers += [LayerSpec(pool), LayerSpec("Flatten"), LayerSpec("Dropout", {"rate": 0.3}),
               LayerSpec("Dense", {"units": 8, "activation": "relu"}),
               LayerSpec("Dense", {"units": 4, "activation": "softmax"})]
    return ModelSpec((12, 12, 1), tuple(layers), name="small_cnn")


def random_network(spec, seed=0):
    """A network with random weights, non-trivial biases and BatchNorm statistics."""
    rng = np.random.default_rng(seed)
    net = Network.from_spec(spec, rng)
    weights = net.get_weights()
    for w in weights:
        if "b" in w:
            w["b"] = rng.normal(0, 0.1, w["b"].shape)
        if "gamma" in w:
            w["gamma"] = rng.uniform(0.5, 1.5, w["gamma"].shape)
            w["beta"] = rng.normal(0, 0.2, w["beta"].shape)
            w["running_mean"] = rng.normal(0, 0.3, w["running_mean"].shape)
            w["running_var"] = rng.uniform(0.5, 2.0, w["running_var"].shape)
    net.set_weights(weights)
    return net


@pytest.fixture
def images():
    return np.random.default_rng(42).random((64, 12, 12, 1)).astype(np.float32)
