"""One description of an architecture, many builders.

A :class:`ModelSpec` is plain data (JSON-serialisable): an input shape and a tuple of
:class:`LayerSpec`, wired as a directed acyclic graph. The NumPy models (:mod:`ann`), the Keras
twin (:mod:`ann.keras_models`), the spiking converter (:mod:`bridge`) and the LeNet figure all
build from the same spec, and saved models store it as their architecture.

**Wiring.** A layer may carry a ``name`` and ``inputs``, the names of earlier layers (or
``"input"``, the model's input). A layer without ``inputs`` takes the previous layer's output,
so a chain is written exactly as before, without names. ``Add`` and ``Concatenate`` take two or
more inputs, every other layer one. The last layer is the model's one output, and every other
layer's output must be used. A residual block::

    LayerSpec("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same"}, name="c1"),
    LayerSpec("Activation", {"activation": "relu"}),
    LayerSpec("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same"}, name="c2"),
    LayerSpec("Add", inputs=("c1", "c2"), name="sum"),

The checks and their messages are in :mod:`ann.spec_graph`; :attr:`ModelSpec.sources` holds
the resolved wiring and :attr:`ModelSpec.is_chain` says whether it is a plain chain.

Conventions, shared by every builder (they are Keras's, so weights move across unchanged):

* Images are NHWC: a batch of MNIST digits is ``(N, 28, 28, 1)`` float32 in [0, 1].
* ``Dense``: ``W`` of shape ``(n_in, n_out)``, ``b`` of shape ``(n_out,)``; ``u = x @ W + b``
  (the lecture's ``u = Wᵀx`` with ``x`` a column; here rows are samples).
* ``Conv2D``: kernel ``W`` of shape ``(kh, kw, c_in, c_out)``, ``b`` of ``(c_out,)``;
  cross-correlation as in every deep-learning library; ``padding`` is ``"valid"``,
  ``"same"`` or an int (zeros on each side). ``kernel_size``, ``strides`` and ``pool_size``
  are an int or a pair ``(h, w)``.
* ``DepthwiseConv2D``: kernel ``W (kh, kw, C, M)`` (``M`` the ``depth_multiplier``), bias
  ``b (C·M,)``; input channel ``c`` feeds output channels ``c·M … c·M + M − 1``.
  ``SeparableConv2D``: ``W_depthwise (kh, kw, C, M)``, then a 1×1 ``W_pointwise
  (1, 1, C·M, filters)`` and ``b (filters,)``.
* ``BatchNorm``: ``gamma, beta, running_mean, running_var`` of shape ``(C,)`` over the last axis;
  ``y = gamma (x − μ) / sqrt(σ² + eps) + beta``; running averages
  ``r ← momentum·r + (1 − momentum)·batch`` (Keras's convention, momentum 0.99 by default).
* ``Activation``: one of :data:`ACTIVATIONS` (``relu6`` is ``min(max(0, u), 6)``). A weight
  layer may carry its own ``activation``; the builders treat that exactly like a separate
  ``Activation`` layer after it. ``ReLU``: ``min(max(0, u), max_value)`` (``None``: no cap).
* ``Add``: ``y = Σ x_i`` of equal shapes; ``Concatenate``: along the last axis (channels).

Weights of a model built from a spec are a list with one dict per layer (same order), holding
float arrays: ``Dense``/``Conv2D``/``DepthwiseConv2D`` → ``{"W", "b"}`` (``b`` only if
``use_bias``); ``SeparableConv2D`` → ``{"W_depthwise", "W_pointwise", "b"}``; ``BatchNorm`` →
``{"gamma", "beta", "running_mean", "running_var"}``; every other layer → ``{}``.

Layer types and their parameters:

==========================  ================================================================
``Dense``                   ``units``, ``activation`` (default ``"linear"``), ``use_bias`` (True)
``Conv2D``                  ``filters``, ``kernel_size``, ``strides`` (1), ``padding``
                            (``"valid"``), ``activation`` (``"linear"``), ``use_bias`` (True)
``DepthwiseConv2D``         ``kernel_size``, ``strides`` (1), ``padding`` (``"valid"`` or
                            ``"same"``), ``depth_multiplier`` (1), ``use_bias``, ``activation``
``SeparableConv2D``         ``filters`` and the parameters of ``DepthwiseConv2D``
``MaxPool2D``               ``pool_size`` (2), ``strides`` (= pool_size)
``AvgPool2D``               ``pool_size`` (2), ``strides`` (= pool_size)
``GlobalAveragePooling2D``  — (``(H, W, C) → (C,)``, the mean over pixels)
``Flatten``                 —
``Reshape``                 ``target_shape`` (per sample; at most one ``-1``)
``Dropout``                 ``rate`` (fraction dropped in training; inverted dropout)
``BatchNorm``               ``momentum`` (0.99), ``eps`` (1e-3)
``Activation``              ``activation``
``ReLU``                    ``max_value`` (``None``)
``Add``, ``Concatenate``    — (two or more ``inputs``)
==========================  ================================================================

More architectures (the residual network) are in :mod:`ann.spec_models`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .spec_graph import resolve_graph
from .spec_layers import ACTIVATIONS, INPUT, LAYER_TYPES, MERGE_TYPES, LayerSpec

__all__ = ["ACTIVATIONS", "LAYER_TYPES", "MERGE_TYPES", "INPUT", "LayerSpec", "ModelSpec",
           "perceptron_spec", "mlp_spec", "lenet5_spec", "cnn_spec", "output_shapes",
           "input_shapes"]


@dataclass(frozen=True)
class ModelSpec:
    """An architecture: ``input_shape`` (without the batch axis, e.g. ``(28, 28, 1)`` or
    ``(784,)``), the ``layers`` (a tuple of :class:`LayerSpec`, dicts are converted) in a
    topological order, and a ``name``.

    Attributes set on construction (not compared, not serialised):

    sources : per layer, the tuple of indices of its inputs (``-1``: the model's input).
    shapes : per layer, its output shape (see :func:`output_shapes`).
    is_chain : every layer takes the previous one (the plain chain of the lecture's models).

    Raises
    ------
    ValueError
        bad input shape, no layers, or any problem of the graph: unknown, duplicate or later
        names, wrong arity, shapes that do not fit, an unused output (:mod:`ann.spec_graph`).
    """

    input_shape: tuple
    layers: tuple
    name: str = "model"
    sources: tuple = field(init=False, repr=False, compare=False)
    shapes: tuple = field(init=False, repr=False, compare=False)
    is_chain: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        shape = tuple(self.input_shape)
        if not shape or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in shape):
            raise ValueError(f"input_shape must be positive ints, got {self.input_shape!r}")
        layers = tuple(lay if isinstance(lay, LayerSpec) else LayerSpec.from_dict(lay)
                       for lay in self.layers)
        if not layers:
            raise ValueError("a model needs at least one layer")
        sources, shapes = resolve_graph(shape, layers)
        for k, v in (("input_shape", shape), ("layers", layers), ("sources", tuple(sources)),
                     ("shapes", tuple(shapes)),
                     ("is_chain", all(s == (i - 1,) for i, s in enumerate(sources)))):
            object.__setattr__(self, k, v)

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


def output_shapes(spec: ModelSpec) -> list[tuple]:
    """Shape after each layer (without the batch axis), in the order of ``spec.layers``; the
    last is the model's output. (Validated when the spec was built.)"""
    return list(spec.shapes)


def input_shapes(spec: ModelSpec) -> list:
    """Per layer, the shape of its input (a tuple), or for ``Add``/``Concatenate`` the list of
    its inputs' shapes, in the order of its ``inputs``."""
    def shape(j):
        return spec.input_shape if j < 0 else spec.shapes[j]
    return [[shape(j) for j in src] if lay.type in MERGE_TYPES else shape(src[0])
            for lay, src in zip(spec.layers, spec.sources)]


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
