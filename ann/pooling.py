"""Max and average pooling over ``k×k`` windows on NHWC arrays (valid padding, stride defaults
to ``k``), with their gradients; pure functions.

Both loop over the ``k²`` window offsets only (strided slices), never over pixels. Max pooling
routes each window's gradient to its first maximum in row-major order, as TensorFlow does.

:func:`max_over_groups` is the same pooling where the ``k²`` members of every window were already
computed into ``k²`` separate arrays (by a convolution that fuses its pooling; see
:mod:`ann.conv_plan`).
"""

from __future__ import annotations

import numpy as np

from .convolution import windows

__all__ = ["max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward",
           "max_over_groups", "max_over_groups_backward"]

def _pool_windows(x, k, s):
    n, h, w, c = x.shape
    if h < k or w < k:
        raise ValueError(f"pooling: input {x.shape} is smaller than the pool size {k}")
    return windows(x, k, k, s)


def _offsets(k, s, ho, wo):
    """``(a, b, rows, cols)`` for each of the ``k²`` window offsets: the strided slices that
    pick element ``(a, b)`` of every window."""
    for a in range(k):
        for b in range(k):
            yield a, b, slice(a, a + s * (ho - 1) + 1, s), slice(b, b + s * (wo - 1) + 1, s)


def max_pool2d(x: np.ndarray, k: int = 2, stride: int | None = None) -> np.ndarray:
    """Max over ``k×k`` windows (valid padding): ``k²`` element-wise maxima of strided slices."""
    s = stride or k
    n, h, w, c = x.shape
    if h < k or w < k:
        raise ValueError(f"pooling: input {x.shape} is smaller than the pool size {k}")
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    y = None
    for a, b, rows, cols in _offsets(k, s, ho, wo):
        if y is None:
            y = x[:, rows, cols, :].copy()
        else:
            np.maximum(y, x[:, rows, cols, :], out=y)
    return y


def max_pool2d_backward(dy: np.ndarray, x: np.ndarray, y: np.ndarray, k: int = 2,
                        stride: int | None = None) -> np.ndarray:
    """``∂E/∂x``: each window's gradient goes to its first maximum (row-major order within the
    window, as TensorFlow routes it)."""
    s = stride or k
    n, ho, wo, c = dy.shape
    dx = np.zeros(x.shape, dtype=dy.dtype)
    unrouted = np.ones(dy.shape, dtype=bool)
    hit = np.empty(dy.shape, dtype=bool)
    disjoint = s >= k  # windows do not overlap: each slice of dx is written once
    for a, b, rows, cols in _offsets(k, s, ho, wo):
        np.equal(x[:, rows, cols, :], y, out=hit)
        hit &= unrouted
        unrouted ^= hit
        if disjoint:
            np.multiply(dy, hit, out=dx[:, rows, cols, :])
        else:
            dx[:, rows, cols, :] += dy * hit
    return dx


def avg_pool2d(x: np.ndarray, k: int = 2, stride: int | None = None) -> np.ndarray:
    """Mean over ``k×k`` windows (valid padding)."""
    s = stride or k
    return _pool_windows(x, k, s).mean(axis=(3, 4))


def avg_pool2d_backward(dy: np.ndarray, x_shape: tuple, k: int = 2,
                        stride: int | None = None) -> np.ndarray:
    """``∂E/∂x``: each window's gradient is shared equally by its ``k²`` inputs."""
    s = stride or k
    n, ho, wo, c = dy.shape
    dx = np.zeros(x_shape, dtype=dy.dtype)
    g = dy / (k * k)
    for a in range(k):
        for b in range(k):
            dx[:, a:a + s * (ho - 1) + 1:s, b:b + s * (wo - 1) + 1:s, :] += g
    return dx


def max_over_groups(u: list[np.ndarray], out: np.ndarray) -> np.ndarray:
    """``out = max_b u[b]`` over ``k²`` equally shaped arrays, ``u[k·a + β]`` holding member
    ``(a, β)`` of every window: max pooling as ``k² − 1`` element-wise maxima."""
    np.maximum(u[0], u[1], out=out)
    for ub in u[2:]:
        np.maximum(out, ub, out=out)
    return out


def max_over_groups_backward(g: np.ndarray, u: list[np.ndarray], y: np.ndarray,
                             du: list[np.ndarray]) -> None:
    """``∂E/∂u`` into the arrays ``du`` (shaped like ``u``) from ``g = ∂E/∂y``: each window's
    gradient goes to its first maximum in group order, which is row-major order within the
    window — the same routing as :func:`max_pool2d_backward` and TensorFlow."""
    unrouted = np.ones(g.shape, dtype=bool)
    hit = np.empty(g.shape, dtype=bool)
    for ub, dub in zip(u[:-1], du[:-1]):
        np.equal(ub, y, out=hit)
        hit &= unrouted
        unrouted ^= hit
        np.multiply(g, hit, out=dub)
    np.multiply(g, unrouted, out=du[-1])  # whatever is left had its maximum here
