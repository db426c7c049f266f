"""Pure array functions: activations, softmax, convolution and pooling, each with its derivative.

Everything here is stateless and works on any float dtype (float32 for training, float64 for
gradient checks); images are NHWC. The layer classes in :mod:`ann.layers` wrap these with the
state a backward pass needs; :mod:`bridge` reuses them on float32 batches.

Activations (the lecture's h and h'):

* sigmoid ``h(u) = 1 / (1 + e^{-u})``, ``h' = h (1 − h)`` (evaluated with ``e^{-|u|}`` so that
  neither branch overflows);
* tanh ``h' = 1 − h²``; ReLU ``h = max(0, u)``, ``h' = [u > 0]``;
* clipped ReLU with cap ``m > 0`` (:func:`clipped_relu`; ``"relu6"`` is ``m = 6``):
  ``h = min(max(0, u), m)``, ``h' = [0 < u < m]`` — 0 at both kinks, as TensorFlow's
  ``tf.nn.relu6`` gradient (``Relu6Grad``) and Keras's ``ReLU(max_value=6)``; written with the
  output alone, ``[0 < u < m] = [0 < h < m]``. (Keras's ``ReLU(max_value=m)`` for ``m ≠ 6``
  clips with ``clip_by_value``, whose gradient is 1 at ``u = m`` exactly: the two differ only
  on that point.)
* softmax ``y_k = e^{u_k − max u} / Σ_j e^{u_j − max u}``, Jacobian–vector product
  ``∂E/∂u = y ⋆ (g − Σ_k g_k y_k)`` for an upstream gradient ``g = ∂E/∂y``.

Convolution and pooling live in :mod:`ann.convolution` and :mod:`ann.pooling`; their functions
are re-exported here, so ``from ann.functional import conv2d, max_pool2d`` works.
"""

from __future__ import annotations

import math

import numpy as np

from .convolution import (col2im, conv2d, conv2d_backward, conv2d_input_grad, conv_output_size,
                          conv_pads, depthwise_conv2d, depthwise_conv2d_backward, im2col,
                          pad_nhwc, windows)
from .pooling import (avg_pool2d, avg_pool2d_backward, global_avg_pool2d,
                      global_avg_pool2d_backward, max_pool2d, max_pool2d_backward)

__all__ = ["sigmoid", "relu", "clipped_relu", "clipped_relu_backward", "check_max_value",
           "softmax", "log_softmax", "ACTIVATIONS", "activation_forward", "activation_backward",
           "conv_pads", "conv_output_size", "pad_nhwc", "windows", "im2col", "col2im", "conv2d",
           "conv2d_backward", "conv2d_input_grad", "depthwise_conv2d",
           "depthwise_conv2d_backward", "max_pool2d", "max_pool2d_backward", "avg_pool2d",
           "avg_pool2d_backward", "global_avg_pool2d", "global_avg_pool2d_backward"]

#: the names :func:`activation_forward` knows
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "relu6", "softmax")


# --- activations -----------------------------------------------------------------------------

def sigmoid(u: np.ndarray) -> np.ndarray:
    """Logistic function ``h(u) = 1 / (1 + e^{-u})``, with ``h' = h (1 − h)``
    (:func:`activation_backward`); stable for any ``u``: ``e^{-|u|}`` never overflows."""
    z = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(u.dtype, copy=False)


def relu(u: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``h(u) = max(0, u)``, with ``h' = [u > 0]``
    (:func:`activation_backward`; 0 at ``u = 0``, a valid subgradient)."""
    return np.maximum(u, 0)


def check_max_value(m) -> float:
    """``m`` as a float if it is a finite number ``> 0``; ``TypeError`` (not a real number) or
    ``ValueError`` (``≤ 0``, NaN, infinite) naming it otherwise."""
    if isinstance(m, (bool, np.bool_)) or not isinstance(m, (int, float, np.integer, np.floating)):
        raise TypeError(f"max_value must be a real number, got {m!r}")
    if not math.isfinite(m) or m <= 0:
        raise ValueError(f"max_value must be finite and > 0, got {m!r}")
    return float(m)


def clipped_relu(u: np.ndarray, m: float, inplace: bool = False) -> np.ndarray:
    """``h(u) = min(max(0, u), m)``; ``inplace=True`` overwrites ``u``."""
    return np.clip(u, 0, m, out=u if inplace else None)


def clipped_relu_backward(dy: np.ndarray, y: np.ndarray, m: float) -> np.ndarray:
    """``∂E/∂u = [0 < y < m] ⋆ dy`` (0 at both kinks, as ``tf.nn.relu6``)."""
    return dy * ((y > 0) & (y < m))


def softmax(u: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, ``y_k = e^{u_k} / Σ_j e^{u_j}``, computed as
    ``e^{u_k − max u} / Σ_j e^{u_j − max u}`` (the max subtracted first: no overflow)."""
    e = np.exp(u - u.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(u: np.ndarray, axis: int = -1) -> np.ndarray:
    """``u − logsumexp(u)``, stable for logits of any magnitude."""
    z = u - u.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def activation_forward(name: str, u: np.ndarray, inplace: bool = False) -> np.ndarray:
    """``h(u)`` for ``name`` in :data:`ACTIVATIONS` (softmax on the last axis); ``inplace=True``
    may overwrite ``u`` (ReLU, relu6 and tanh do)."""
    if name == "linear":
        return u
    if name == "relu":
        return np.maximum(u, 0, out=u) if inplace else relu(u)
    if name == "relu6":
        return clipped_relu(u, 6.0, inplace)
    if name == "tanh" and inplace:
        return np.tanh(u, out=u)
    if name == "sigmoid":
        return sigmoid(u)
    if name == "tanh":
        return np.tanh(u)
    if name == "softmax":
        return softmax(u)
    raise ValueError(f"unknown activation {name!r}")


def activation_backward(name: str, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``∂E/∂u = h'(u) ⋆ ∂E/∂y`` from ``dy = ∂E/∂y`` and the output ``y = h(u)`` — the
    ``h'(u^(l)) ⋆`` factor of the δ rule, the lecture's eq. 10 (see
    :meth:`ann.layers.dense.Dense.backward`). Every derivative here can be written with ``y``
    alone; for ReLU ``[u > 0] = [y > 0]``."""
    if name == "linear":
        return dy
    if name == "relu":
        return dy * (y > 0)
    if name == "relu6":
        return clipped_relu_backward(dy, y, 6.0)
    if name == "sigmoid":
        return dy * y * (1 - y)
    if name == "tanh":
        return dy * (1 - y * y)
    if name == "softmax":
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))
    raise ValueError(f"unknown activation {name!r}")
