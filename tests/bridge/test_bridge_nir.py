"""NIR export: the graph read back from disk, run by a small independent interpreter written
from NIR's node definitions (continuous-time equations at dt = 1, NCHW, PyTorch weight layouts),
fires exactly as the batched simulator."""

import nir
import numpy as np
import pytest
from conftest import random_network, small_cnn_spec
from scipy.signal import correlate2d

from bridge.convert import convert
from bridge.nir_export import to_nir, write_nir
from bridge.simulate import spike_counts


def run_nir(graph, x_chw, T):
    """Simulate a chain-shaped NIR graph for T steps of dt = 1; spike counts per IF node and
    the final integrator value."""
    order, node = [], "input"
    nxt = dict(graph.edges)
    while node in nxt:
        node = nxt[node]
        order.append(node)
    state, counts = {}, {}
    for _ in range(T):
        x = x_chw
        for name in order:
            n = graph.nodes[name]
            if isinstance(n, nir.Conv2d):
                ph, pw = np.broadcast_to(np.asarray(n.padding, int).reshape(-1), (2,))
                st = int(np.asarray(n.stride).reshape(-1)[0])
                xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
                x = np.stack([sum(correlate2d(xp[ci], n.weight[co, ci], mode="valid")
                                  for ci in range(n.weight.shape[1])) + n.bias[co]
                              for co in range(n.weight.shape[0])])[:, ::st, ::st]
            elif isinstance(n, nir.AvgPool2d):
                k = int(n.kernel_size[0])
                c, h, w = x.shape
                x = x[:, :h // k * k, :w // k * k].reshape(c, h // k, k, w // k, k).mean((2, 4))
            elif isinstance(n, nir.Flatten):
                x = x.reshape(-1)
            elif isinstance(n, nir.Affine):
                x = n.weight @ x + n.bias
            elif isinstance(n, nir.IF):
                v = state.setdefault(name, np.zeros_like(x))
                v += n.r * x
                z = v > n.v_threshold
                v[z] = n.v_reset[z]
                counts[name] = counts.get(name, 0) + z
                x = z.astype(float)
            elif isinstance(n, nir.I):
                v = state.setdefault(name, np.zeros_like(x))
                v += n.r * x
                x = v
            elif isinstance(n, nir.Output):
                pass
    return [counts[k] for k in order if k in counts], x


@pytest.mark.parametrize("readout", ["spikes", "potential"])
def test_nir_graph_runs_like_the_simulator(tmp_path, images, readout):
    net = random_network(small_cnn_spec("AvgPool2D"), seed=4)
    snn = convert(net, images, norm="p99", reset="zero", readout=readout, v_init=0.0)
    path = write_nir(snn, tmp_path / "net.nir")
    graph = nir.read(path)
    assert {type(n).__name__ for n in graph.nodes.values()} >= {"Input", "Conv2d", "IF",
                                                               "AvgPool2d", "Flatten", "Affine",
                                                               "Output"}
    ours = spike_counts(snn, images[:3], 30, dtype=np.float64)
    for i in range(3):
        theirs, _ = run_nir(graph, images[i].transpose(2, 0, 1).astype(np.float64), 30)
        assert len(theirs) == len(ours)
        for a, b in zip(ours, theirs):
            a = a[i]
            if a.ndim == 3:  # ours NHWC → NIR's CHW
                a = a.transpose(2, 0, 1)
            np.testing.assert_array_equal(a, b)


def test_nir_refusals(images):
    net = random_network(small_cnn_spec("AvgPool2D"))
    with pytest.raises(ValueError, match="reset by subtraction has no exact NIR form"):
        to_nir(convert(net, images, reset="subtract", signed=False), allow_subtract=False)
    graph = to_nir(convert(net, images, reset="subtract", signed=False))
    assert graph.metadata["reset"] == "subtract" and graph.metadata["exported_reset"] == "zero"
    maxnet = random_network(small_cnn_spec("MaxPool2D"))
    with pytest.raises(ValueError, match="NIR has no max pooling"):
        to_nir(convert(maxnet, images, reset="zero"))
