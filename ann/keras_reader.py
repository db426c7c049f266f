"""Reading Keras models as :class:`~ann.spec.ModelSpec` + weights, and writing weights back.

:func:`spec_from_keras` walks a built ``Sequential`` or functional Keras model whose layers form
one plain chain, maps each layer to a spec layer (the table in :mod:`ann.keras_models`) and
reads its weights in the :mod:`ann.spec` convention; :func:`set_keras_weights` is the inverse
for the weights. Every Keras setting the NumPy network cannot reproduce (an activation outside
:data:`~ann.spec.ACTIVATIONS`, dilation, groups, non-square kernels, "same" pooling,
channels-first data, BatchNorm off the last axis, branches, nested models, unknown layer
classes such as ``LSTM``) raises a one-line ``ValueError`` naming the Keras layer and its class.

Keras layers that compute the identity at inference and have no spec form — ``InputLayer``,
``Identity``, a ``Reshape`` to its input's shape, and the layers that act only in training
(:data:`INFERENCE_IDENTITY_KERAS_LAYERS`, a ``Dropout`` with a ``noise_shape``) — are left out of
the spec (:func:`_inference_identity`), wherever they stand: the spec computes the same function.
A ``Reshape`` to a flat shape is read as ``Flatten``.
"""

from __future__ import annotations

import numpy as np

from ._tf import keras_module
from .spec import ACTIVATIONS, LayerSpec, ModelSpec

__all__ = ["SUPPORTED_KERAS_LAYERS", "INFERENCE_IDENTITY_KERAS_LAYERS", "spec_from_keras",
           "keras_layer_names",
           "keras_weights", "set_keras_weights"]

#: Keras layer classes that compute the identity at inference (most act only in training) and
#: have no spec form: the reader leaves them out.
INFERENCE_IDENTITY_KERAS_LAYERS = ("Identity", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                                   "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                                   "ActivityRegularization")

#: Keras layer classes that :func:`spec_from_keras` understands.
SUPPORTED_KERAS_LAYERS = ("InputLayer", "Dense", "Conv2D", "ZeroPadding2D", "MaxPooling2D",
                          "AveragePooling2D", "Flatten", "Reshape", "Dropout",
                          "BatchNormalization", "Activation", "ReLU",
                          "Softmax") + INFERENCE_IDENTITY_KERAS_LAYERS


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


def _inference_identity(layer) -> bool:
    """Whether the Keras ``layer`` computes the identity at inference and has no spec form: a
    class in :data:`INFERENCE_IDENTITY_KERAS_LAYERS`, a ``Reshape`` to its input's shape, or a
    ``Dropout`` with a ``noise_shape`` (which the spec's Dropout cannot train, but which does
    nothing at inference either). ``InputLayer`` is left out by :func:`_chain`."""
    kind = type(layer).__name__
    if kind == "Reshape":
        return tuple(layer.output.shape[1:]) == tuple(layer.input.shape[1:])
    if kind == "Dropout":
        return layer.get_config().get("noise_shape") is not None
    return kind in INFERENCE_IDENTITY_KERAS_LAYERS


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
        if getattr(model, "inputs", None) is None or getattr(model, "outputs", None) is None:
            raise ValueError(f"Keras model {model.name!r} ({type(model).__name__}) is a subclassed "
                             f"model; only Sequential and functional models can be read")
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
    if any(d is None for d in model.input_shape[1:]):
        raise ValueError(f"Keras model {model.name!r} has an unknown input size "
                         f"{model.input_shape}")
    input_shape = tuple(int(d) for d in model.input_shape[1:])
    out: list[tuple[LayerSpec, object]] = []
    pad = None  # a pending ZeroPadding2D, folded into the Conv2D that must follow it
    for lay in layers:
        if _inference_identity(lay):
            continue
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
        elif kind == "Reshape":  # not to the same shape: see _inference_identity
            if len(lay.output.shape) != 2:
                raise _unsupported(lay, f"Reshape from {tuple(lay.input.shape[1:])} to "
                                        f"{tuple(lay.output.shape[1:])}; only to the same "
                                        f"shape or to a flat one (as Flatten)")
            spec = LayerSpec("Flatten")
        elif kind == "Dropout":  # with a noise_shape: see _inference_identity
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


def keras_layer_names(model) -> tuple[str, ...]:
    """The Keras name of each spec layer of :func:`spec_from_keras` ``(model)``, in order (a
    ``ZeroPadding2D`` + ``Conv2D`` pair is named by the ``Conv2D``)."""
    return tuple(lay.name for _, lay in _pairs(model)[1])


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
