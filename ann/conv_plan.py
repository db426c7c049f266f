"""How a :class:`~ann.layers.Conv2D` lays out one batch: padding, the receptive fields it
gathers into the im2col matrix, that matrix's orientation, and — when the layer fuses the max
pooling that follows it — the pooled convolution's kernel (bookkeeping, strided copies and
index arithmetic; the layer does the products).

**Pooled convolution.** With ``k×k`` max pooling of stride ``k`` after a convolution of stride
``s``, pooled output ``(p, q)`` takes the maximum of the ``k²`` convolution outputs
``(kp + a, kq + b)``; together they read one input *footprint* of
``F_h × F_w = (s(k−1) + kh) × (s(k−1) + kw)`` pixels starting at ``(s k p, s k q)``. So the
``k²`` outputs are one convolution with an ``F_h × F_w`` kernel, stride ``S = s·k`` and
``k²·C_out`` output channels, whose kernel holds ``W`` shifted to ``(s a, s b)`` in group
``(a, b)`` and zeros elsewhere (:func:`pooled_kernel`); the pooling is then a maximum over the
``k²`` groups of channels. For LeNet (5×5 kernels, 2×2 pooling) the im2col matrix shrinks from
``4·25 = 100`` to ``6·6 = 36`` values per input channel and pooled output — 2.8× less to copy
and to read back — for 1.44× the multiply-adds, which BLAS does at full speed; col2im scatters
9 instead of 25 overlapping contributions per pixel. Outputs a valid pooling would drop are
never computed.

**Bias as a column of ones.** ``cols`` gets a last column of ones and the kernel matrix the bias
as a last row, so the product adds ``b`` and ``colsᵀ δ`` returns ``∂E/∂b`` as its last row.

**Orientation.** NumPy's strided copy costs per contiguous *run*, hardly per value. Row-major
``cols (M, K+1)`` is filled in runs of ``F_w·C`` values (one row of one field); K-major
``colsᵀ (K+1, M)`` is filled in runs of ``Hb·Wb`` values (a whole output plane for one kernel
tap, :meth:`ConvPlan.kmajor_sources`). K-major is used where ``Wb > F_w·C`` — a first layer
(``C = 1``) — and row-major deeper in (LeNet's second convolution: ``F_w·C = 36``, ``Wb = 5``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .convolution import conv_output_size, conv_pads, pad_nhwc, windows

__all__ = ["ConvPlan", "pooled_kernel", "unpool_kernel"]


def pooled_kernel(W: np.ndarray, stride: int, pool: int) -> np.ndarray:
    """The kernel ``(F_h, F_w, C, k²·C_out)`` of the pooled convolution (module docstring):
    group ``(a, b)`` (channels ``(k a + b)·C_out …``) holds ``W`` at offset ``(s a, s b)``."""
    kh, kw, c, cout = W.shape
    s, k = stride, pool
    out = np.zeros((s * (k - 1) + kh, s * (k - 1) + kw, c, k * k * cout), W.dtype)
    for a, b in np.ndindex(k, k):
        g = (a * k + b) * cout
        out[s * a:s * a + kh, s * b:s * b + kw, :, g:g + cout] = W
    return out


def unpool_kernel(dWp: np.ndarray, kernel_shape: tuple, stride: int, pool: int) -> np.ndarray:
    """The adjoint of :func:`pooled_kernel`: ``∂E/∂W`` from the pooled kernel's gradient
    ``dWp (F_h, F_w, C, k²·C_out)``, the sum of the ``k²`` shifted groups."""
    kh, kw, c, cout = kernel_shape
    s, k = stride, pool
    dW = np.zeros(kernel_shape, dWp.dtype)
    for a, b in np.ndindex(k, k):
        g = (a * k + b) * cout
        dW += dWp[s * a:s * a + kh, s * b:s * b + kw, :, g:g + cout]
    return dW


@dataclass(frozen=True)
class ConvPlan:
    """Layout of a convolution of ``x (N, H, W, C)`` with a ``(kh, kw, C, C_out)`` kernel,
    followed by fused ``k×k`` max pooling if ``pool = k > 1``.

    Attributes
    ----------
    x_shape, kernel_shape, stride, pads : the input, kernel, stride and ``(top, bottom, left,
        right)`` zero padding of the convolution.
    pool : ``k``, or 1 for none.
    bias : whether ``cols`` carries the column of ones.
    kmajor : ``cols`` stored as ``(K+1, M)`` (True) or ``(M, K+1)``.
    """

    x_shape: tuple
    kernel_shape: tuple
    stride: int
    pads: tuple
    pool: int
    bias: bool
    kmajor: bool

    @classmethod
    def build(cls, x_shape, kernel_shape, stride, padding, pool=1, bias=True) -> "ConvPlan":
        n, h, w, c = x_shape
        kh, kw, _, _ = kernel_shape
        pads = conv_pads(h, w, kh, kw, stride, padding)
        ho = conv_output_size(h, kh, stride, pads[0] + pads[1])
        wo = conv_output_size(w, kw, stride, pads[2] + pads[3])
        if ho < pool or wo < pool:
            raise ValueError(f"pooling: convolution output ({ho}, {wo}) is smaller than the "
                             f"pool size {pool}")
        fw = stride * (pool - 1) + kw
        return cls(tuple(x_shape), tuple(kernel_shape), stride, pads, pool, bool(bias),
                   wo // pool > fw * c)

    # --- sizes -----------------------------------------------------------------------------

    @cached_property
    def field(self) -> tuple[int, int, int]:
        """``(F_h, F_w, S)``: the gathered field and its stride (the footprint of a pooling
        window and ``s·k`` when pooling; the kernel and ``s`` otherwise)."""
        kh, kw = self.kernel_shape[:2]
        s, k = self.stride, self.pool
        return s * (k - 1) + kh, s * (k - 1) + kw, s * k

    @cached_property
    def blocks(self) -> tuple[int, int]:
        """``(Hb, Wb)``: the layer's output size, ``(⌊Ho/k⌋, ⌊Wo/k⌋)``."""
        _, h, w, _ = self.x_shape
        kh, kw = self.kernel_shape[:2]
        t, b, l, r = self.pads
        ho = conv_output_size(h, kh, self.stride, t + b)
        wo = conv_output_size(w, kw, self.stride, l + r)
        return ho // self.pool, wo // self.pool

    @cached_property
    def K(self) -> int:
        """Values per gathered field, ``F_h·F_w·C``."""
        fh, fw, _ = self.field
        return fh * fw * self.x_shape[3]

    @cached_property
    def M(self) -> int:
        """Rows of ``cols``: the layer's output pixels, ``N·Hb·Wb``."""
        hb, wb = self.blocks
        return self.x_shape[0] * hb * wb

    @cached_property
    def out_shape(self) -> tuple[int, int, int, int]:
        return (self.x_shape[0], *self.blocks, self.kernel_shape[3])

    # --- the im2col matrix -----------------------------------------------------------------

    def matrix(self, cols: np.ndarray) -> np.ndarray:
        """The flat buffer ``cols`` (``M·(K+1)`` values) as the ``(M, K+1)`` matrix (a
        transposed view if K-major)."""
        k1 = self.K + self.bias
        return cols.reshape(k1, self.M).T if self.kmajor else cols.reshape(self.M, k1)

    def gather(self, x: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Fill the flat buffer ``cols`` with the fields of ``x`` (and the ones column);
        returns :meth:`matrix`."""
        fh, fw, S = self.field
        c, n, (hb, wb) = self.x_shape[3], self.x_shape[0], self.blocks
        mat = self.matrix(cols)
        xp = self._pad(x)
        if self.kmajor:
            dst = mat.T[:self.K].reshape(fh, fw, c, n, hb, wb)
            for rho, src in enumerate(self.kmajor_sources(xp)):
                np.copyto(dst[rho], src)
        else:
            np.copyto(mat[:, :self.K].reshape(n, hb, wb, fh, fw, c),
                      windows(xp, fh, fw, S)[:, :hb, :wb])
        if self.bias:
            mat[:, self.K] = 1
        return mat

    def _phase_rows(self) -> int:
        """Rows ``R`` of each phase plane in :meth:`kmajor_sources`."""
        fh, _, S = self.field
        return self.blocks[0] + (fh - 1) // S

    def kmajor_sources(self, xp: np.ndarray) -> list[np.ndarray]:
        """The K-major fields ``[ρ, σ, c, n, p, q] = xp[n, S p + ρ, S q + σ, c]`` as views
        of an array whose runs are long:

        1. phase planes ``X[σ, φ, c, n, r, q] = xp[n, S r + φ, S q + σ, c]`` for every column
           offset ``σ`` and row phase ``φ < S`` (one copy, runs of ``Wb``);
        2. with ``ρ = S t + φ``, field row ``ρ`` is ``X[σ, φ, c, n, t + p, q]``: whole
           contiguous ``(p, q)`` planes, copied in runs of ``Hb·Wb``.

        Returns one view ``(F_w, C, N, Hb, Wb)`` per field row ``ρ``.
        """
        fh, fw, S = self.field
        c, n, (hb, wb) = self.x_shape[3], self.x_shape[0], self.blocks
        sn, sh, sw, sc = xp.strides
        planes = as_strided(xp, (fw, S, c, n, self._phase_rows(), wb),
                            (sw, sh, sc, sn, S * sh, S * sw), writeable=False)
        X = np.empty(planes.shape, xp.dtype)
        np.copyto(X, planes)
        return [X[:, rho % S, :, :, rho // S:rho // S + hb] for rho in range(fh)]

    def _pad(self, x: np.ndarray) -> np.ndarray:
        """``x`` with its zero padding (and, for the K-major gather, enough zero rows below
        for every phase plane)."""
        t, b, l, r = self.pads
        if self.kmajor:
            hp = self.x_shape[1] + t + b
            b += max(0, self.field[2] * self._phase_rows() - hp)
        return pad_nhwc(x, (t, b, l, r))
