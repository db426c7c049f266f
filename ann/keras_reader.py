"""Reading Keras models as :class:`~ann.spec.ModelSpec` + weights, and writing weights back.

:func:`spec_from_keras` reads a built ``Sequential`` or functional Keras model: its wiring by
:func:`ann.keras_graph.keras_nodes` (one input, one output, nested ``Sequential`` and
functional blocks flattened, shared layers refused), each layer mapped to a spec layer (the
table in :mod:`ann.keras_models`) with its weights in the :mod:`ann.spec` convention;
:func:`set_keras_weights` is the inverse for the weights.

A model whose layers form one plain chain is read as a chain (no names, no ``inputs``: exactly
the spec the chain builder started from). Any other is read as a graph: every spec layer is
named by its Keras layer's name (``"block.conv"`` inside a nested block; a name that would clash
with another or with ``"input"`` gets a ``_2``, ``_3``… suffix), and a layer names its
``inputs`` where it does not read the layer before it.

Every Keras setting the NumPy network cannot reproduce (an activation outside
:data:`~ann.spec.ACTIVATIONS`, dilation, groups, "same" pooling, channels-first data,
BatchNorm off the last axis, ``Concatenate`` off the last axis, a ``ReLU`` with
``negative_slope`` or ``threshold``, ``GlobalAveragePooling2D(keepdims=True)``, unknown layer
classes such as ``LSTM``) raises a one-line ``ValueError`` naming the Keras layer and its class.

Keras layers that compute the identity at inference and have no spec form — ``InputLayer``,
``Identity``, a ``Reshape`` to its input's shape, and the layers that act only in training
(:data:`INFERENCE_IDENTITY_KERAS_LAYERS`, a ``Dropout`` with a ``noise_shape``) — are left out of
the spec (:func:`_inference_identity`), wherever they stand, and their readers read their
input: the spec computes the same function. A ``Reshape`` to a flat shape is read as
``Flatten``, a ``ReLU()`` without a cap as ``Activation("relu")`` (the same functions).
"""

from __future__ import annotations

import numpy as np

from .keras_graph import describe, keras_nodes, named_graph
from .spec import ACTIVATIONS, LayerSpec, ModelSpec

__all__ = ["SUPPORTED_KERAS_LAYERS", "INFERENCE_IDENTITY_KERAS_LAYERS", "spec_from_keras",
           "keras_layer_names", "keras_weights", "set_keras_weights", "assign_layer_weights"]

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

_WEIGHTED = ("Dense", "Conv2D", "DepthwiseConv2D")
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


def _inference_identity(layer, in_shape: tuple, out_shape: tuple) -> bool:
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


def _spec_layer(layer, out_shape: tuple) -> LayerSpec:
    """The spec layer of one call of the Keras ``layer`` (not an identity, not
    ``ZeroPadding2D``) whose output has the per-sample ``out_shape``; ``ValueError`` naming the
    layer for anything unsupported."""
    kind, cfg = type(layer).__name__, layer.get_config()
    if kind in _CHANNELS_LAST and cfg.get("data_format", "channels_last") != "channels_last":
        raise _unsupported(layer, f"data_format={cfg['data_format']!r}; only channels_last")
    if kind == "Dense":
        return LayerSpec("Dense", {"units": int(cfg["units"]),
                                   "activation": _activation(layer, cfg),
                                   "use_bias": bool(cfg["use_bias"])})
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        return LayerSpec(kind, _conv_params(layer, cfg, kind))
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        if cfg["padding"] != "valid":
            raise _unsupported(layer, f"padding {cfg['padding']!r}; only 'valid' pooling")
        size = _int_or_pair(cfg["pool_size"])
        strides = _int_or_pair(cfg["strides"] or cfg["pool_size"])
        return LayerSpec("MaxPool2D" if kind == "MaxPooling2D" else "AvgPool2D",
                         {"pool_size": size, "strides": None if strides == size else strides})
    if kind == "GlobalAveragePooling2D":
        if cfg.get("keepdims"):
            raise _unsupported(layer, "keepdims=True; only (H, W, C) -> (C,)")
        return LayerSpec("GlobalAveragePooling2D")
    if kind == "Flatten" or (kind == "Reshape" and len(out_shape) == 1):
        return LayerSpec("Flatten")  # a Reshape to the same shape is an identity (left out)
    if kind == "Reshape":
        return LayerSpec("Reshape", {"target_shape": tuple(int(d) for d in cfg["target_shape"])})
    if kind == "Dropout":  # with a noise_shape: see _inference_identity
        return LayerSpec("Dropout", {"rate": float(cfg["rate"])})
    if kind == "BatchNormalization":
        axis = cfg["axis"]
        axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
        if axis not in (-1, len(out_shape)) or cfg.get("renorm") or cfg.get("synchronized"):
            raise _unsupported(layer, f"only BatchNormalization over the last axis "
                                      f"(axis={cfg['axis']!r})")
        return LayerSpec("BatchNorm", {"momentum": float(cfg["momentum"]),
                                       "eps": float(cfg["epsilon"])})
    if kind == "Activation":
        return LayerSpec("Activation", {"activation": _activation(layer, cfg)})
    if kind == "ReLU":
        if cfg.get("negative_slope", 0) != 0 or cfg.get("threshold", 0) != 0:
            raise _unsupported(layer, f"negative_slope={cfg.get('negative_slope')!r}, "
                                      f"threshold={cfg.get('threshold')!r}; only the ReLU "
                                      "min(max(0, u), max_value)")
        m = cfg.get("max_value")
        return LayerSpec("Activation", {"activation": "relu"}) if m is None else \
            LayerSpec("ReLU", {"max_value": m})
    if kind == "Softmax":
        if cfg.get("axis", -1) not in (-1, len(out_shape)):
            raise _unsupported(layer, f"softmax over axis {cfg['axis']!r}; only the last")
        return LayerSpec("Activation", {"activation": "softmax"})
    if kind == "Add":
        return LayerSpec("Add")
    if kind == "Concatenate":
        if cfg["axis"] not in (-1, len(out_shape)):
            raise _unsupported(layer, f"axis={cfg['axis']!r}; only Concatenate over the last "
                                      "axis (channels)")
        return LayerSpec("Concatenate")
    raise _unsupported(layer)


def _check_padding(node, readers) -> None:
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


def _read(model):
    """``(spec, [(LayerSpec, keras layer), ...], labels)`` for a supported Keras model."""
    input_shape, nodes = keras_nodes(model, _inference_identity)
    kept: dict[int, int] = {-1: -1}   # node index -> spec index
    specs, pairs, sources, labels = [], [], [], []
    for k, node in enumerate(nodes):
        kind, src = type(node.layer).__name__, node.sources
        if kind == "ZeroPadding2D":   # folded into the Conv2D that alone reads it
            _check_padding(node, [n for n in nodes if k in n.sources])
            continue
        spec = _spec_layer(node.layer, node.out_shape)
        if kind == "Conv2D" and src[0] >= 0 and \
                type(nodes[src[0]].layer).__name__ == "ZeroPadding2D":
            pad = nodes[src[0]]
            spec = LayerSpec("Conv2D", {**spec.params,
                                        "padding": int(pad.layer.get_config()["padding"][0][0])})
            src = pad.sources
        kept[k] = len(specs)
        specs.append(spec)
        pairs.append(node.layer)
        sources.append(tuple(kept[j] for j in src))
        labels.append(node.label)
    if any(s != (i - 1,) for i, s in enumerate(sources)):
        specs = named_graph(specs, sources, labels)
        labels = [lay.name for lay in specs]  # made unique
    try:
        spec = ModelSpec(input_shape, tuple(specs), name=model.name)
    except ValueError as e:
        raise ValueError(f"Keras model {model.name!r}: {e}") from e
    return spec, list(zip(spec.layers, pairs)), tuple(labels)


def _arr(v) -> np.ndarray:
    return np.array(v.numpy(), dtype=np.float32)  # a copy, detached from the variable


def _layer_weights(spec: LayerSpec, layer) -> dict:
    """The weights of the Keras ``layer`` in the :mod:`ann.spec` convention for ``spec``."""
    w = {}
    if spec.type in _WEIGHTED:
        w["W"] = _arr(layer.kernel)
    elif spec.type == "SeparableConv2D":
        w = {"W_depthwise": _arr(layer.depthwise_kernel),
             "W_pointwise": _arr(layer.pointwise_kernel)}
    elif spec.type == "BatchNorm":
        c = layer.moving_mean.shape[-1]
        return {"gamma": _arr(layer.gamma) if layer.scale else np.ones(c, np.float32),
                "beta": _arr(layer.beta) if layer.center else np.zeros(c, np.float32),
                "running_mean": _arr(layer.moving_mean),
                "running_var": _arr(layer.moving_variance)}
    if w and spec["use_bias"]:
        w["b"] = _arr(layer.bias)
    return w


def spec_from_keras(model) -> tuple[ModelSpec, list[dict]]:
    """Read a Keras model into ``(spec, weights)`` (one weight dict per spec layer).

    ``model`` must be a built ``Sequential`` or functional model with one input and one
    output, whose layers (nested models flattened) are each called once and are of a type in
    :data:`SUPPORTED_KERAS_LAYERS`, with the restrictions in the module docstring. A chain is
    read as a chain, anything else as a graph (module docstring). Otherwise ``ValueError`` (one
    line) names the first offending layer; ``TypeError`` if ``model`` is not a Keras model.
    """
    spec, pairs, _ = _read(model)
    return spec, [_layer_weights(s, lay) for s, lay in pairs]


def keras_layer_names(model) -> tuple[str, ...]:
    """The Keras name of each spec layer of :func:`spec_from_keras` ``(model)``, in order (a
    ``ZeroPadding2D`` + ``Conv2D`` pair is named by the ``Conv2D``; a layer inside a nested
    model as ``"outer.inner"``)."""
    return _read(model)[2]


def keras_weights(model) -> list[dict]:
    """The weights of a (supported) Keras model in the :mod:`ann.spec` convention."""
    return spec_from_keras(model)[1]


def set_keras_weights(model, weights: list[dict]) -> None:
    """Copy ``weights`` (one dict per layer of :func:`spec_from_keras` ``(model)``, in its
    order) into the Keras ``model``; ``ValueError`` (one line) for a wrong count, keys, shape
    or a NaN/Inf value, naming ``weights[i]``."""
    pairs = _read(model)[1]
    if not isinstance(weights, (list, tuple)) or len(weights) != len(pairs):
        n = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
        raise ValueError(f"weights: expected a list of {len(pairs)} dicts (one per layer), "
                         f"got {n}")
    for i, ((s, layer), w) in enumerate(zip(pairs, weights)):
        assign_layer_weights(s, layer, w, f"weights[{i}]")


def assign_layer_weights(spec: LayerSpec, layer, w: dict, where: str) -> None:
    """Copy one spec layer's weights ``w`` into its Keras ``layer`` (float32), after checking
    keys, shapes and finiteness (``ValueError`` starting with ``where``)."""
    target = _layer_weights(spec, layer)
    if not isinstance(w, dict) or set(w) != set(target):
        got = sorted(w) if isinstance(w, dict) else type(w).__name__
        raise ValueError(f"{where} ({spec.type}): expected keys {sorted(target)}, got {got}")
    for key, ref in target.items():
        if np.shape(w[key]) != ref.shape:
            raise ValueError(f"{where}[{key!r}] ({spec.type}): expected shape {ref.shape}, "
                             f"got {np.shape(w[key])}")
        if not np.all(np.isfinite(w[key])):
            raise ValueError(f"{where}[{key!r}] ({spec.type}) holds NaN or Inf values")
    variables = {"W": "kernel", "b": "bias", "W_depthwise": "depthwise_kernel",
                 "W_pointwise": "pointwise_kernel", "running_mean": "moving_mean",
                 "running_var": "moving_variance"}
    if spec.type == "BatchNorm":
        for key, flag, neutral in (("gamma", "scale", 1), ("beta", "center", 0)):
            if getattr(layer, flag):
                variables[key] = key
            elif not np.allclose(w[key], neutral):
                raise ValueError(f"{where}[{key!r}]: Keras layer {layer.name!r} has "
                                 f"{flag}=False, so {key} must be {neutral}")
    for key, value in w.items():
        if key in variables:
            getattr(layer, variables[key]).assign(np.asarray(value, np.float32))
