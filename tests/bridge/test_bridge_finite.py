"""Never a NaN-filled result returned as if it were one: every NaN/Inf, in the user's images or
arising in conversion or simulation, is a one-line ``ValueError`` naming where it arose."""

import warnings
from dataclasses import replace

import numpy as np
import pytest

from ann.network import Network
from ann.spec import LayerSpec, ModelSpec
from bridge.brian_export import brian2_spike_counts, effective_layers
from bridge.checks import fit_images, require_finite
from bridge.convert import convert
from bridge.evaluate import EvalConfig, evaluate
from bridge.network import SpikingNetwork, Synaptic
from bridge.params import SNNParams
from bridge.simulate import SimulationResult, simulate, spike_counts


def _one_line(excinfo) -> str:
    msg = str(excinfo.value)
    assert "\n" not in msg
    return msg


def test_require_finite_counts_and_passes_through():
    a = np.ones(5)
    assert require_finite(a, "x") is a
    assert require_finite(np.arange(3), "ints") is not None
    with pytest.raises(ValueError, match=r"^readout: 2 of 4 values are NaN or Inf$"):
        require_finite(np.array([1.0, np.nan, np.inf, 0.0]), "readout")


def test_fit_images_reshapes_or_refuses():
    assert fit_images(np.zeros((2, 28, 28)), (784,)).shape == (2, 784)
    assert fit_images(np.zeros((2, 784), np.uint8), (28, 28, 1)).dtype == np.float32
    with pytest.raises(ValueError, match=r"images of shape \(0, 784\) hold no image"):
        fit_images(np.zeros((0, 784)), (784,))
    x = np.zeros((3, 784), np.float32)
    x[0, :3], x[2, 5] = np.nan, -np.inf
    with pytest.raises(ValueError, match=r"^test images: 4 of 2352 values are NaN or Inf$"):
        fit_images(x, (28, 28, 1), "test images")


def test_raw_pixels_are_refused_with_the_fix():
    """Pixel values are rates: raw 0–255 images would fire every input at every step and give a
    meaningless accuracy, so they are refused, in one line that says what to do."""
    raw = np.full((2, 784), 255, np.uint8)
    with pytest.raises(ValueError, match=r"^test images must hold pixel values in \[0, 1\], got "
                                         r"values in \[255, 255\]; divide 8-bit images by 255$"):
        fit_images(raw, (784,), "test images")
    with pytest.raises(ValueError, match=r"in \[0, 1\], got values in \[-0.5, -0.5\]$"):
        fit_images(np.full((1, 4), -0.5), (4,))
    snn = _dense_snn(np.eye(2))
    with pytest.raises(ValueError, match="divide 8-bit images by 255"):
        simulate(snn, np.array([[3.0, 0.0, 0.0]]), np.array([0]), 4)


def _dense_snn(W1, b1=None, W2=None, b2=None, readout="potential"):
    W2 = np.eye(2, dtype=np.float32) if W2 is None else W2
    ops = [Synaptic("dense", np.asarray(W1, np.float32),
                    np.zeros(2, np.float32) if b1 is None else np.asarray(b1, np.float32),
                    name="hidden"),
           Synaptic("dense", np.asarray(W2, np.float32),
                    np.zeros(2, np.float32) if b2 is None else np.asarray(b2, np.float32),
                    spiking=readout == "spikes", name="out")]
    return SpikingNetwork(ops, (3,), [1.0, 1.0], SNNParams(readout=readout))


X, Y = np.full((4, 3), 0.5, np.float32), np.zeros(4, np.int64)
W_OK = np.ones((3, 2))


@pytest.mark.parametrize("snn, where", [
    # a NaN current never fires: the counts alone would read "silent"
    (_dense_snn([[np.nan, 1]] + [[1, 1]] * 2), "membrane potential of hidden"),
    # an overflowing one fires every step: the counts alone would read "saturated"
    (_dense_snn(W_OK * 3e38), "membrane potential of hidden"),
    (_dense_snn(W_OK, b2=[0, np.inf]), "membrane potential of out"),
    (_dense_snn(W_OK, b2=[0, np.nan], readout="spikes"), "membrane potential of out"),
])
def test_non_finite_state_in_the_simulation_is_an_error(snn, where):
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # reported as an error, not as numpy warnings
        with pytest.raises(ValueError, match=f"simulation: {where}: .* NaN or Inf") as e:
            spike_counts(snn, X, 5)
        _one_line(e)
        with pytest.raises(ValueError, match="NaN or Inf"):
            simulate(snn, X, Y, 5)


def test_a_nan_readout_is_never_an_accuracy():
    """Without the check, argmax of a NaN potential picks class 1 and reads as a prediction."""
    snn = _dense_snn(W_OK, b2=[0, np.nan])
    with pytest.raises(ValueError, match="ANN output on images 0–3: 4 of 8 values"):
        simulate(snn, X, Y, 5, statistics=False)


def test_simulation_result_refuses_nan_accuracies():
    with pytest.raises(ValueError, match="simulation result: accuracy_per_step: 1 of 2"):
        SimulationResult(T=2, n=1, accuracy_per_step=np.array([0.5, np.nan]),
                         agreement_per_step=np.ones(2), ann_accuracy=1.0)


def test_user_images_with_nan_are_refused_by_count():
    snn = _dense_snn(W_OK)
    x = X.copy()
    x[1, 2] = np.nan
    for call in (lambda: spike_counts(snn, x, 3), lambda: simulate(snn, x, Y, 3)):
        with pytest.raises(ValueError, match=r"^images: 1 of 12 values are NaN or Inf$"):
            call()


def _spec_and_weights():
    spec = ModelSpec((3,), (LayerSpec("Dense", {"units": 2, "use_bias": False}),
                            LayerSpec("BatchNorm"), LayerSpec("Activation", {"activation": "relu"}),
                            LayerSpec("Dense", {"units": 2, "activation": "softmax"})))
    bn = {"gamma": np.ones(2), "beta": np.zeros(2), "running_mean": np.zeros(2),
          "running_var": np.ones(2)}
    return spec, [{"W": np.ones((3, 2))}, bn, {}, {"W": np.ones((2, 2)), "b": np.zeros(2)}]


@pytest.mark.parametrize("layer, key, value, match", [
    (0, "W", np.nan, r"dense_0: W \(after folding any BatchNorm, as float32\): 1 of 6"),
    (0, "W", 1e39, r"dense_0: W .*: 1 of 6"),                 # finite, but not in float32
    (1, "running_var", -2.0, r"dense_0: W .*: 3 of 6"),       # σ = √(var + eps) is NaN
    (3, "b", np.inf, r"dense_3: b .*: 1 of 2"),
])
def test_non_finite_weights_are_refused_by_layer(layer, key, value, match):
    spec, weights = _spec_and_weights()
    weights[layer][key] = np.array(weights[layer][key], np.float64)
    weights[layer][key].flat[0] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=match) as e:
            convert((spec, weights), np.full((4, 3), 0.5, np.float32), norm="none")
    _one_line(e)


def test_overflowing_normalisation_is_refused():
    spec, weights = _spec_and_weights()
    weights[3]["W"] = np.full((2, 2), 3e38)
    with pytest.raises(ValueError, match="NaN or Inf"):
        convert((spec, weights), np.full((4, 3), 0.5, np.float32), norm="max",
                readout="spikes")


def test_brian2_export_checks_weights_and_images():
    snn = _dense_snn(W_OK)
    bad = replace(snn, ops=[replace(snn.ops[0], W=np.full((3, 2), np.nan, np.float32)),
                            snn.ops[1]])
    with pytest.raises(ValueError, match="Brian2 export: effective weights of hidden: 6 of 6"):
        effective_layers(bad)
    x = X[:1].copy()
    x[0, 0] = np.inf
    with pytest.raises(ValueError, match="Brian2 input images: 1 of 3 values"):
        brian2_spike_counts(snn, x, 3)


def test_evaluate_refuses_nan_test_images():
    from types import SimpleNamespace

    rng = np.random.default_rng(0)
    x_test = rng.random((6, 3)).astype(np.float32)
    x_test[2] = np.nan
    mnist = SimpleNamespace(x_train=rng.random((6, 3)).astype(np.float32), x_test=x_test,
                            y_test=np.zeros(6, np.int64))
    spec, weights = _spec_and_weights()
    net = Network.from_spec(spec, rng)
    net.set_weights(weights)
    with pytest.raises(ValueError, match=r"^test images: 3 of 18 values are NaN or Inf$"):
        evaluate(net, mnist, EvalConfig(timesteps=3, workers=1))


def test_undefined_statistics_are_null_not_nan():
    """A layer whose rates are all equal has no Pearson r; without statistics there are no
    synaptic-operation counts. Both are None in the result, the report is strict JSON, and
    the text report says n/a."""
    import json

    from bridge.cli import format_report
    from bridge.layer_stats import LayerStats

    stats = LayerStats("dense_0", 4)
    stats.n, stats.sx, stats.sxx, stats.silent = 4, 4.0, 4.0, 4   # activations 1, never fired
    layer = stats.result(n_images=1)
    assert layer["pearson_r"] is None and layer["slope"] is None
    report = {"accuracy_per_step": [0.5], "ann_accuracy": 0.5, "timesteps": 1,
              "snn_accuracy": 0.5, "snn_accuracy_std": 0.0, "agreement": 1.0, "n_test": 2,
              "first_step_99pct": 1, "synops_per_image": None, "ann_macs_per_image": 10,
              "synops_per_mac": None, "spikes_per_image": 0.0, "layers": [layer],
              "simulate_seconds": 0.0, "convert_seconds": 0.0}
    json.dumps(report, allow_nan=False)
    text = format_report(report)
    assert "n/a" in text and "nan" not in text.lower()
