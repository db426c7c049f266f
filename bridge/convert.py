"""ANN → SNN conversion: fold, check, normalise (Diehl et al. 2015; Rueckauer et al. 2017).

1. **Parse and fold** the :mod:`ann` model into :mod:`bridge.network` operations. ``Dense`` and
   ``Conv2D`` become :class:`~bridge.network.Synaptic`; a ``BatchNorm`` right after one is folded
   into its weights,

       W' = W · γ/σ,   b' = (b − μ) · γ/σ + β,   σ = √(running_var + eps)

   (per output channel). Layers that compute the identity at inference
   (:func:`inference_identity`: ``Dropout`` of any rate, a linear ``Activation``, a ``Flatten``
   of a flat tensor) are dropped first, wherever they stand, so they never change whether or how
   a model converts; ``Flatten``, ``MaxPool2D`` and ``AvgPool2D`` are kept; hidden layers must
   be ReLU; the final softmax (or linear output) becomes the readout. Anything else —
   sigmoid/tanh units, a BatchNorm that does not follow a weight layer, a linear hidden layer —
   is refused with a ``ValueError`` naming it. Weights holding NaN/Inf are refused too.

2. **Normalise** (data-based, on training images): for each weight layer ``l`` take ``λ_l``, the
   maximum (``norm="max"``, Diehl 2015) or the ``p``-th percentile (``"p99.9"``, Rueckauer 2017)
   of its positive ReLU activations — for the whole layer or per output channel — and rescale

       W̃_l = W_l · λ_{l−1} / λ_l,    b̃_l = b_l / λ_l,    λ_0 = 1 (inputs in [0, 1]),

   so that with threshold 1 a neuron's rate (spikes per step) approximates ``a_l / λ_l ≤ 1``. A
   ReLU network is positively homogeneous, so the rescaled ANN computes the same function up to
   the output's scale: its predictions are unchanged (tested). For a potential readout the output
   layer keeps ``λ_L = 1``; for a spike-count readout it is normalised like the others.
   ``norm="none"`` leaves every ``λ = 1`` (to show why normalisation matters).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ann.spec import LayerSpec, output_shapes

from .checks import fit_images, require_finite
from .convert_graph import fold_graph, refuse_saturating, square
from .network import NEURONS, Flatten, Pool, SpikingNetwork, Synaptic
from .normalise import layer_lambdas, normalise, normalise_graph, parse_norm
from .params import READOUTS, SNNParams

__all__ = ["fold_model", "fold_any", "layer_lambdas", "normalise", "convert", "READOUTS",
           "parse_norm",
           "inference_identity"]



def _model_parts(model):
    """``(spec, weights)`` from an ``ann`` Network or a ``(spec, weights)`` pair."""
    if hasattr(model, "spec") and hasattr(model, "get_weights"):
        return model.spec, model.get_weights()
    if isinstance(model, tuple) and len(model) == 2:
        return model
    raise TypeError(f"expected an ann Network or (spec, weights), got {type(model).__name__}")


#: layer types only the graph converter (bridge.convert_graph) folds
GRAPH_TYPES = ("Add", "Concatenate", "DepthwiseConv2D", "SeparableConv2D",
               "GlobalAveragePooling2D", "ReLU", "Reshape")


def _names(model, spec):
    """The user's layer names where the model has them (a Keras file), else ``None``."""
    names = getattr(model, "layer_names", None)
    return names if names is not None and len(names) == len(spec.layers) else None


def fold_any(model) -> tuple[list, tuple, dict | None]:
    """``(ops, input_shape, caps)``: a chain of the lecture's layers folded by
    :func:`fold_model` (``caps`` is ``None``), anything else — a graph, or a chain with graph
    layers (depthwise, separable, global pooling, clipped ReLU) — by
    :func:`bridge.convert_graph.fold_graph` (``caps``: the clipped ReLUs' caps)."""
    spec, weights = _model_parts(model)
    if spec.is_chain and not any(lay.type in GRAPH_TYPES or lay.params.get("activation")
                                 == "relu6" for lay in spec.layers):
        ops, input_shape = fold_model(model)
        return ops, input_shape, None
    ops, caps = fold_graph(spec, weights, _names(model, spec))
    return ops, tuple(spec.input_shape), caps


def inference_identity(layer: LayerSpec, in_shape: tuple) -> bool:
    """Whether ``layer`` computes the identity at inference on inputs of shape ``in_shape``
    (without the batch axis): ``Dropout`` of any rate (it acts only in training), a linear
    ``Activation``, a ``Flatten`` of an already flat tensor. The one place the converter
    recognises such layers; Keras layers with no spec form that do nothing at inference
    (``Identity``, a ``Reshape`` to the same shape, ``GaussianNoise``, ...) are already left out
    by :mod:`ann.keras_reader`."""
    t = layer.type
    return (t == "Dropout"
            or (t == "Activation" and layer.params["activation"] == "linear")
            or (t == "Flatten" and len(in_shape) == 1))


def _inference_layers(spec, weights) -> list[tuple[int, LayerSpec, dict]]:
    """``(index in spec, layer, its weights)`` of the layers that act at inference, in order."""
    if len(weights) != len(spec.layers):
        raise ValueError(f"{len(spec.layers)} layers but {len(weights)} weight dicts")
    in_shapes = [tuple(spec.input_shape)] + output_shapes(spec)[:-1]
    return [(i, lay, w) for i, (lay, w, shape) in enumerate(zip(spec.layers, weights, in_shapes))
            if not inference_identity(lay, shape)]


class _Chain:
    """A chain being folded: its operations so far and the weight layer whose activation is still
    to come (``open``: a dict of kind, W, b (float64), stride, padding and name, or ``None``)."""

    def __init__(self):
        self.ops: list = []
        self.open: dict | None = None

    def open_weight_layer(self, lay: LayerSpec, w: dict, name: str, where: str) -> None:
        """Hold a ``Dense``/``Conv2D`` layer open until its activation is known."""
        if self.open is not None:
            raise ValueError(f"{where}: follows {self.open['name']} which has no ReLU; a "
                             "linear hidden layer cannot be carried by spike rates")
        p = lay.params
        W = np.asarray(w["W"], np.float64)
        b = np.asarray(w.get("b", np.zeros(W.shape[-1])), np.float64)
        self.open = {"kind": "dense" if lay.type == "Dense" else "conv", "W": W, "b": b,
                     "stride": square(p.get("strides", 1), None),
                     "padding": p.get("padding", "valid"), "name": name}

    def fold_batchnorm(self, w: dict, p: dict, where: str) -> None:
        """Fold an inference BatchNorm into the open layer (per output channel):
        ``W' = W · γ/σ``, ``b' = (b − μ) · γ/σ + β``, ``σ = √(running_var + eps)``."""
        if self.open is None:
            raise ValueError(f"{where}: BatchNorm must directly follow a Dense or Conv2D "
                             "layer (without activation) to be folded into its weights")
        with np.errstate(all="ignore"):  # a NaN/Inf is reported when the layer closes
            scale = np.asarray(w["gamma"], np.float64) / np.sqrt(
                np.asarray(w["running_var"], np.float64) + p["eps"])
            self.open["W"] = self.open["W"] * scale
            self.open["b"] = ((self.open["b"] - np.asarray(w["running_mean"], np.float64))
                              * scale + np.asarray(w["beta"], np.float64))

    def close(self, activation: str, where: str) -> None:
        """The open layer as a float32 :class:`~bridge.network.Synaptic` op, spiking if
        ``activation`` is ``"relu"``; NaN/Inf weights are refused here, in one line."""
        lay = self.open
        if lay is None:
            raise ValueError(f"{where}: activation {activation!r} does not follow a Dense or "
                             "Conv2D layer")
        with np.errstate(over="ignore", invalid="ignore"):  # reported just below, in one line
            W, b = (np.ascontiguousarray(lay[k], np.float32) for k in ("W", "b"))
        for k, a in (("W", W), ("b", b)):
            require_finite(a, f"{lay['name']}: {k} (after folding any BatchNorm, as float32)")
        self.ops.append(Synaptic(lay["kind"], W, b, lay["stride"], lay["padding"],
                                 spiking=activation == "relu", name=lay["name"]))
        self.open = None

    def add_reshape(self, t: str, p: dict, where: str) -> None:
        """A ``MaxPool2D``/``AvgPool2D``/``Flatten`` on spike trains."""
        if self.open is not None:
            raise ValueError(f"{where}: follows {self.open['name']} which has no ReLU yet; "
                             "apply the ReLU before pooling/flattening")
        self.ops.append(Flatten() if t == "Flatten" else
                        Pool("max" if t == "MaxPool2D" else "avg", square(p["pool_size"], where),
                             None if p["strides"] is None else square(p["strides"], where)))

    def finish(self) -> list:
        """The ops, once checked: every layer closed, a weight layer last, ReLU hidden layers."""
        ops = self.ops
        if self.open is not None:
            raise ValueError(f"{self.open['name']}: the model ends without an output activation")
        if not ops or not isinstance(ops[-1], Synaptic):
            raise ValueError("the model must end with a Dense or Conv2D output layer")
        if any(op.spiking is False for op in ops[:-1] if isinstance(op, Synaptic)):
            bad = next(op for op in ops[:-1] if isinstance(op, Synaptic) and not op.spiking)
            raise ValueError(f"{bad.name}: only the output layer may be non-ReLU")
        return ops


def fold_model(model) -> tuple[list, tuple]:
    """Operations of the folded ReLU network (see module docstring) and its input shape.

    ``ValueError`` (one line, naming the layer: by its Keras name when ``model`` has
    ``layer_names``, as a network loaded from a ``.keras`` file does, else by type and spec
    position) for a layer or activation that a rate cannot carry, and for weights or folded
    BatchNorm parameters holding NaN/Inf.
    """
    spec, weights = _model_parts(model)
    names = _names(model, spec)
    chain = _Chain()
    layers = _inference_layers(spec, weights)
    for k, (i, lay, w) in enumerate(layers):
        last = k == len(layers) - 1
        where = f"layer {names[i]!r} ({lay.type})" if names else f"layer {i} ({lay.type})"
        t, p = lay.type, lay.params
        act = p.get("activation")
        refuse_saturating(act, where)
        if t in ("Dense", "Conv2D"):
            chain.open_weight_layer(lay, w, names[i] if names else f"{t.lower()}_{i}", where)
            if act == "relu" or act == "softmax":
                chain.close(act, where)
            elif act == "linear" and last:
                chain.close("linear", where)
        elif t == "BatchNorm":
            chain.fold_batchnorm(w, p, where)
            if last:
                chain.close("linear", where)
        elif t == "Activation":
            if act == "softmax" and not last:
                raise ValueError(f"{where}: softmax is only supported as the output")
            chain.close(act, where)
        elif t in ("MaxPool2D", "AvgPool2D", "Flatten"):
            chain.add_reshape(t, p, where)
        else:
            raise ValueError(f"{where}: layer type {t!r} is not supported by the converter")
    return chain.finish(), tuple(spec.input_shape)


# NaN/Inf are reported by require_finite, in one line, not as warnings
@np.errstate(over="ignore", invalid="ignore")
def convert(model, x_norm: np.ndarray, *, norm: str = "p99.9", per_channel: bool = True,
            reset: str = "subtract", signed: bool | None = None, readout: str = "potential",
            v_th: float = 1.0,
            v_init: float = 0.5, max_pool: str = "count", batch_size: int = 500) -> SpikingNetwork:
    """Convert a trained ReLU ``model`` (an ``ann`` Network or ``(spec, weights)``).

    Parameters
    ----------
    x_norm : (N, *input_shape) float32 in [0, 1], training images for the normalisation; images
        of another layout with as many values each (``(N, 28, 28, 1)`` for a ``(784,)`` input)
        are reshaped (:func:`~bridge.checks.fit_images`).
    norm : ``"max"``, ``"none"`` or ``"pNN"`` (percentile of positive activations).
    per_channel : one ``λ`` per output channel (default) instead of one per layer. After
        BatchNorm folding the channels of a layer differ widely in scale; one λ per layer leaves
        the quiet channels at very low rates (measured on the BN CNN: 99.06 % at T = 32 and 99 %
        of the ANN only at t = 21 per layer, against 99.29 % and t = 2 per channel).
    reset : ``"subtract"`` or ``"zero"``.
    signed : signed neurons (negative spikes take back earlier ones; :mod:`bridge.neuron`), with
        reset ``"subtract"`` only; ``None``: with reset ``"subtract"``. On the trained ResNet
        they reach 99 % of the ANN's accuracy by step 4 instead of 16; the NIR export needs
        ``signed=False``.
    readout : ``"potential"`` (output layer integrates without spiking; argmax of its potential)
        or ``"spikes"`` (output layer spikes; argmax of its spike counts, ties → lowest class).
    v_th : firing threshold θ (the normalisation targets θ = 1; other values scale all rates).
    max_pool : how spikes are max-pooled: ``"count"`` (the pooled count follows the largest input
        count) or ``"gate"`` (Rueckauer et al.'s gate); see :mod:`bridge.simulate`.
    v_init : initial membrane potential of the spiking layers, in units of θ. ``0.5`` turns the
        rate code's rounding down (``⌊t·a⌋`` spikes) into rounding to nearest (``⌊t·a + ½⌋``),
        which halves the expected quantisation error and the latency (Bu et al. 2022, "Optimal
        ANN-SNN conversion for high-accuracy and ultra-low-latency spiking neural networks",
        ICLR); ``0`` is the classic choice (Rueckauer et al. 2017).
    """
    params = SNNParams(v_th=v_th, v_init=v_init, reset=reset, signed=signed, readout=readout,
                       max_pool=max_pool, norm=norm, per_channel=per_channel)  # checks them
    q = parse_norm(norm)
    ops, input_shape, caps = fold_any(model)
    graph = caps is not None
    x_norm = fit_images(x_norm, input_shape, "normalisation data")
    n_syn = sum(isinstance(op, NEURONS) for op in ops)
    lambdas = ([1.0] * n_syn if q is None
               else layer_lambdas(ops, x_norm, q, per_channel, batch_size))
    if graph:
        scaled, lambdas = normalise_graph(ops, input_shape, lambdas, caps, readout)
    else:
        scaled = normalise(ops, input_shape, lambdas, readout)
    for op, lam in zip((op for op in scaled if isinstance(op, NEURONS)), lambdas):
        require_finite(lam, f"conversion: normalisation factor λ of {op.name}")
        require_finite(getattr(op, "W", 0.0), f"conversion: scaled weights of {op.name}")
        require_finite(op.b, f"conversion: scaled bias of {op.name}")
    scaled[-1] = replace(scaled[-1], spiking=readout == "spikes")
    return SpikingNetwork(scaled, input_shape, [np.asarray(lam).tolist() for lam in lambdas],
                          replace(params, norm_samples=int(len(x_norm))))
