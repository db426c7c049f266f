"""Conversion of graph models (issue #13): residual Add of paths with different scales,
Concatenate of branches with different scales, BatchNorm after an Add, depthwise-separable
blocks, global average pooling, clipped ReLU. The converted network's analog (non-spiking)
outputs must equal the ANN's logits before any simulation, and the spiking network must follow
the ANN."""

import numpy as np
import pytest
from conftest import random_network

from ann.spec import LayerSpec, ModelSpec
from ann.spec_models import resnet_spec
from bridge.convert import convert
from bridge.network import Add, Concat, ann_forward
from bridge.simulate import simulate


def L(t, name, inputs=None, **params):
    return LayerSpec(t, params, name=name, inputs=inputs)


def every_graph_layer_spec() -> ModelSpec:
    """Residual Add (projection shortcut, BatchNorm after the Add), a Concatenate of a plain and
    a depthwise-separable branch, BatchNorm after each convolution (after the depthwise one
    too: its kernel (3, 3, 14, 1) once took the 14 BatchNorm scales along its last axis and
    became (3, 3, 14, 14)), relu6, global average pooling."""
    return ModelSpec((10, 10, 1), (
        L("Conv2D", "stem", filters=4, kernel_size=3, padding="same", use_bias=False),
        L("BatchNorm", "stem_bn"), L("ReLU", "stem_relu"),
        L("Conv2D", "a", filters=6, kernel_size=3, padding="same"),
        L("BatchNorm", "a_bn"), L("ReLU", "a_relu"),
        L("Conv2D", "b", filters=6, kernel_size=3, padding="same"),
        L("Conv2D", "proj", inputs="stem_relu", filters=6, kernel_size=1),
        L("Add", "add", inputs=("b", "proj")), L("BatchNorm", "add_bn"),
        L("Activation", "add_relu", activation="relu6"),
        L("Conv2D", "plain", filters=3, kernel_size=3, activation="relu", padding="same"),
        L("SeparableConv2D", "sep", inputs="add_relu", filters=5, kernel_size=(3, 2),
          padding="same", depth_multiplier=2),
        L("BatchNorm", "sep_bn"), L("ReLU", "sep_relu", max_value=4.0),
        L("Concatenate", "cat", inputs=("plain", "sep_relu", "add_relu")),
        L("MaxPool2D", "pool"),
        L("DepthwiseConv2D", "dw", kernel_size=3, padding="same"),
        L("BatchNorm", "dw_bn"), L("ReLU", "dw_relu"),
        L("GlobalAveragePooling2D", "gap"),
        L("Dense", "logits", units=7, activation="softmax")), name="every_layer")


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(3).random((40, 10, 10, 1)).astype(np.float32)


@pytest.mark.parametrize("norm", ["p99.9", "max", "none"])
@pytest.mark.parametrize("per_channel", [True, False])
def test_analog_outputs_equal_the_ann_logits(x, norm, per_channel):
    net = random_network(every_graph_layer_spec(), seed=2)
    snn = convert(net, x, norm=norm, per_channel=per_channel)
    assert any(isinstance(op, Add) for op in snn.ops) and any(
        isinstance(op, Concat) for op in snn.ops)
    np.testing.assert_allclose(ann_forward(snn.ops, x), net.logits(x), rtol=2e-4, atol=2e-5)


def test_merges_of_different_scales_and_the_clip_keep_the_function(x):
    """Per-channel λ differ across the branches that meet (checked), and the relu6 / ReLU(4)
    populations get λ = their cap, so that one spike per step is the cap."""
    net = random_network(every_graph_layer_spec(), seed=2)
    snn = convert(net, x)
    lam = {op.name: np.asarray(l) for op, l in
           zip((op for op in snn.ops if hasattr(op, "b") and hasattr(op, "spiking")),
               snn.lambdas)}
    assert not np.allclose(lam["a"].mean(), lam["stem"].mean())
    np.testing.assert_array_equal(lam["add"], 6.0)
    np.testing.assert_array_equal(lam["sep"], 4.0)
    caps = {op.name: op.cap for op in snn.ops if getattr(op, "cap", None) is not None}
    assert caps == {"add": 1.0, "sep": 1.0}


def test_the_spiking_graph_follows_the_ann(x):
    """T = 200, constant input: the SNN's predictions agree with the ANN's on ≥ 80 % of the 40
    images (random weights: small logit margins; measured 0.95)."""
    net = random_network(every_graph_layer_spec(), seed=2)
    snn = convert(net, x)
    y = net.logits(x).argmax(1)
    r = simulate(snn, x, y, 200, workers=1)
    assert r.ann_accuracy == 1.0
    assert r.agreement_per_step[-1] >= 0.8


def test_resnet_converts_exactly():
    net = random_network(resnet_spec(blocks=1, channels=(4, 8), input_shape=(12, 12, 1)),
                         seed=4)
    xs = np.random.default_rng(1).random((30, 12, 12, 1)).astype(np.float32)
    snn = convert(net, xs)
    np.testing.assert_allclose(ann_forward(snn.ops, xs), net.logits(xs), rtol=2e-4,
                               atol=2e-5)
    assert sum(isinstance(op, Add) for op in snn.ops) == 2


def test_the_input_image_as_a_shortcut(x):
    """An Add may read the input itself (its pixels are the shortcut's spikes, or with constant
    input a constant current): still exact."""
    spec = ModelSpec((10, 10, 1), (
        L("Conv2D", "c", filters=1, kernel_size=3, padding="same"),
        L("Add", "add", inputs=("c", "input")), L("ReLU", "r"), L("Flatten", "f"),
        L("Dense", "o", units=3, activation="softmax")))
    net = random_network(spec, seed=1)
    snn = convert(net, x)
    np.testing.assert_allclose(ann_forward(snn.ops, x), net.logits(x), rtol=2e-4, atol=2e-5)
    r = simulate(snn, x, net.logits(x).argmax(1), 100, workers=1)
    assert r.agreement_per_step[-1] >= 0.8


@pytest.mark.parametrize("layers, needle", [
    ((L("Conv2D", "c", filters=2, kernel_size=3, activation="relu"),
      L("GlobalAveragePooling2D", "g"), L("BatchNorm", "bn"),
      L("Dense", "o", units=2, activation="softmax")),
     "layer 'bn' .BatchNorm.: BatchNorm must follow a weight layer or an Add"),
    ((L("Conv2D", "c", filters=2, kernel_size=3, activation="tanh"), L("Flatten", "f"),
      L("Dense", "o", units=2, activation="softmax")),
     "activation 'tanh' cannot be carried by a firing rate"),
    ((L("Conv2D", "c", filters=2, kernel_size=3), L("MaxPool2D", "p"), L("Flatten", "f"),
      L("Dense", "o", units=2, activation="softmax")),
     "MaxPool2D.: follows conv2d_0 which has no ReLU yet"),
    ((L("Conv2D", "c", filters=2, kernel_size=3, padding="same"),
      L("Conv2D", "d", filters=2, kernel_size=3, padding="same", inputs="input"),
      L("Add", "a1", inputs=("c", "d")), L("Add", "a2", inputs=("a1", "c")), L("ReLU", "r"),
      L("Flatten", "f"), L("Dense", "o", units=2, activation="softmax")),
     "layer 'a2' .Add.: an input is an Add without activation"),
])
def test_what_a_rate_cannot_carry_is_refused_naming_the_layer(layers, needle):
    spec = ModelSpec((5, 5, 2), layers, name="bad")
    with pytest.raises(ValueError, match=needle):
        convert(random_network(spec), np.random.default_rng(0).random((4, 5, 5, 2)))


@pytest.mark.parametrize("encoding", ["constant", "poisson"])
def test_converted_graphs_bit_identical_between_simulators(x, encoding):
    """float64: the step loop and the time-batched simulator give the same counts, readouts and
    SynOps on converted graphs, including an Add that reads the input image."""
    from bridge.layerwise import run_chunk
    from bridge.plan import Plan
    from bridge.step_loop import run_batch

    shortcut = ModelSpec((10, 10, 1), (
        L("Conv2D", "c", filters=1, kernel_size=3, padding="same"),
        L("Add", "add", inputs=("c", "input")), L("ReLU", "r"), L("Flatten", "f"),
        L("Dense", "o", units=3, activation="softmax")))
    for spec in (every_graph_layer_spec(), shortcut):
        plan = Plan(convert(random_network(spec, seed=2), x), np.float64)
        a = run_batch(plan, x[:9], 12, encoding, np.random.default_rng(0), True,
                      record_readouts=True)
        b = run_chunk(plan, x[:9], 12, encoding, np.random.default_rng(0), True,
                      record_readouts=True)
        for i in a.counts:
            np.testing.assert_array_equal(a.counts[i], b.counts[i])
        np.testing.assert_array_equal(a.readouts, b.readouts)
        assert a.synops == b.synops


def test_neurosim_convert_runs_a_saved_graph_model(tmp_path, mnist, capsys):
    """``neurosim convert`` on a residual graph saved by ann.io (format 2): a report with every
    step's accuracy and a NIR file; the norse form refuses it in one line before any work."""
    import json

    from ann.io import save_model
    from cli_inprocess import run_cli

    spec = ModelSpec((28, 28, 1), (
        L("Conv2D", "stem", filters=3, kernel_size=3, strides=2, activation="relu"),
        L("Conv2D", "b", filters=3, kernel_size=3, padding="same"),
        L("Add", "add", inputs=("b", "stem")), L("ReLU", "r"),
        L("GlobalAveragePooling2D", "gap"), L("Dense", "o", units=10, activation="softmax")))
    path = tmp_path / "graph.npz"
    save_model(path, random_network(spec, seed=3))
    rc, out, err = run_cli(["convert", str(path), "-T", "6", "--n-test", "30", "--norm-samples",
                            "50", "--json", "--offline", "--workers", "1"], capsys)
    assert rc == 0, err
    r = json.loads(out.strip().splitlines()[-1])
    assert len(r["accuracy_per_step"]) == 6 and [lay["name"] for lay in r["layers"]] == [
        "stem", "add"]
    rc, out, err = run_cli(["convert", str(path), "-T", "4", "--n-test", "10", "--norm-samples",
                            "20", "--nir", str(tmp_path / "g.nir"), "--no-signed", "--offline",
                            "--workers", "1"], capsys)
    assert rc == 0, err
    assert (tmp_path / "g.nir").stat().st_size > 0
    rc, out, err = run_cli(["convert", str(path), "--nir", str(tmp_path / "n.nir"),
                            "--nir-client", "norse", "--offline"], capsys)
    assert rc == 2 and "--nir-client norse takes chains of layers" in err
    assert len(err.splitlines()) == 1


def test_brian2_fires_exactly_as_the_simulators_on_a_converted_graph(x):
    """The second engine: every graph layer (average pooling in place of max pooling, which has
    no fixed synapses) exported to Brian2 — one Synapses object per pair of groups, the Add's
    current branches and shortcut folded into them — gives the float64 simulator's spike counts
    exactly, group by group."""
    from bridge.brian_export import brian2_spike_counts
    from bridge.simulate import spike_counts

    layers = tuple(LayerSpec("AvgPool2D", lay.params, name=lay.name, inputs=lay.inputs)
                   if lay.type == "MaxPool2D" else lay for lay in every_graph_layer_spec().layers)
    spec = ModelSpec((10, 10, 1), layers)
    snn = convert(random_network(spec, seed=2), x, readout="spikes")
    ours = spike_counts(snn, x[:2], 30, dtype=np.float64)
    theirs = brian2_spike_counts(snn, x[:2], 30)
    total = 0
    for i in range(2):
        assert len(theirs[i]) == len(ours)
        for layer_ours, layer_theirs in zip(ours, theirs[i]):
            np.testing.assert_array_equal(layer_ours[i].reshape(-1), layer_theirs)
            total += int(layer_theirs.sum())
    assert total > 100


def nir_graph_spec() -> ModelSpec:
    """Residual Adds (a projection shortcut; a spiking shortcut; BatchNorm after each Add), a
    depthwise convolution, average and global average pooling: every graph operation NIR can
    express. (BatchNorm after the spiking shortcut's Add makes its gains irregular: with a gain
    of exactly 1 a potential lands on θ itself, where NIR's ``v > θ`` and our ``v ≥ θ`` differ —
    the one documented difference of the forms.)"""
    return ModelSpec((10, 10, 1), (
        L("Conv2D", "stem", filters=4, kernel_size=3, padding="same", activation="relu"),
        L("Conv2D", "b", filters=4, kernel_size=3, padding="same"),
        L("Conv2D", "proj", inputs="stem", filters=4, kernel_size=1),
        L("Add", "add", inputs=("b", "proj")), L("BatchNorm", "add_bn"), L("ReLU", "r"),
        L("Conv2D", "c", inputs="stem", filters=4, kernel_size=3, padding="same"),
        L("Add", "add2", inputs=("r", "c")), L("BatchNorm", "add2_bn"), L("ReLU", "r2"),
        L("DepthwiseConv2D", "dw", kernel_size=3, padding="same", depth_multiplier=2,
          activation="relu"),
        L("AvgPool2D", "pool"), L("GlobalAveragePooling2D", "gap"),
        L("Dense", "logits", units=5, activation="softmax")))


@pytest.mark.parametrize("readout", ["spikes", "potential"])
def test_nir_export_of_a_graph_runs_as_the_simulators(tmp_path, x, readout):
    """Written in plain NIR (an Add: one IF node with an edge from each current branch and a
    Scale node per shortcut; depthwise: Conv2d with groups = C; global pooling: AvgPool2d over
    the image, then Flatten), read back from disk and run by bridge.nir_run: every IF node fires
    as the simulator's population, float64."""
    from bridge.nir_export import write_nir
    from bridge.nir_graph import plan_graph, read_graph
    from bridge.nir_run import run_graph
    from bridge.simulate import spike_counts

    snn = convert(random_network(nir_graph_spec(), seed=5), x, reset="zero", v_init=0.0,
                  readout=readout)
    plan = plan_graph(read_graph(write_nir(snn, tmp_path / "g.nir")))
    kinds = {type(n).__name__ for n in read_graph(tmp_path / "g.nir").nodes.values()}
    assert {"Scale", "Conv2d", "AvgPool2d", "Flatten", "IF"} <= kinds
    run = run_graph(plan, x[:6].transpose(0, 3, 1, 2), 25, dtype=np.float64)
    spiking = [i for i, op in enumerate(snn.ops) if getattr(op, "spiking", False)]
    ours = spike_counts(snn, x[:6], 25, dtype=np.float64)
    assert set(run.counts) == {f"{i}_neurons" for i in spiking}
    for i, a in zip(spiking, ours):
        a = a.transpose(0, 3, 1, 2) if a.ndim == 4 else a
        np.testing.assert_array_equal(run.counts[f"{i}_neurons"], a)
    assert sum(int(c.sum()) for c in ours) > 100


def test_nir_export_refuses_what_nir_cannot_express(x):
    from bridge.nir_export import to_nir

    concat = (L("Conv2D", "a", filters=2, kernel_size=3, padding="same", activation="relu"),
              L("Conv2D", "b", inputs="input", filters=3, kernel_size=3, padding="same",
                activation="relu"),
              L("Concatenate", "cat", inputs=("a", "b")), L("Flatten", "f"),
              L("Dense", "o", units=3, activation="softmax"))
    maxpool = nir_graph_spec().layers[:-3] + (L("MaxPool2D", "p"), L("Flatten", "f"),
                                               L("Dense", "o", units=3, activation="softmax"))
    for layers in (concat, maxpool):
        snn = convert(random_network(ModelSpec((10, 10, 1), layers), seed=2), x, reset="zero")
        with pytest.raises(ValueError, match="NIR has no (max pooling|concatenation node)"):
            to_nir(snn)
    ok = convert(random_network(nir_graph_spec(), seed=5), x, reset="zero")
    with pytest.raises(ValueError, match="the norse form of the NIR export takes chains"):
        to_nir(ok, client="norse")


@pytest.mark.parametrize("pool", [(2, 2), (2, 3)])
def test_sizes_given_as_pairs(x, pool):
    """Keras stores kernel sizes, strides and pool sizes as pairs: a square pair converts as its
    int (a chain and a graph alike); a non-square pool is refused in one line naming the layer."""
    for extra in ((), (L("ReLU", "cap", max_value=5.0),)):   # the chain path, the graph path
        spec = ModelSpec((10, 10, 1), (
            L("Conv2D", "c", filters=2, kernel_size=(3, 3), strides=(1, 1),
              activation="linear" if extra else "relu"),
            *extra, L("MaxPool2D", "p", pool_size=pool), L("Flatten", "f"),
            L("Dense", "o", units=3, activation="softmax")))
        net = random_network(spec, seed=1)
        if pool[0] != pool[1]:
            with pytest.raises(ValueError, match=r"MaxPool2D.: non-square pooling \(2, 3\)"):
                convert(net, x)
            continue
        snn = convert(net, x)
        assert [getattr(op, "size", None) for op in snn.ops].count(2) == 1
        np.testing.assert_allclose(ann_forward(snn.ops, x), net.logits(x), rtol=2e-4,
                                   atol=2e-5)
        simulate(snn, x[:5], np.zeros(5, int), 4, workers=1)
