"""One description of an architecture, many builders.

A :class:`ModelSpec` is plain data (JSON-serialisable): an input shape and an ordered list of
:class:`LayerSpec`. The NumPy models (:mod:`ann`), the Keras twin (:mod:`ann.keras_models`), the
spiking converter (:mod:`bridge`) and the LeNet figure all build from the same spec, and saved
models store it as their architecture.

Conventions, shared by every builder (they are Keras's, so weights move across unchanged):

* Images are NHWC: a batch of MNIST digits is ``(N, 28, 28, 1)`` float32 in [0, 1].
* ``Dense``: ``W`` of shape ``(n_in, n_out)``, ``b`` of shape ``(n_out,)``; ``u = x @ W + b``
  (the lecture's ``u = Wᵀx`` with ``x`` a column; here rows are samples).
* ``Conv2D``: kernel ``W`` of shape ``(kh, kw, c_in, c_out)``, ``b`` of ``(c_out,)``;
  cross-correlation as in every deep-learning library; ``padding`` is ``"valid"``,
  ``"same"`` or an int (zeros on each side).
* ``BatchNorm``: ``gamma, beta, running_mean, running_var`` of shape ``(C,)`` over the last axis;
  ``y = gamma (x − μ) / sqrt(σ² + eps) + beta``; running averages
  ``r ← momentum·r + (1 − momentum)·batch`` (Keras's convention, momentum 0.99 by default).
* ``Activation``: one of :data:`ACTIVATIONS`. A ``Dense`` or ``Conv2D`` may carry its own
  ``activation``; the builders treat that exactly like a separate ``Activation`` layer after it.

Weights of a model built from a spec are a list with one dict per layer (same order), holding
float arrays: ``Dense``/``Conv2D`` → ``{"W", "b"}`` (``b`` only if ``use_bias``); ``BatchNorm`` →
``{"gamma", "beta", "running_mean", "running_var"}``; every other layer → ``{}``.

Layer types and their parameters:

================  ==========================================================================
``Dense``         ``units``, ``activation`` (default ``"linear"``), ``use_bias`` (True)
``Conv2D``        ``filters``, ``kernel_size``, ``strides`` (1), ``padding`` (``"valid"``),
                  ``activation`` (``"linear"``), ``use_bias`` (True)
``MaxPool2D``     ``pool_size`` (2), ``strides`` (= pool_size)
``AvgPool2D``     ``pool_size`` (2), ``strides`` (= pool_size)
``Flatten``       —
``Dropout``       ``rate`` (fraction dropped in training; inverted dropout)
``BatchNorm``     ``momentum`` (0.99), ``eps`` (1e-3)
``Activation``    ``activation``
================  ==========================================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ACTIVATIONS", "LAYER_TYPES", "LayerSpec", "ModelSpec", "perceptron_spec",
           "mlp_spec", "lenet5_spec", "cnn_spec", "output_shapes"]

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "softmax")

#: layer type -> {parameter: default}; a parameter without a default is required (``...``).
LAYER_TYPES: dict[str, dict[str, Any]] = {
    "Dense": {"units": ..., "activation": "linear", "use_bias": True},
    "Conv2D": {"filters": ..., "kernel_size": ..., "strides": 1, "padding": "valid",
               "activation": "linear", "use_bias": True},
    "MaxPool2D": {"pool_size": 2, "strides": None},
    "AvgPool2D": {"pool_size": 2, "strides": None},
    "Flatten": {},
    "Dropout": {"rate": ...},
    "BatchNorm": {"momentum": 0.99, "eps": 1e-3},
    "Activation": {"activation": ...},
}


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its ``type`` (a key of :data:`LAYER_TYPES`) and its parameters.

    Missing parameters take their defaults; unknown types, unknown parameters and bad values
    raise ``ValueError`` naming them.
    """

    type: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.type not in LAYER_TYPES:
            raise ValueError(f"unknown layer type {self.type!r}; known: {', '.join(LAYER_TYPES)}")
        schema = LAYER_TYPES[self.type]
        unknown = set(self.params) - set(schema)
        if unknown:
            raise ValueError(f"{self.type}: unknown parameter(s) {', '.join(sorted(unknown))}")
        full = {}
        for k, default in schema.items():
            if k in self.params:
                full[k] = self.params[k]
            elif default is ...:
                raise ValueError(f"{self.type}: missing parameter {k!r}")
            else:
                full[k] = default
        _check_values(self.type, full)
        object.__setattr__(self, "params", full)

    def __getitem__(self, key):
        return self.params[key]

    def to_dict(self) -> dict:
        return {"type": self.type, **self.params}

    @classmethod
    def from_dict(cls, d: dict) -> "LayerSpec":
        if not isinstance(d, dict) or "type" not in d:
            raise ValueError(f"a layer must be a dict with a 'type', got {d!r}")
        d = dict(d)
        return cls(d.pop("type"), d)


def _positive_int(layer, key, v):
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"{layer}: {key} must be a positive int, got {v!r}")


def _check_values(layer: str, p: dict) -> None:
    for key in ("units", "filters", "kernel_size", "strides", "pool_size"):
        if key in p and p[key] is not None:
            _positive_int(layer, key, p[key])
    if "activation" in p and p["activation"] not in ACTIVATIONS:
        raise ValueError(f"{layer}: unknown activation {p['activation']!r}; "
                         f"known: {', '.join(ACTIVATIONS)}")
    if "padding" in p:
        pad = p["padding"]
        if pad not in ("valid", "same") and not (isinstance(pad, int) and not
                                                 isinstance(pad, bool) and pad >= 0):
            raise ValueError(f"{layer}: padding must be 'valid', 'same' or an int >= 0, got {pad!r}")
    if "rate" in p and not (isinstance(p["rate"], (int, float)) and 0 <= p["rate"] < 1):
        raise ValueError(f"{layer}: rate must be in [0, 1), got {p['rate']!r}")
    if "momentum" in p and not (0 <= p["momentum"] < 1):
        raise ValueError(f"{layer}: momentum must be in [0, 1), got {p['momentum']!r}")
    if "eps" in p and not p["eps"] > 0:
        raise ValueError(f"{layer}: eps must be > 0, got {p['eps']!r}")


@dataclass(frozen=True)
class ModelSpec:
    """An architecture: ``input_shape`` (without the batch axis, e.g. ``(28, 28, 1)`` or
    ``(784,)``), the ``layers`` in order and a ``name``."""

    input_shape: tuple
    layers: tuple
    name: str = "model"

    def __post_init__(self):
        shape = tuple(self.input_shape)
        if not shape or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in shape):
            raise ValueError(f"input_shape must be positive ints, got {self.input_shape!r}")
        layers = tuple(lay if isinstance(lay, LayerSpec) else LayerSpec.from_dict(lay)
                       for lay in self.layers)
        if not layers:
            raise ValueError("a model needs at least one layer")
        object.__setattr__(self, "input_shape", shape)
        object.__setattr__(self, "layers", layers)
        output_shapes(self)  # raises ValueError on shapes that do not fit

    def to_dict(self) -> dict:
        return {"name": self.name, "input_shape": list(self.input_shape),
                "layers": [lay.to_dict() for lay in self.layers]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, d: dict) -> "ModelSpec":
        try:
            return cls(tuple(d["input_shape"]), tuple(d["layers"]), d.get("name", "model"))
        except (KeyError, TypeError) as e:
            raise ValueError(f"not a model specification: {e}") from e

    @classmethod
    def from_json(cls, text: str) -> "ModelSpec":
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"model specification is not valid JSON: {e}") from e
        return cls.from_dict(d)


def _conv_out(n: int, k: int, s: int, padding) -> int:
    if padding == "same":
        return -(-n // s)
    pad = 0 if padding == "valid" else padding
    return (n + 2 * pad - k) // s + 1


def output_shapes(spec: ModelSpec) -> list[tuple]:
    """Shape after each layer (without the batch axis); ``ValueError`` where a layer does not fit."""
    shape, shapes = spec.input_shape, []
    for i, lay in enumerate(spec.layers):
        where = f"layer {i} ({lay.type})"
        t, p = lay.type, lay.params
        if t == "Dense":
            if len(shape) != 1:
                raise ValueError(f"{where} needs a flat input, got shape {shape}; add Flatten")
            shape = (p["units"],)
        elif t in ("Conv2D", "MaxPool2D", "AvgPool2D"):
            if len(shape) != 3:
                raise ValueError(f"{where} needs (H, W, C) input, got shape {shape}")
            h, w, c = shape
            if t == "Conv2D":
                k, s, pad, c = p["kernel_size"], p["strides"], p["padding"], p["filters"]
            else:
                k, pad = p["pool_size"], "valid"
                s = p["strides"] or k
            h, w = _conv_out(h, k, s, pad), _conv_out(w, k, s, pad)
            if h < 1 or w < 1:
                raise ValueError(f"{where}: output would be {h}×{w}; input {shape} is too small")
            shape = (h, w, c)
        elif t == "Flatten":
            n = 1
            for d in shape:
                n *= d
            shape = (n,)
        shapes.append(shape)
    return shapes


# --- the lecture's architectures -----------------------------------------------------------

def perceptron_spec(n_in: int = 784, n_out: int = 10, activation: str = "softmax") -> ModelSpec:
    """A single layer ``y = h(Wᵀx + b)`` on flattened 28×28 images (Rosenblatt / logistic)."""
    return ModelSpec((28, 28, 1) if n_in == 784 else (n_in,),
                     (([LayerSpec("Flatten")] if n_in == 784 else [])
                      + [LayerSpec("Dense", {"units": n_out, "activation": activation})]),
                     name="perceptron")


def mlp_spec(hidden=(512,), activation: str = "relu", dropout: float = 0.2,
             batch_norm: bool = False, n_out: int = 10) -> ModelSpec:
    """The lecture's Keras MLP by default: Flatten → Dense 512 ReLU → Dropout 0.2 → Dense 10
    softmax. ``hidden`` sets any depth; ``batch_norm`` inserts BatchNorm before each
    activation."""
    layers = [LayerSpec("Flatten")]
    for units in hidden:
        if batch_norm:
            layers += [LayerSpec("Dense", {"units": units, "use_bias": False}),
                       LayerSpec("BatchNorm"), LayerSpec("Activation", {"activation": activation})]
        else:
            layers.append(LayerSpec("Dense", {"units": units, "activation": activation}))
        if dropout:
            layers.append(LayerSpec("Dropout", {"rate": dropout}))
    layers.append(LayerSpec("Dense", {"units": n_out, "activation": "softmax"}))
    return ModelSpec((28, 28, 1), tuple(layers), name="mlp")


def lenet5_spec(pool: str = "MaxPool2D", activation: str = "relu", dropout: float = 0.0,
                batch_norm: bool = False) -> ModelSpec:
    """LeNet-5 style (LeCun et al. 1998) for 28×28 MNIST: conv 6@5×5 (same) → pool → conv 16@5×5
    → pool → Dense 120 → Dense 84 → Dense 10 softmax. ReLU and max-pooling by default (the
    modern variant); ``pool="AvgPool2D"`` and ``activation="tanh"`` give the original flavour."""
    if pool not in ("MaxPool2D", "AvgPool2D"):
        raise ValueError(f"pool must be 'MaxPool2D' or 'AvgPool2D', got {pool!r}")

    def block(layer: LayerSpec) -> list[LayerSpec]:
        if not batch_norm:
            return [LayerSpec(layer.type, {**layer.params, "activation": activation})]
        return [LayerSpec(layer.type, {**layer.params, "use_bias": False}), LayerSpec("BatchNorm"),
                LayerSpec("Activation", {"activation": activation})]

    layers = (block(LayerSpec("Conv2D", {"filters": 6, "kernel_size": 5, "padding": "same"}))
              + [LayerSpec(pool)]
              + block(LayerSpec("Conv2D", {"filters": 16, "kernel_size": 5}))
              + [LayerSpec(pool), LayerSpec("Flatten")]
              + block(LayerSpec("Dense", {"units": 120}))
              + ([LayerSpec("Dropout", {"rate": dropout})] if dropout else [])
              + block(LayerSpec("Dense", {"units": 84}))
              + ([LayerSpec("Dropout", {"rate": dropout})] if dropout else [])
              + [LayerSpec("Dense", {"units": 10, "activation": "softmax"})])
    return ModelSpec((28, 28, 1), tuple(layers), name="lenet5")


def cnn_spec(filters=(32, 64), dense: int = 128, dropout: float = 0.25,
             batch_norm: bool = True, pool: str = "MaxPool2D") -> ModelSpec:
    """A stronger CNN: per stage two 3×3 ReLU convolutions (same padding; BatchNorm before each
    ReLU if ``batch_norm``) then 2×2 pooling; then Dense ``dense`` ReLU, Dropout, Dense 10
    softmax."""
    layers: list[LayerSpec] = []
    for f in filters:
        for _ in range(2):
            if batch_norm:
                layers += [LayerSpec("Conv2D", {"filters": f, "kernel_size": 3, "padding": "same",
                                                "use_bias": False}),
                           LayerSpec("BatchNorm"), LayerSpec("Activation", {"activation": "relu"})]
            else:
                layers.append(LayerSpec("Conv2D", {"filters": f, "kernel_size": 3,
                                                   "padding": "same", "activation": "relu"}))
        layers.append(LayerSpec(pool))
    layers += [LayerSpec("Flatten"), LayerSpec("Dense", {"units": dense, "activation": "relu"})]
    if dropout:
        layers.append(LayerSpec("Dropout", {"rate": dropout}))
    layers.append(LayerSpec("Dense", {"units": 10, "activation": "softmax"}))
    return ModelSpec((28, 28, 1), tuple(layers), name="cnn")
