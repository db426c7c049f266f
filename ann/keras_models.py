"""The Keras twin: one :class:`~ann.spec.ModelSpec`, two builders, weights that move both ways.

:func:`build_keras_model` turns a spec into a ``keras.Sequential`` (a chain) or a functional
``keras.Model`` (a graph: residual ``Add``, ``Concatenate`` of branches, wired by
``spec.sources``); :func:`spec_from_keras` reads a Sequential or functional model back into
``(spec, weights)`` (:mod:`ann.keras_reader`; the wiring in :mod:`ann.keras_graph`). Because the
spec's conventions are Keras's (NHWC images, ``Dense`` kernel ``(n_in, n_out)``, ``Conv2D``
kernel ``(kh, kw, c_in, c_out)``, depthwise kernel ``(kh, kw, C, M)``, BatchNorm ``gamma, beta,
moving_mean, moving_variance``), weights cross unchanged: ``u = x @ W + b`` in both, and Keras's
``Flatten`` of an NHWC tensor is NumPy's row-major ``reshape``, so the first ``Dense`` after it
needs no permutation. NumPy → Keras → NumPy gives the same weights, bit for bit, and the same
model: a chain comes back as the identical spec; a graph with the same layer types, parameters,
wiring and names (an unnamed layer as ``L{i:02d}_{type}``), in the same order when the spec
lists each input's branch before its reader (:mod:`ann.keras_graph`). Three spec forms come
back as their equivalents: ``ReLU()`` without a cap as ``Activation("relu")``, a ``Reshape``
to a flat shape as ``Flatten``, a ``Reshape`` to the same shape not at all.

Spec layer ↔ Keras layer:

==========================  ===============================================================
``Dense``                   ``Dense`` (its ``activation`` kept on the layer)
``Conv2D``                  ``Conv2D`` (``padding=p`` an int → ``ZeroPadding2D(p)`` +
                            ``Conv2D("valid")``)
``DepthwiseConv2D``         ``DepthwiseConv2D``: ``[depthwise_kernel, bias]`` ↔ ``W``, ``b``
``SeparableConv2D``         ``SeparableConv2D``: ``[depthwise_kernel, pointwise_kernel,
                            bias]`` ↔ ``W_depthwise``, ``W_pointwise``, ``b``
``MaxPool2D``               ``MaxPooling2D`` (``padding="valid"``)
``AvgPool2D``               ``AveragePooling2D`` (``padding="valid"``)
``GlobalAveragePooling2D``  ``GlobalAveragePooling2D`` (``keepdims=False``)
``Flatten``                 ``Flatten``; read back also from a ``Reshape`` to a flat shape
``Reshape``                 ``Reshape``
``Dropout``                 ``Dropout``
``BatchNorm``               ``BatchNormalization`` (last axis; ``eps`` ↔ ``epsilon``)
``Activation``              ``Activation`` (``relu6`` included); read back also from ``ReLU()``
                            (no cap) and ``Softmax(axis=-1)``
``ReLU``                    ``ReLU(max_value=m)``
``Add``                     ``Add``
``Concatenate``             ``Concatenate(axis=-1)``
==========================  ===============================================================

Kernel sizes, strides and pool sizes may be pairs (non-square). Keras cannot run a depthwise
or separable convolution with unequal strides (TensorFlow refuses them): building one is a
one-line ``ValueError``. Anything else on the reading side (``LSTM``, ``Rescaling``, dilated or
grouped convolutions, leaky ReLU, shared layers, several inputs or outputs, ...) is refused
with a one-line ``ValueError`` naming the Keras layer, so a model that ``bridge`` cannot convert
faithfully never loads silently wrong.

TensorFlow/Keras is imported lazily, inside the functions (see :mod:`ann._tf`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._tf import keras_module
from .keras_graph import functional_model
from .keras_reader import (SUPPORTED_KERAS_LAYERS, assign_layer_weights, keras_weights,
                           set_keras_weights, spec_from_keras)
from .spec import LayerSpec, ModelSpec

__all__ = ["build_keras_model", "spec_from_keras", "keras_weights", "set_keras_weights",
           "to_keras", "from_keras", "load_keras_file", "SUPPORTED_KERAS_LAYERS"]


# --- spec -> Keras -------------------------------------------------------------------------

def _check_runnable(lay: LayerSpec, i: int) -> None:
    """``ValueError`` for a spec layer Keras cannot run: TensorFlow's depthwise (and so
    separable) convolution refuses unequal strides ``(s_h ≠ s_w)``; Keras refuses a name
    holding ``/``."""
    if lay.name is not None and "/" in lay.name:
        raise ValueError(f"{lay.where(i)}: Keras layer names cannot contain '/'")
    s = lay.params.get("strides")
    if lay.type in ("DepthwiseConv2D", "SeparableConv2D") and isinstance(s, tuple) \
            and s[0] != s[1]:
        raise ValueError(f"{lay.where(i)}: strides {s} are unequal; TensorFlow's depthwise "
                         "convolution runs only equal strides, so Keras cannot build it")


def _keras_layers(keras, lay: LayerSpec, i: int, name: str, pad_name: str, init,
                  dropout_seed) -> list:
    """The Keras layers (usually one) computing spec layer ``lay``, the last named ``name``."""
    L, t, p = keras.layers, lay.type, lay.params
    if t == "Dense":
        return [L.Dense(p["units"], activation=p["activation"], use_bias=p["use_bias"],
                        kernel_initializer=init(i), name=name)]
    if t == "Conv2D":
        padding, pad = p["padding"], []
        if isinstance(padding, int):
            pad = [L.ZeroPadding2D(padding, name=pad_name)] if padding else []
            padding = "valid"
        return pad + [L.Conv2D(p["filters"], p["kernel_size"], strides=p["strides"],
                               padding=padding, activation=p["activation"],
                               use_bias=p["use_bias"], kernel_initializer=init(i), name=name)]
    if t in ("DepthwiseConv2D", "SeparableConv2D"):
        common = dict(kernel_size=p["kernel_size"], strides=p["strides"], padding=p["padding"],
                      depth_multiplier=p["depth_multiplier"], activation=p["activation"],
                      use_bias=p["use_bias"], depthwise_initializer=init(i), name=name)
        if t == "DepthwiseConv2D":
            return [L.DepthwiseConv2D(**common)]
        return [L.SeparableConv2D(p["filters"], pointwise_initializer=init(i, 1), **common)]
    if t in ("MaxPool2D", "AvgPool2D"):
        cls = L.MaxPooling2D if t == "MaxPool2D" else L.AveragePooling2D
        return [cls(p["pool_size"], strides=p["strides"] or p["pool_size"], padding="valid",
                    name=name)]
    if t == "Dropout":
        return [L.Dropout(p["rate"], seed=dropout_seed, name=name)]
    if t == "BatchNorm":
        return [L.BatchNormalization(axis=-1, momentum=p["momentum"], epsilon=p["eps"],
                                     name=name)]
    simple = {"Flatten": lambda: L.Flatten(name=name),
              "GlobalAveragePooling2D": lambda: L.GlobalAveragePooling2D(name=name),
              "Reshape": lambda: L.Reshape(p["target_shape"], name=name),
              "Activation": lambda: L.Activation(p["activation"], name=name),
              "ReLU": lambda: L.ReLU(max_value=p["max_value"], name=name),
              "Add": lambda: L.Add(name=name),
              "Concatenate": lambda: L.Concatenate(axis=-1, name=name)}
    if t not in simple:  # pragma: no cover - LayerSpec validates the type
        raise ValueError(f"layer {i}: no Keras builder for {t!r}")
    return [simple[t]()]


def build_keras_model(spec: ModelSpec, weights: list[dict] | None = None, *,
                      seed: int | None = None):
    """Build the Keras model of ``spec``.

    Parameters
    ----------
    spec : ModelSpec
    weights : list of dict, optional
        One dict per spec layer (the :mod:`ann.spec` convention); if given, they replace the
        fresh initial values (keys, shapes and finiteness are checked).
    seed : int, optional
        Seeds the kernel initialisers and the dropout masks (layer ``i`` uses ``seed + i``;
        a separable layer's pointwise kernel ``seed + i + len(spec.layers)``), so two builds
        with the same seed start identical; ``None`` leaves Keras's defaults.

    Returns
    -------
    keras.Sequential or keras.Model
        A chain (``spec.is_chain``) is a ``Sequential`` whose layer names start with
        ``L{i:02d}_`` (``i`` the spec index); a graph is a functional model whose layers carry
        the spec layers' names (``L{i:02d}_{type}`` for an unnamed one; a padding layer
        ``{name}_pad``) and read the outputs of ``spec.sources``. Input
        ``(N, *spec.input_shape)`` float32.

    Raises
    ------
    ValueError
        a layer Keras cannot run (unequal strides of a depthwise or separable convolution, a
        name holding ``/``), or weights that do not fit (``weights[i]`` named).
    """
    keras = keras_module()
    n = len(spec.layers)

    def init(i, k=0):
        return ("glorot_uniform" if seed is None
                else keras.initializers.GlorotUniform(seed + i + k * n))

    per_layer = []
    for i, lay in enumerate(spec.layers):
        _check_runnable(lay, i)
        if spec.is_chain:
            name, pad = f"L{i:02d}_{lay.type.lower()}", f"L{i:02d}_pad"
        else:
            name = lay.name or f"L{i:02d}_{lay.type.lower()}"
            pad = f"{name}_pad"
        per_layer.append(_keras_layers(keras, lay, i, name, pad, init,
                                       None if seed is None else seed + i))
    if spec.is_chain:
        model = keras.Sequential([keras.Input(shape=spec.input_shape, name="input")]
                                 + [k for ks in per_layer for k in ks], name=spec.name)
    else:
        model = functional_model(spec, per_layer, spec.name)
    if weights is not None:
        if not isinstance(weights, (list, tuple)) or len(weights) != n:
            got = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(f"weights: expected a list of {n} dicts (one per layer), got {got}")
        for i, (lay, ks, w) in enumerate(zip(spec.layers, per_layer, weights)):
            assign_layer_weights(lay, ks[-1], w, f"weights[{i}]")
    return model


# --- NumPy Network <-> Keras ---------------------------------------------------------------

def to_keras(network):
    """A Keras model computing the same function as the NumPy ``network`` (an
    :class:`ann.network.Network`): built from ``network.spec``, holding its weights."""
    return build_keras_model(network.spec, network.get_weights())


def from_keras(model, verify: bool = True):
    """The NumPy :class:`ann.network.Network` equivalent to the Keras ``model`` (same spec,
    same weights); ``ValueError`` names any layer that cannot be represented.

    ``verify``: run both on two random inputs in inference mode and refuse the conversion
    (``ValueError``) if the outputs differ by more than ``1e-4 + 1e-3·max|y|`` — a guard
    against a Keras setting this converter does not model.
    """
    from .network import Network

    spec, weights = spec_from_keras(model)
    net = Network.from_spec(spec, np.random.default_rng(0))  # values replaced just below
    net.set_weights(weights)
    if verify:
        x = np.random.default_rng(0).random((2,) + spec.input_shape, dtype=np.float32)
        y_keras = np.asarray(model(x, training=False).numpy(), dtype=np.float64)
        y_numpy = net.forward(x).astype(np.float64)
        err = float(np.max(np.abs(y_keras - y_numpy)))
        if not err <= 1e-4 + 1e-3 * float(np.max(np.abs(y_keras))):
            raise ValueError(f"Keras model {model.name!r}: the converted NumPy network's outputs "
                             f"differ from Keras's by {err:.3g}; not converted")
    return net


def load_keras_file(path: str | os.PathLike):
    """Load a ``.keras`` file (Keras 3 format, ``safe_mode``) into a NumPy ``Network``.

    The network's ``layer_names`` attribute holds the Keras layer name of each spec layer, so
    messages about a layer (the converter's, for one) can use the names the user gave.

    ``ValueError`` (one line) if the file is not a loadable ``.keras`` model or holds a layer
    that the NumPy model cannot represent; ``FileNotFoundError`` if it does not exist.
    """
    keras = keras_module()
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: expected a .keras file")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # Keras raises many kinds; the user needs one line
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"{path}: cannot load Keras model: {first}") from e
    try:
        net = from_keras(model)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from e
    from .keras_reader import keras_layer_names

    net.layer_names = keras_layer_names(model)  # the user's names, for messages (bridge)
    return net
