"""The residual network of :func:`ann.spec_models.resnet_spec` on the NumPy network: it builds,
runs forward and backward, and a few optimizer steps on a tiny batch lower the loss."""

import numpy as np

from ann.network import Network
from ann.optimizers import Adam
from ann.spec_models import resnet_spec


def test_default_resnet_forward_backward():
    net = Network.from_spec(resnet_spec(), np.random.default_rng(0))
    assert net.graph is not None and net.count_params() == 174_970  # counted by hand
    rng = np.random.default_rng(1)
    x, y = rng.random((4, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 4)
    p = net.forward(x)
    assert p.shape == (4, 10) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    assert np.isfinite(net.loss_and_gradients(x, y))
    grads = net.gradients()
    assert all(np.isfinite(g).all() for g in grads)
    assert all(np.abs(g).max() > 0 for g in grads)  # every layer, both paths of every block


def test_resnet_trains_on_a_tiny_batch():
    net = Network.from_spec(resnet_spec(blocks=1, channels=(4, 8, 8)), np.random.default_rng(0))
    rng = np.random.default_rng(2)
    x, y = rng.random((16, 28, 28, 1), dtype=np.float32), np.arange(16) % 4
    opt = Adam(1e-2)
    losses = []
    for _ in range(12):
        losses.append(net.loss_and_gradients(x, y))
        opt.apply(net.parameters(), net.gradients())
    assert losses[-1] < 0.5 * losses[0]
    # batch statistics (the running averages of BatchNorm barely move in 12 steps)
    assert (net.last_output.argmax(axis=1) == y).mean() > 0.5
