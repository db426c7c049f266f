"""Max and average pooling over ``kh×kw`` windows on NHWC arrays (valid padding, stride defaults
to the window), with their gradients; pure functions. Sizes and strides are ints (square) or
pairs ``(kh, kw)``, ``(s_h, s_w)``.

Both loop over the ``kh·kw`` window offsets only (strided slices), never over pixels. Max pooling
routes each window's gradient to its first maximum in row-major order, as TensorFlow does.

Global average pooling ``y[n, c] = (1/(H·W)) Σ_{i,j} x[n, i, j, c]`` has
``∂E/∂x[n, i, j, c] = ∂E/∂y[n, c] / (H·W)``.

:func:`max_over_groups` is the same pooling where the ``k²`` members of every window were already
computed into ``k²`` separate arrays (by a convolution that fuses its pooling; see
:mod:`ann.conv_plan`).
"""

from __future__ import annotations

import numpy as np

from .convolution import pair, tap_slices, windows

__all__ = ["max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward",
           "global_avg_pool2d", "global_avg_pool2d_backward", "max_over_groups",
           "max_over_groups_backward"]


def _geometry(shape, k, stride):
    """``(kh, kw, (s_h, s_w), Ho, Wo)`` of a valid pooling of an ``(N, H, W, C)`` input;
    ``ValueError`` if the input is smaller than the window."""
    kh, kw = pair(k, "pool size")
    s = pair(stride or k, "pool stride")
    n, h, w, c = shape
    if h < kh or w < kw:
        raise ValueError(f"pooling: input {tuple(shape)} is smaller than the pool size {k}")
    return kh, kw, s, (h - kh) // s[0] + 1, (w - kw) // s[1] + 1


def max_pool2d(x: np.ndarray, k=2, stride=None) -> np.ndarray:
    """Max over ``kh×kw`` windows (valid padding),
    ``y[n, i, j, c] = max_{a,b} x[n, s_h·i + a, s_w·j + b, c]``: ``kh·kw`` element-wise maxima
    of strided slices."""
    kh, kw, s, ho, wo = _geometry(x.shape, k, stride)
    y = None
    for a, b, rows, cols in tap_slices(kh, kw, s, ho, wo):
        if y is None:
            y = x[:, rows, cols, :].copy()
        else:
            np.maximum(y, x[:, rows, cols, :], out=y)
    return y


def max_pool2d_backward(dy: np.ndarray, x: np.ndarray, y: np.ndarray, k=2,
                        stride=None) -> np.ndarray:
    """``∂E/∂x``: each window's gradient goes to its first maximum (row-major order within the
    window, as TensorFlow routes it)."""
    kh, kw, s, ho, wo = _geometry(x.shape, k, stride)
    dx = np.zeros(x.shape, dtype=dy.dtype)
    unrouted = np.ones(dy.shape, dtype=bool)
    hit = np.empty(dy.shape, dtype=bool)
    disjoint = s[0] >= kh and s[1] >= kw  # windows do not overlap: each slice written once
    for a, b, rows, cols in tap_slices(kh, kw, s, ho, wo):
        np.equal(x[:, rows, cols, :], y, out=hit)
        hit &= unrouted
        unrouted ^= hit
        if disjoint:
            np.multiply(dy, hit, out=dx[:, rows, cols, :])
        else:
            dx[:, rows, cols, :] += dy * hit
    return dx


def avg_pool2d(x: np.ndarray, k=2, stride=None) -> np.ndarray:
    """Mean over ``kh×kw`` windows (valid padding),
    ``y[n, i, j, c] = (1/(kh·kw)) Σ_{a,b} x[n, s_h·i + a, s_w·j + b, c]``."""
    kh, kw, s, _, _ = _geometry(x.shape, k, stride)
    return windows(x, kh, kw, s).mean(axis=(3, 4))


def avg_pool2d_backward(dy: np.ndarray, x_shape: tuple, k=2, stride=None) -> np.ndarray:
    """``∂E/∂x``: each window's gradient is shared equally by its ``kh·kw`` inputs."""
    kh, kw, s, ho, wo = _geometry(x_shape, k, stride)
    dx = np.zeros(x_shape, dtype=dy.dtype)
    g = dy / (kh * kw)
    for _, _, rows, cols in tap_slices(kh, kw, s, ho, wo):
        dx[:, rows, cols, :] += g
    return dx


def global_avg_pool2d(x: np.ndarray) -> np.ndarray:
    """``(N, H, W, C) → (N, C)``: the mean over every pixel of each channel,
    ``y[n, c] = (1/(H·W)) Σ_{i,j} x[n, i, j, c]``."""
    if x.ndim != 4:
        raise ValueError(f"global average pooling expects inputs (N, H, W, C), got {x.shape}")
    return x.mean(axis=(1, 2))


def global_avg_pool2d_backward(dy: np.ndarray, x_shape: tuple) -> np.ndarray:
    """``∂E/∂x``: ``dy (N, C)`` shared equally by the ``H·W`` pixels, ``(N, H, W, C)``."""
    n, h, w, c = x_shape
    dx = np.empty(x_shape, dtype=dy.dtype)
    dx[...] = (dy / (h * w))[:, None, None, :]
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
