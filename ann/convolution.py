"""2-D convolution on NHWC arrays by im2col, and its gradients (pure functions).

Convolution is cross-correlation, as in every deep-learning library:
``y[n, i, j, o] = Σ_{a,b,c} x_pad[n, s_h·i + a, s_w·j + b, c] · W[a, b, c, o] + b[o]``.
Every ``stride`` here is an int ``s`` (``s_h = s_w = s``) or a pair ``(s_h, s_w)``
(:func:`pair`); kernels may be non-square (``kh ≠ kw``).
It is computed by *im2col*: the receptive fields are gathered (via a strided view, no Python
loop over pixels) into a matrix of shape ``(N·Ho·Wo, kh·kw·C)`` and multiplied with the kernel
reshaped to ``(kh·kw·C, C_out)`` — one BLAS matrix product. The backward pass is two more
products, ``∂W = colsᵀ · δ`` and ``∂cols = δ · Wᵀ``; *col2im* scatters ``∂cols`` back (one
sparse product with a cached 0/1 matrix, or ``kh·kw`` strided additions for many channels). For
stride 1 and wide inputs, ``∂x`` is computed instead as a convolution of the padded ``δ`` with
the flipped kernel (:func:`conv2d_input_grad`).

Padding follows TensorFlow: ``"same"`` pads ``max((⌈H/s_h⌉ − 1)·s_h + kh − H, 0)`` zeros (likewise
for columns), the smaller half on top/left.

**Depthwise convolution** (:func:`depthwise_conv2d`, Keras's ``DepthwiseConv2D`` layout): each
input channel ``c`` is convolved with its own ``M`` filters ``W[:, :, c, m]`` into output channel
``c·M + m``:
``y[n, i, j, c·M + m] = Σ_{a,b} x_pad[n, s_h·i + a, s_w·j + b, c] · W[a, b, c, m] + b[c·M + m]``.
It is computed as ``kh·kw`` broadcast multiply-adds of strided slices (one per kernel tap, no
loop over pixels or channels); backward ``∂W[a, b] = Σ_{n,i,j} x_slice(a, b) ⋆ δ`` and
``∂x_slice(a, b) += Σ_m δ ⋆ W[a, b]``.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .checks import is_int

__all__ = ["pair", "conv_pads", "conv_output_size", "pad_nhwc", "windows", "tap_slices", "im2col",
           "col2im", "conv2d", "conv2d_backward", "conv2d_input_grad", "cols_t_dot",
           "depthwise_conv2d", "depthwise_conv2d_backward"]


def _is_int(a) -> bool:
    return is_int(a, numpy=True)


def pair(v, name: str = "stride") -> tuple[int, int]:
    """``(v, v)`` for an int ``v``, ``(v[0], v[1])`` for a pair of ints; ``TypeError`` (not an
    int or a pair of ints) or ``ValueError`` (not positive), naming ``name`` and ``v``."""
    if type(v) is int and v > 0:  # the common case, first
        return v, v
    if _is_int(v):
        v = (v, v)
    elif not (isinstance(v, (tuple, list)) and len(v) == 2 and _is_int(v[0]) and _is_int(v[1])):
        raise TypeError(f"{name} must be an int or a pair of ints, got {v!r}")
    if v[0] < 1 or v[1] < 1:
        raise ValueError(f"{name} must be positive, got {v!r}")
    return int(v[0]), int(v[1])


def conv_pads(h: int, w: int, kh: int, kw: int, stride, padding) -> tuple[int, int, int, int]:
    """Zeros added ``(top, bottom, left, right)`` for ``padding`` ``"valid"``, ``"same"``, an int,
    or an explicit 4-tuple (returned as is); ``stride`` an int or ``(s_h, s_w)``."""
    if isinstance(padding, tuple):
        return padding
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        sh, sw = pair(stride)
        ph = max((-(-h // sh) - 1) * sh + kh - h, 0)
        pw = max((-(-w // sw) - 1) * sw + kw - w, 0)
        return ph // 2, ph - ph // 2, pw // 2, pw - pw // 2
    p = int(padding)
    return p, p, p, p


def conv_output_size(n: int, k: int, stride: int, pad_total: int) -> int:
    return (n + pad_total - k) // stride + 1


def pad_nhwc(x: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    t, b, l, r = pads
    if not any(pads):
        return x
    n, h, w, c = x.shape
    out = np.zeros((n, h + t + b, w + l + r, c), dtype=x.dtype)
    out[:, t:t + h, l:l + w, :] = x
    return out


def windows(xp: np.ndarray, kh: int, kw: int, stride) -> np.ndarray:
    """Read-only strided view ``(N, Ho, Wo, kh, kw, C)`` of the receptive fields of ``xp``."""
    n, h, w, c = xp.shape
    s_h, s_w = pair(stride)
    ho, wo = (h - kh) // s_h + 1, (w - kw) // s_w + 1
    sn, sh, sw, sc = xp.strides
    return as_strided(xp, (n, ho, wo, kh, kw, c), (sn, sh * s_h, sw * s_w, sh, sw, sc),
                      writeable=False)


def tap_slices(kh: int, kw: int, stride, ho: int, wo: int):
    """``(a, b, rows, cols)`` for each of the ``kh·kw`` kernel (or window) taps: the strided
    slices of the padded input that tap ``(a, b)`` of every output pixel reads."""
    sh, sw = pair(stride)
    for a in range(kh):
        for b in range(kw):
            yield a, b, slice(a, a + sh * (ho - 1) + 1, sh), slice(b, b + sw * (wo - 1) + 1, sw)


def im2col(x: np.ndarray, kh: int, kw: int, stride=1, padding="valid",
           out: np.ndarray | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    """Receptive fields of ``x (N, H, W, C)`` as rows: ``(N·Ho·Wo, kh·kw·C)`` and ``(Ho, Wo)``.

    ``out`` (optional) is a buffer of that shape and dtype to fill instead of allocating.
    """
    n, h, w, c = x.shape
    pads = conv_pads(h, w, kh, kw, stride, padding)
    win = windows(pad_nhwc(x, pads), kh, kw, stride)
    ho, wo = win.shape[1:3]
    shape = (n * ho * wo, kh * kw * c)
    if out is None or out.shape != shape or out.dtype != x.dtype:
        out = np.empty(shape, dtype=x.dtype)
    np.copyto(out.reshape(win.shape), win)
    return out, (ho, wo)


def _col2im_loops(dcols, x_shape, kh, kw, stride, pads):
    n, h, w, c = x_shape
    t, b, l, r = pads
    sh, sw = stride
    ho = conv_output_size(h, kh, sh, t + b)
    wo = conv_output_size(w, kw, sw, l + r)
    d = dcols.reshape(n, ho, wo, kh, kw, c)
    dxp = np.zeros((n, h + t + b, w + l + r, c), dtype=dcols.dtype)
    # loops over kernel offsets only, never over pixels
    for a, bb, rows, cols in tap_slices(kh, kw, stride, ho, wo):
        dxp[:, rows, cols, :] += d[:, :, :, a, bb, :]
    return dxp


_LOOP_CHANNELS = 32


@functools.lru_cache(maxsize=32)
def _scatter_matrix(n, hp, wp, ho, wo, kh, kw, sh, sw, dtype):
    """Sparse ``(N·Hp·Wp, N·Ho·Wo·kh·kw)`` 0/1 matrix mapping each im2col entry to the padded
    input pixel it was read from (built once per shape, then cached)."""
    import scipy.sparse as sp

    i = (np.arange(ho) * sh)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    j = (np.arange(wo) * sw)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    pix = (i * wp + j).reshape(-1)                                  # (Ho·Wo·kh·kw,)
    pos = (np.arange(n)[:, None] * (hp * wp) + pix[None, :]).reshape(-1)
    return sp.csr_matrix((np.ones(pos.size, dtype), (pos, np.arange(pos.size))),
                         shape=(n * hp * wp, pos.size))


def col2im(dcols: np.ndarray, x_shape: tuple, kh: int, kw: int, stride=1,
           padding="valid") -> np.ndarray:
    """Adjoint of :func:`im2col`: sum the rows ``(N·Ho·Wo, kh·kw·C)`` back into ``x_shape``.

    The scatter-add is one sparse matrix product (``S · dcols`` viewed as ``(N·Ho·Wo·kh·kw, C)``,
    ``S`` the cached 0/1 scatter matrix), which for few channels is several times faster than
    ``kh·kw`` strided additions; with many channels (≥ 32) the strided additions win and are used.
    """
    n, h, w, c = x_shape
    sh, sw = pair(stride)
    pads = conv_pads(h, w, kh, kw, (sh, sw), padding)
    t, b, l, r = pads
    if c >= _LOOP_CHANNELS:
        dxp = _col2im_loops(dcols, x_shape, kh, kw, (sh, sw), pads)
    else:
        hp, wp = h + t + b, w + l + r
        ho, wo = conv_output_size(h, kh, sh, t + b), conv_output_size(w, kw, sw, l + r)
        S = _scatter_matrix(n, hp, wp, ho, wo, kh, kw, sh, sw, np.dtype(dcols.dtype))
        dxp = np.asarray(S @ dcols.reshape(-1, c)).reshape(n, hp, wp, c)
    return dxp[:, t:t + h, l:l + w, :]


def conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None, stride=1,
           padding="valid") -> np.ndarray:
    """2-D cross-correlation of ``x (N, H, W, C_in)`` with ``W (kh, kw, C_in, C_out)`` plus
    ``b (C_out,)``; returns ``(N, Ho, Wo, C_out)``::

        y[n, i, j, o] = Σ_{a,b,c} x_pad[n, s_h·i + a, s_w·j + b, c] · W[a, b, c, o] + b[o]

    computed as one matrix product of the im2col rows with the reshaped kernel."""
    kh, kw, cin, cout = W.shape
    if x.ndim != 4 or x.shape[3] != cin:
        raise ValueError(f"conv2d: input of shape {x.shape} does not fit a kernel of shape "
                         f"{W.shape}")
    cols, (ho, wo) = im2col(x, kh, kw, stride, padding)
    y = cols @ W.reshape(-1, cout)
    if b is not None:
        y += b
    return y.reshape(x.shape[0], ho, wo, cout)


#: bytes of the im2col matrix per partial product in :func:`cols_t_dot`
GRAD_BLOCK_BYTES = 128 * 1024


def cols_t_dot(cols: np.ndarray, d: np.ndarray, block: int | None = None) -> np.ndarray:
    """``colsᵀ · d`` for a tall im2col matrix ``(M, K)`` (any strides, e.g. a transposed
    K-major buffer) and ``d (M, C_out)`` — the kernel gradient — summed over blocks of ``block``
    rows (default: about :data:`GRAD_BLOCK_BYTES` of ``cols``, at least 64 rows). OpenBLAS is
    several times slower on one product with a very long inner dimension and few outputs
    (measured here for LeNet's convolutions)."""
    m, k = cols.shape
    if block is None:
        block = max(64, GRAD_BLOCK_BYTES // (k * cols.itemsize))
    acc = cols[:block].T @ d[:block]
    for i in range(block, m, block):
        acc += cols[i:i + block].T @ d[i:i + block]
    return acc


def conv2d_input_grad(d: np.ndarray, W: np.ndarray, x_shape: tuple, padding,
                      out: np.ndarray | None = None):
    """``∂E/∂x`` of a stride-1 convolution as another convolution ("transposed convolution"):
    ``∂x = conv(pad(δ), W_flip)`` with ``W_flip[a, b, o, i] = W[kh−1−a, kw−1−b, i, o]`` and
    ``δ`` padded by ``kh−1−top`` above, ``H + top − Ho`` below (likewise for columns). One
    im2col and one matrix product, instead of a scatter-add. Returns ``(dx, cols)`` (``cols``:
    the im2col buffer, for reuse) or ``None`` if the padding is too large for this form.
    """
    n, h, w, cin = x_shape
    kh, kw, _, cout = W.shape
    t, b, l, r = conv_pads(h, w, kh, kw, 1, padding)
    ho, wo = d.shape[1:3]
    pads = (kh - 1 - t, h + t - ho, kw - 1 - l, w + l - wo)
    if min(pads) < 0:
        return None
    Wf = W[::-1, ::-1].transpose(0, 1, 3, 2).reshape(-1, cin)
    cols, _ = im2col(d, kh, kw, 1, pads, out=out)
    return (cols @ Wf).reshape(x_shape), cols


def conv2d_backward(dy: np.ndarray, x: np.ndarray, W: np.ndarray, stride=1,
                    padding="valid", cols: np.ndarray | None = None, need_dx: bool = True):
    """Gradients ``(dx, dW, db)`` of :func:`conv2d` for ``dy = ∂E/∂y (N, Ho, Wo, C_out)``:
    with the im2col rows ``cols`` and ``δ = dy`` as rows, ``∂W = colsᵀ · δ``,
    ``∂cols = δ · Wᵀ`` scattered back by col2im, ``∂b = Σ δ``.

    ``cols`` may pass the im2col matrix from the forward pass; ``need_dx=False`` skips ``dx``
    (returns ``None``), e.g. for the first layer.
    """
    kh, kw, cin, cout = W.shape
    if cols is None:
        cols, _ = im2col(x, kh, kw, stride, padding)
    d = dy.reshape(-1, cout)
    dW = cols_t_dot(cols, d).reshape(W.shape)
    db = d.sum(axis=0)
    dx = None
    if need_dx:
        dx = col2im(d @ W.reshape(-1, cout).T, x.shape, kh, kw, stride, padding)
    return dx, dW, db


def depthwise_conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None, stride=1,
                     padding="valid") -> np.ndarray:
    """Depthwise convolution of ``x (N, H, W, C)`` with ``W (kh, kw, C, M)`` plus
    ``b (C·M,)``; returns ``(N, Ho, Wo, C·M)``, output channel ``c·M + m``::

        y[n, i, j, c·M + m] = Σ_{a,b} x_pad[n, s_h·i + a, s_w·j + b, c] · W[a, b, c, m] + b[c·M + m]
    """
    kh, kw, c, m = W.shape
    if x.ndim != 4 or x.shape[3] != c:
        raise ValueError(f"depthwise_conv2d: input of shape {x.shape} does not fit a kernel of "
                         f"shape {W.shape}")
    n, h, w, _ = x.shape
    pads = conv_pads(h, w, kh, kw, stride, padding)
    sh, sw = pair(stride)
    ho = conv_output_size(h, kh, sh, pads[0] + pads[1])
    wo = conv_output_size(w, kw, sw, pads[2] + pads[3])
    if ho < 1 or wo < 1:
        raise ValueError(f"depthwise_conv2d: input {x.shape} is smaller than the kernel {W.shape}")
    xp = pad_nhwc(x, pads)
    y = np.zeros((n, ho, wo, c, m), np.result_type(x, W))
    for a, bb, rows, cols in tap_slices(kh, kw, (sh, sw), ho, wo):
        y += xp[:, rows, cols, :, None] * W[a, bb]          # (N, Ho, Wo, C, 1) ⋆ (C, M)
    y = y.reshape(n, ho, wo, c * m)
    if b is not None:
        y += b
    return y


def depthwise_conv2d_backward(dy: np.ndarray, x: np.ndarray, W: np.ndarray, stride=1,
                              padding="valid", need_dx: bool = True):
    """Gradients ``(dx, dW, db)`` of :func:`depthwise_conv2d` for ``dy = δ (N, Ho, Wo, C·M)``;
    ``need_dx=False`` skips ``dx`` (returns ``None``)."""
    kh, kw, c, m = W.shape
    n, h, w, _ = x.shape
    ho, wo = dy.shape[1:3]
    pads = conv_pads(h, w, kh, kw, stride, padding)
    t, b, l, r = pads
    xp = pad_nhwc(x, pads)
    delta = dy.reshape(n, ho, wo, c, m)
    dW = np.empty(W.shape, np.result_type(dy, W))
    dxp = np.zeros(xp.shape, dW.dtype) if need_dx else None
    for a, bb, rows, cols in tap_slices(kh, kw, stride, ho, wo):
        dW[a, bb] = np.einsum("nijc,nijcm->cm", xp[:, rows, cols, :], delta)
        if need_dx:
            dxp[:, rows, cols, :] += np.einsum("nijcm,cm->nijc", delta, W[a, bb])
    db = dy.reshape(-1, c * m).sum(axis=0)
    dx = dxp[:, t:t + h, l:l + w, :] if need_dx else None
    return dx, dW, db
