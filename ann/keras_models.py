"""The Keras twin: one :class:`~ann.spec.ModelSpec`, two builders, weights that move both ways.

:func:`build_keras_model` turns a spec into a ``keras.Sequential``; :func:`spec_from_keras`
reads a plain chain of supported Keras layers back into ``(spec, weights)``. Because the spec's
conventions are Keras's (NHWC images, ``Dense`` kernel ``(n_in, n_out)``, ``Conv2D`` kernel
``(kh, kw, c_in, c_out)``, BatchNorm ``gamma, beta, moving_mean, moving_variance``), weights
cross unchanged: ``u = x @ W + b`` in both, and Keras's ``Flatten`` of an NHWC tensor is NumPy's
row-major ``reshape``, so the first ``Dense`` after it needs no permutation.

Spec layer ↔ Keras layer:

=============  ===========================================================================
``Dense``      ``Dense`` (its ``activation`` kept on the layer)
``Conv2D``     ``Conv2D`` (``padding=p`` an int → ``ZeroPadding2D(p)`` + ``Conv2D("valid")``)
``MaxPool2D``  ``MaxPooling2D`` (``padding="valid"``)
``AvgPool2D``  ``AveragePooling2D`` (``padding="valid"``)
``Flatten``    ``Flatten``
``Dropout``    ``Dropout``
``BatchNorm``  ``BatchNormalization`` (last axis; ``eps`` ↔ ``epsilon``)
``Activation`` ``Activation``; read back also from ``ReLU()`` (plain) and ``Softmax(axis=-1)``
=============  ===========================================================================

Anything else (``LSTM``, ``Rescaling``, dilated or grouped convolutions, leaky ReLU, branches,
nested models, ...) is refused with a one-line ``ValueError`` naming the Keras layer, so a
model that ``bridge`` cannot convert faithfully never loads silently wrong.

TensorFlow/Keras is imported lazily, inside the functions (see :mod:`ann._tf`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._tf import keras_module
from .spec import ACTIVATIONS, LayerSpec, ModelSpec

__all__ = ["build_keras_model", "spec_from_keras", "keras_weights", "set_keras_weights",
           "to_keras", "from_keras", "load_keras_file", "SUPPORTED_KERAS_LAYERS"]

#: Keras layer classes that :func:`spec_from_keras` understands.
SUPPORTED_KERAS_LAYERS = ("InputLayer", "Dense", "Conv2D", "ZeroPadding2D", "MaxPooling2D",
                          "AveragePooling2D", "Flatten", "Dropout", "BatchNormalization",
                          "Activation", "ReLU", "Softmax")

_WEIGHT_KEYS = {"BatchNorm": ("gamma", "beta", "running_mean", "running_var")}


# --- spec -> Keras -------------------------------------------------------------------------

def build_keras_model(spec: ModelSpec, weights: list[dict] | None = None, *,
                      seed: int | None = None):
    """Build the Keras model of ``spec``.

    Parameters
    ----------
    spec : ModelSpec
    weights : list of dict, optional
        One dict per spec layer (the :mod:`ann.spec` convention); if given, they replace the
        fresh initial values (shapes are checked).
    seed : int, optional
        Seeds the kernel initialisers and the dropout masks (layer ``i`` uses ``seed + i``),
        so two builds with the same seed start identical; ``None`` leaves Keras's defaults.

    Returns
    -------
    keras.Sequential
        Input ``(N, *spec.input_shape)`` float32; layer names start with ``L{i:02d}_`` (``i``
        the spec index).
    """
    keras = keras_module()
    L = keras.layers

    def init(i):
        return "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(seed + i)

    layers = [keras.Input(shape=spec.input_shape, name="input")]
    for i, lay in enumerate(spec.layers):
        t, p, name = lay.type, lay.params, f"L{i:02d}_{lay.type.lower()}"
        if t == "Dense":
            layers.append(L.Dense(p["units"], activation=p["activation"], use_bias=p["use_bias"],
                                  kernel_initializer=init(i), name=name))
        elif t == "Conv2D":
            padding = p["padding"]
            if isinstance(padding, int):
                if padding:
                    layers.append(L.ZeroPadding2D(padding, name=f"L{i:02d}_pad"))
                padding = "valid"
            layers.append(L.Conv2D(p["filters"], p["kernel_size"], strides=p["strides"],
                                   padding=padding, activation=p["activation"],
                                   use_bias=p["use_bias"], kernel_initializer=init(i), name=name))
        elif t in ("MaxPool2D", "AvgPool2D"):
            cls = L.MaxPooling2D if t == "MaxPool2D" else L.AveragePooling2D
            layers.append(cls(p["pool_size"], strides=p["strides"] or p["pool_size"],
                              padding="valid", name=name))
        elif t == "Flatten":
            layers.append(L.Flatten(name=name))
        elif t == "Dropout":
            layers.append(L.Dropout(p["rate"], seed=None if seed is None else seed + i, name=name))
        elif t == "BatchNorm":
            layers.append(L.BatchNormalization(axis=-1, momentum=p["momentum"], epsilon=p["eps"],
                                               name=name))
        elif t == "Activation":
            layers.append(L.Activation(p["activation"], name=name))
        else:  # pragma: no cover - LayerSpec validates the type
            raise ValueError(f"layer {i}: no Keras builder for {t!r}")
    model = keras.Sequential(layers, name=spec.name)
    if weights is not None:
        set_keras_weights(model, weights)
    return model


# --- Keras -> spec -------------------------------------------------------------------------

def _unsupported(layer, why: str = "") -> ValueError:
    kind = type(layer).__name__
    msg = f"unsupported Keras layer {layer.name!r} ({kind})"
    if why:
        return ValueError(f"{msg}: {why}")
    return ValueError(f"{msg}; supported: {', '.join(SUPPORTED_KERAS_LAYERS)}")


def _square(layer, key, value) -> int:
    v = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(v) != 2 or v[0] != v[1]:
        raise _unsupported(layer, f"{key}={value!r} is not square")
    return int(v[0])


def _activation(layer, cfg) -> str:
    act = cfg.get("activation", "linear")
    if not isinstance(act, str) or act not in ACTIVATIONS:
        raise _unsupported(layer, f"activation {act!r}; supported: {', '.join(ACTIVATIONS)}")
    return act


def _chain(model) -> list:
    """The model's layers in order, after checking that they form one plain chain."""
    keras = keras_module()
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    if not model.built:
        raise ValueError(f"Keras model {model.name!r} is not built; give it an Input shape")
    layers = list(model.layers)
    for lay in layers:
        if isinstance(lay, keras.Model):
            raise _unsupported(lay, "nested models are not supported; flatten them into one chain")
    if not isinstance(model, keras.Sequential):
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            raise ValueError(f"Keras model {model.name!r} has {len(model.inputs)} inputs and "
                             f"{len(model.outputs)} outputs; only one-input one-output chains "
                             f"are supported")
        prev = None
        for lay in layers:
            nodes = lay._inbound_nodes
            parents = [n.operation for n in nodes[0].parent_nodes] if len(nodes) == 1 else None
            expected = [] if prev is None else [prev]
            if parents is None or parents != expected:
                raise _unsupported(lay, "the model is not a plain chain of layers "
                                        "(branches, shared layers or skips)")
            prev = lay
        if model.outputs[0] is not layers[-1].output:
            raise ValueError(f"Keras model {model.name!r}: the output is not its last layer")
    return [lay for lay in layers if type(lay).__name__ != "InputLayer"]


def _pairs(model):
    """``(spec, [(LayerSpec, keras_layer or None), ...])`` for a supported Keras chain."""
    layers = _chain(model)
    input_shape = tuple(int(d) for d in model.input_shape[1:])
    if any(d is None for d in model.input_shape[1:]):
        raise ValueError(f"Keras model {model.name!r} has an unknown input size "
                         f"{model.input_shape}")
    out: list[tuple[LayerSpec, object]] = []
    pad = None  # a pending ZeroPadding2D, folded into the Conv2D that must follow it
    for lay in layers:
        kind, cfg = type(lay).__name__, lay.get_config()
        if pad is not None and kind != "Conv2D":
            raise _unsupported(pad, "ZeroPadding2D is only supported right before a Conv2D")
        if kind in ("Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "ZeroPadding2D") \
                and cfg.get("data_format", "channels_last") != "channels_last":
            raise _unsupported(lay, f"data_format={cfg['data_format']!r}; only channels_last")
        if kind == "Dense":
            spec = LayerSpec("Dense", {"units": int(cfg["units"]),
                                       "activation": _activation(lay, cfg),
                                       "use_bias": bool(cfg["use_bias"])})
        elif kind == "ZeroPadding2D":
            (top, bottom), (left, right) = cfg["padding"]
            if not top == bottom == left == right:
                raise _unsupported(lay, f"padding {cfg['padding']!r} is not symmetric")
            pad = lay
            continue
        elif kind == "Conv2D":
            if tuple(cfg["dilation_rate"]) != (1, 1) or cfg.get("groups", 1) != 1:
                raise _unsupported(lay, "dilated or grouped convolution")
            padding = cfg["padding"]
            if pad is not None:
                if padding != "valid":
                    raise _unsupported(pad, "ZeroPadding2D before a Conv2D with padding "
                                            f"{padding!r}")
                padding = int(pad.get_config()["padding"][0][0])
                pad = None
            elif padding not in ("valid", "same"):
                raise _unsupported(lay, f"padding {padding!r}")
            spec = LayerSpec("Conv2D", {"filters": int(cfg["filters"]),
                                        "kernel_size": _square(lay, "kernel_size",
                                                               cfg["kernel_size"]),
                                        "strides": _square(lay, "strides", cfg["strides"]),
                                        "padding": padding, "activation": _activation(lay, cfg),
                                        "use_bias": bool(cfg["use_bias"])})
        elif kind in ("MaxPooling2D", "AveragePooling2D"):
            if cfg["padding"] != "valid":
                raise _unsupported(lay, f"padding {cfg['padding']!r}; only 'valid' pooling")
            size = _square(lay, "pool_size", cfg["pool_size"])
            strides = _square(lay, "strides", cfg["strides"] or cfg["pool_size"])
            spec = LayerSpec("MaxPool2D" if kind == "MaxPooling2D" else "AvgPool2D",
                             {"pool_size": size, "strides": None if strides == size else strides})
        elif kind == "Flatten":
            spec = LayerSpec("Flatten")
        elif kind == "Dropout":
            if cfg.get("noise_shape") is not None:
                raise _unsupported(lay, "Dropout with a noise_shape")
            spec = LayerSpec("Dropout", {"rate": float(cfg["rate"])})
        elif kind == "BatchNormalization":
            axis = cfg["axis"]
            axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
            rank = len(lay.output.shape)
            if axis not in (-1, rank - 1) or cfg.get("renorm") or cfg.get("synchronized"):
                raise _unsupported(lay, f"only BatchNormalization over the last axis "
                                        f"(axis={cfg['axis']!r})")
            spec = LayerSpec("BatchNorm", {"momentum": float(cfg["momentum"]),
                                           "eps": float(cfg["epsilon"])})
        elif kind == "Activation":
            spec = LayerSpec("Activation", {"activation": _activation(lay, cfg)})
        elif kind == "ReLU":
            if cfg.get("max_value") is not None or cfg.get("negative_slope", 0) != 0 \
                    or cfg.get("threshold", 0) != 0:
                raise _unsupported(lay, "only the plain ReLU (no max_value, negative_slope or "
                                        "threshold)")
            spec = LayerSpec("Activation", {"activation": "relu"})
        elif kind == "Softmax":
            if cfg.get("axis", -1) not in (-1, len(lay.output.shape) - 1):
                raise _unsupported(lay, f"softmax over axis {cfg['axis']!r}; only the last")
            spec = LayerSpec("Activation", {"activation": "softmax"})
        else:
            raise _unsupported(lay)
        out.append((spec, lay))
    if pad is not None:
        raise _unsupported(pad, "ZeroPadding2D is only supported right before a Conv2D")
    try:
        spec = ModelSpec(input_shape, tuple(s for s, _ in out), name=model.name)
    except ValueError as e:
        raise ValueError(f"Keras model {model.name!r}: {e}") from e
    return spec, out


def _layer_weights(spec: LayerSpec, layer) -> dict:
    def arr(v):
        return np.array(v.numpy(), dtype=np.float32)  # a copy, detached from the variable

    if spec.type in ("Dense", "Conv2D"):
        w = {"W": arr(layer.kernel)}
        if spec["use_bias"]:
            w["b"] = arr(layer.bias)
        return w
    if spec.type == "BatchNorm":
        c = layer.moving_mean.shape[-1]
        return {"gamma": arr(layer.gamma) if layer.scale else np.ones(c, np.float32),
                "beta": arr(layer.beta) if layer.center else np.zeros(c, np.float32),
                "running_mean": arr(layer.moving_mean),
                "running_var": arr(layer.moving_variance)}
    return {}


def spec_from_keras(model) -> tuple[ModelSpec, list[dict]]:
    """Read a Keras model into ``(spec, weights)``.

    ``model`` must be a built ``Sequential`` or a functional model whose layers form one chain,
    each of a type in :data:`SUPPORTED_KERAS_LAYERS` (with the restrictions in the module
    docstring). Otherwise ``ValueError`` names the first offending layer.
    """
    spec, pairs = _pairs(model)
    return spec, [_layer_weights(s, lay) for s, lay in pairs]


def keras_weights(model) -> list[dict]:
    """The weights of a (supported) Keras model in the :mod:`ann.spec` convention."""
    return spec_from_keras(model)[1]


def set_keras_weights(model, weights: list[dict]) -> None:
    """Copy ``weights`` (one dict per spec layer) into the Keras ``model``, checking shapes."""
    spec, pairs = _pairs(model)
    if not isinstance(weights, (list, tuple)) or len(weights) != len(pairs):
        n = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
        raise ValueError(f"weights: expected a list of {len(pairs)} dicts (one per layer), "
                         f"got {n}")
    for i, ((s, layer), w) in enumerate(zip(pairs, weights)):
        target = _layer_weights(s, layer)
        if not isinstance(w, dict) or set(w) != set(target):
            got = sorted(w) if isinstance(w, dict) else type(w).__name__
            raise ValueError(f"weights[{i}] ({s.type}): expected keys {sorted(target)}, got {got}")
        for key, ref in target.items():
            if np.shape(w[key]) != ref.shape:
                raise ValueError(f"weights[{i}][{key!r}] ({s.type}): expected shape {ref.shape}, "
                                 f"got {np.shape(w[key])}")
            if not np.all(np.isfinite(w[key])):
                raise ValueError(f"weights[{i}][{key!r}] ({s.type}) holds NaN or Inf values")
        if s.type in ("Dense", "Conv2D"):
            layer.kernel.assign(np.asarray(w["W"], np.float32))
            if "b" in w:
                layer.bias.assign(np.asarray(w["b"], np.float32))
        elif s.type == "BatchNorm":
            if not layer.scale and not np.allclose(w["gamma"], 1):
                raise ValueError(f"weights[{i}]['gamma']: Keras layer {layer.name!r} has "
                                 f"scale=False, so gamma must be 1")
            if not layer.center and not np.allclose(w["beta"], 0):
                raise ValueError(f"weights[{i}]['beta']: Keras layer {layer.name!r} has "
                                 f"center=False, so beta must be 0")
            if layer.scale:
                layer.gamma.assign(np.asarray(w["gamma"], np.float32))
            if layer.center:
                layer.beta.assign(np.asarray(w["beta"], np.float32))
            layer.moving_mean.assign(np.asarray(w["running_mean"], np.float32))
            layer.moving_variance.assign(np.asarray(w["running_var"], np.float32))


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
        return from_keras(model)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from e
