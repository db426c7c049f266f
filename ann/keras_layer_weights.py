"""Weights between a Keras layer and the :mod:`ann.spec` convention: read
(:func:`layer_weights`) and written back after checking keys, shapes and finiteness
(:func:`assign_layer_weights`)."""

from __future__ import annotations

import numpy as np

from .spec import LayerSpec

__all__ = ["layer_weights", "assign_layer_weights"]

_WEIGHTED = ("Dense", "Conv2D", "DepthwiseConv2D")


def _arr(v) -> np.ndarray:
    return np.array(v.numpy(), dtype=np.float32)  # a copy, detached from the variable


def layer_weights(spec: LayerSpec, layer) -> dict:
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


def assign_layer_weights(spec: LayerSpec, layer, w: dict, where: str) -> None:
    """Copy one spec layer's weights ``w`` into its Keras ``layer`` (float32), after checking
    keys, shapes and finiteness (``ValueError`` starting with ``where``)."""
    target = layer_weights(spec, layer)
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
