"""One Keras layer → one :class:`~ann.spec.LayerSpec`: the per-class readers of
:func:`ann.keras_reader.spec_from_keras` (:func:`spec_layer`), which Keras layers are identities
at inference (:func:`inference_identity`), and the ``ZeroPadding2D`` check
(:func:`check_padding`). What each refuses is listed in :mod:`ann.keras_reader`'s docstring.
"""

from __future__ import annotations

from .keras_graph import describe
from .spec import ACTIVATIONS, LayerSpec

__all__ = ["SUPPORTED_KERAS_LAYERS", "INFERENCE_IDENTITY_KERAS_LAYERS", "spec_layer",
           "inference_identity", "check_padding"]


#: Keras layer classes that compute the identity at inference (most act only in training) and
#: have no spec form: the reader leaves them out.
INFERENCE_IDENTITY_KERAS_LAYERS = ("Identity", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                                   "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                                   "ActivityRegularization")

#: Keras layer classes that :func:`spec_from_keras` understands (and nested ``Sequential`` and
#: functional models, flattened).
SUPPORTED_KERAS_LAYERS = ("InputLayer", "Dense", "Conv2D", "ZeroPadding2D", "DepthwiseConv2D",
                          "SeparableConv2D", "MaxPooling2D", "AveragePooling2D",
                          "GlobalAveragePooling2D", "Flatten", "Reshape", "Dropout",
                          "BatchNormalization", "Activation", "ReLU", "Softmax", "Add",
                          "Concatenate") + INFERENCE_IDENTITY_KERAS_LAYERS

_CHANNELS_LAST = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D",
                  "AveragePooling2D", "GlobalAveragePooling2D", "Flatten")


def _unsupported(layer, why: str = "") -> ValueError:
    msg = f"unsupported {describe(layer)}"
    if why:
        return ValueError(f"{msg}: {why}")
    return ValueError(f"{msg}; supported: {', '.join(SUPPORTED_KERAS_LAYERS)}")


def _int_or_pair(value):
    """Keras's ``(h, w)`` as an int when square, else as a tuple."""
    v = tuple(int(a) for a in value) if isinstance(value, (tuple, list)) else (int(value),) * 2
    return v[0] if v[0] == v[1] else v


def _activation(layer, cfg) -> str:
    act = cfg.get("activation", "linear")
    if not isinstance(act, str) or act not in ACTIVATIONS:
        raise _unsupported(layer, f"activation {act!r}; supported: {', '.join(ACTIVATIONS)}")
    return act


def inference_identity(layer, in_shape: tuple, out_shape: tuple) -> bool:
    """Whether the Keras ``layer`` (one call of it, from ``in_shape`` to ``out_shape``) computes
    the identity at inference and has no spec form: a class in
    :data:`INFERENCE_IDENTITY_KERAS_LAYERS`, a ``Reshape`` to its input's shape, or a
    ``Dropout`` with a ``noise_shape`` (which the spec's Dropout cannot train, but which does
    nothing at inference either)."""
    kind = type(layer).__name__
    if kind == "Reshape":
        return tuple(out_shape) == tuple(in_shape)
    if kind == "Dropout":
        return layer.get_config().get("noise_shape") is not None
    return kind in INFERENCE_IDENTITY_KERAS_LAYERS


def _conv_params(layer, cfg, kind) -> dict:
    """The parameters shared by ``Conv2D``, ``DepthwiseConv2D`` and ``SeparableConv2D``."""
    if _int_or_pair(cfg["dilation_rate"]) != 1 or cfg.get("groups", 1) != 1:
        raise _unsupported(layer, "dilated or grouped convolution")
    p = {"kernel_size": _int_or_pair(cfg["kernel_size"]),
         "strides": _int_or_pair(cfg["strides"]), "padding": cfg["padding"],
         "activation": _activation(layer, cfg), "use_bias": bool(cfg["use_bias"])}
    if kind != "Conv2D":
        p["depth_multiplier"] = int(cfg["depth_multiplier"])
    if kind != "DepthwiseConv2D":
        p["filters"] = int(cfg["filters"])
    if p["padding"] not in ("valid", "same"):
        raise _unsupported(layer, f"padding {p['padding']!r}")
    return p


def _dense(layer, cfg, out_shape) -> LayerSpec:
    return LayerSpec("Dense", {"units": int(cfg["units"]), "activation": _activation(layer, cfg),
                               "use_bias": bool(cfg["use_bias"])})


def _conv(layer, cfg, out_shape) -> LayerSpec:
    kind = type(layer).__name__
    return LayerSpec(kind, _conv_params(layer, cfg, kind))


def _pool(layer, cfg, out_shape) -> LayerSpec:
    if cfg["padding"] != "valid":
        raise _unsupported(layer, f"padding {cfg['padding']!r}; only 'valid' pooling")
    size = _int_or_pair(cfg["pool_size"])
    strides = _int_or_pair(cfg["strides"] or cfg["pool_size"])
    kind = "MaxPool2D" if type(layer).__name__ == "MaxPooling2D" else "AvgPool2D"
    return LayerSpec(kind, {"pool_size": size, "strides": None if strides == size else strides})


def _global_pool(layer, cfg, out_shape) -> LayerSpec:
    if cfg.get("keepdims"):
        raise _unsupported(layer, "keepdims=True; only (H, W, C) -> (C,)")
    return LayerSpec("GlobalAveragePooling2D")


def _reshape(layer, cfg, out_shape) -> LayerSpec:
    if type(layer).__name__ == "Flatten" or len(out_shape) == 1:
        return LayerSpec("Flatten")  # a Reshape to the same shape is an identity (left out)
    return LayerSpec("Reshape", {"target_shape": tuple(int(d) for d in cfg["target_shape"])})


def _dropout(layer, cfg, out_shape) -> LayerSpec:  # noise_shape: see inference_identity
    return LayerSpec("Dropout", {"rate": float(cfg["rate"])})


def _batch_norm(layer, cfg, out_shape) -> LayerSpec:
    axis = cfg["axis"]
    axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
    if axis not in (-1, len(out_shape)) or cfg.get("renorm") or cfg.get("synchronized"):
        raise _unsupported(layer, f"only BatchNormalization over the last axis "
                                  f"(axis={cfg['axis']!r})")
    return LayerSpec("BatchNorm", {"momentum": float(cfg["momentum"]),
                                   "eps": float(cfg["epsilon"])})


def _activation_layer(layer, cfg, out_shape) -> LayerSpec:
    return LayerSpec("Activation", {"activation": _activation(layer, cfg)})


def _relu(layer, cfg, out_shape) -> LayerSpec:
    if cfg.get("negative_slope", 0) != 0 or cfg.get("threshold", 0) != 0:
        raise _unsupported(layer, f"negative_slope={cfg.get('negative_slope')!r}, "
                                  f"threshold={cfg.get('threshold')!r}; only the ReLU "
                                  "min(max(0, u), max_value)")
    m = cfg.get("max_value")
    return LayerSpec("Activation", {"activation": "relu"}) if m is None else \
        LayerSpec("ReLU", {"max_value": m})


def _softmax(layer, cfg, out_shape) -> LayerSpec:
    if cfg.get("axis", -1) not in (-1, len(out_shape)):
        raise _unsupported(layer, f"softmax over axis {cfg['axis']!r}; only the last")
    return LayerSpec("Activation", {"activation": "softmax"})


def _add(layer, cfg, out_shape) -> LayerSpec:
    return LayerSpec("Add")


def _concatenate(layer, cfg, out_shape) -> LayerSpec:
    if cfg["axis"] not in (-1, len(out_shape)):
        raise _unsupported(layer, f"axis={cfg['axis']!r}; only Concatenate over the last "
                                  "axis (channels)")
    return LayerSpec("Concatenate")


#: the reader of each Keras layer class: ``reader(layer, config, out_shape) -> LayerSpec``
_READERS = {"Dense": _dense, "Conv2D": _conv, "DepthwiseConv2D": _conv,
            "SeparableConv2D": _conv, "MaxPooling2D": _pool, "AveragePooling2D": _pool,
            "GlobalAveragePooling2D": _global_pool, "Flatten": _reshape, "Reshape": _reshape,
            "Dropout": _dropout, "BatchNormalization": _batch_norm,
            "Activation": _activation_layer, "ReLU": _relu, "Softmax": _softmax, "Add": _add,
            "Concatenate": _concatenate}


def spec_layer(layer, out_shape: tuple) -> LayerSpec:
    """The spec layer of one call of the Keras ``layer`` (not an identity, not
    ``ZeroPadding2D``) whose output has the per-sample ``out_shape``; ``ValueError`` naming the
    layer for anything unsupported."""
    kind, cfg = type(layer).__name__, layer.get_config()
    if kind in _CHANNELS_LAST and cfg.get("data_format", "channels_last") != "channels_last":
        raise _unsupported(layer, f"data_format={cfg['data_format']!r}; only channels_last")
    if kind not in _READERS:
        raise _unsupported(layer)
    return _READERS[kind](layer, cfg, out_shape)


def check_padding(node, readers) -> None:
    """``ValueError`` unless the ``ZeroPadding2D`` ``node`` pads all sides alike and its one
    reader is a ``Conv2D`` with padding ``"valid"`` (they become one spec ``Conv2D``)."""
    cfg = node.layer.get_config()
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise _unsupported(node.layer, f"data_format={cfg['data_format']!r}; only channels_last")
    (top, bottom), (left, right) = cfg["padding"]
    if not top == bottom == left == right:
        raise _unsupported(node.layer, f"padding {cfg['padding']!r} is not symmetric")
    if len(readers) != 1 or type(readers[0].layer).__name__ != "Conv2D" \
            or readers[0].layer.get_config()["padding"] != "valid":
        raise _unsupported(node.layer, "ZeroPadding2D is only supported right before a Conv2D "
                                       "with padding 'valid' that alone reads it")
