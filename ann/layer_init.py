"""Freshly initialised layers for a :class:`~ann.spec.LayerSpec`, with Keras's defaults.

Kernels are Glorot-uniform, ``W ~ U(±√(6/(fan_in + fan_out)))`` (Glorot & Bengio 2010), with the
fans Keras computes from the kernel's shape (``keras.src.initializers.compute_fans``): for a
kernel ``(…, a, b)`` with receptive field ``r`` (the product of the leading axes),
``fan_in = r·a`` and ``fan_out = r·b``. So

* ``Dense (n_in, n_out)``: ``n_in``, ``n_out``;
* ``Conv2D (kh, kw, C_in, C_out)``: ``kh·kw·C_in``, ``kh·kw·C_out``;
* ``DepthwiseConv2D (kh, kw, C, M)``: ``kh·kw·C``, ``kh·kw·M`` (Keras treats the depthwise
  kernel like any 4-D kernel, although each output sees only ``kh·kw`` inputs);
* ``SeparableConv2D``: its depthwise kernel as above, its pointwise ``(1, 1, C·M, F)``:
  ``C·M``, ``F``.

Biases are zero; BatchNorm starts at ``γ = 1, β = 0``, running mean 0 and variance 1. Kernels
are drawn from ``rng`` in the order of the layers (a chain draws exactly what it drew before
graphs existed).
"""

from __future__ import annotations

import numpy as np

from .convolution import pair
from .layers import (Activation, Add, AvgPool2D, BatchNorm, Concatenate, Conv2D, Dense,
                     DepthwiseConv2D, Dropout, Flatten, GlobalAveragePooling2D, Layer, MaxPool2D,
                     ReLU, Reshape, SeparableConv2D)

__all__ = ["glorot_uniform", "build_layer"]


def glorot_uniform(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator,
                   dtype=np.float32) -> np.ndarray:
    """``U(±√(6/(fan_in + fan_out)))`` of ``shape``, drawn from ``rng`` in float64 and cast."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def _depthwise_kernel(p, c, rng, dtype) -> np.ndarray:
    (kh, kw), m = pair(p["kernel_size"], "kernel_size"), p["depth_multiplier"]
    return glorot_uniform((kh, kw, c, m), kh * kw * c, kh * kw * m, rng, dtype)


def build_layer(lay, in_shape, rng: np.random.Generator, dtype=np.float32) -> Layer:
    """The :class:`~ann.layers.Layer` for ``lay`` whose input has shape ``in_shape`` (without
    the batch axis; a list of shapes for ``Add``/``Concatenate``), initialised as in the module
    docstring. ``rng`` also drives a ``Dropout`` layer's masks."""
    t, p = lay.type, lay.params
    if t == "Dense":
        n_in, n_out = in_shape[0], p["units"]
        W = glorot_uniform((n_in, n_out), n_in, n_out, rng, dtype)
        b = np.zeros(n_out, dtype) if p["use_bias"] else None
        return Dense(W, b, p["activation"])
    if t == "Conv2D":
        (kh, kw), cin, cout = pair(p["kernel_size"], "kernel_size"), in_shape[2], p["filters"]
        W = glorot_uniform((kh, kw, cin, cout), kh * kw * cin, kh * kw * cout, rng, dtype)
        b = np.zeros(cout, dtype) if p["use_bias"] else None
        return Conv2D(W, b, p["strides"], p["padding"], p["activation"])
    if t == "DepthwiseConv2D":
        W = _depthwise_kernel(p, in_shape[2], rng, dtype)
        b = np.zeros(W.shape[2] * W.shape[3], dtype) if p["use_bias"] else None
        return DepthwiseConv2D(W, b, p["strides"], p["padding"], p["activation"])
    if t == "SeparableConv2D":
        Wd = _depthwise_kernel(p, in_shape[2], rng, dtype)
        cm, f = Wd.shape[2] * Wd.shape[3], p["filters"]
        P = glorot_uniform((1, 1, cm, f), cm, f, rng, dtype)
        b = np.zeros(f, dtype) if p["use_bias"] else None
        return SeparableConv2D(Wd, P, b, p["strides"], p["padding"], p["activation"])
    if t == "MaxPool2D":
        return MaxPool2D(p["pool_size"], p["strides"])
    if t == "AvgPool2D":
        return AvgPool2D(p["pool_size"], p["strides"])
    if t == "BatchNorm":
        return BatchNorm(in_shape[-1], p["momentum"], p["eps"], dtype)
    if t == "Dropout":
        return Dropout(p["rate"], rng)
    if t == "Activation":
        return Activation(p["activation"])
    if t == "ReLU":
        return ReLU(p["max_value"])
    if t == "Reshape":
        return Reshape(p["target_shape"])
    simple = {"Flatten": Flatten, "GlobalAveragePooling2D": GlobalAveragePooling2D,
              "Add": Add, "Concatenate": Concatenate}
    if t in simple:
        return simple[t]()
    raise ValueError(f"unknown layer type {t!r}")  # unreachable: LayerSpec validates types
