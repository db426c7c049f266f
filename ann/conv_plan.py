"""How a :class:`~ann.layers.Conv2D` lays out one batch: padding, output size, the optional
fused max pooling, and the im2col matrix — its orientation, its row order and how it is filled
(bookkeeping and strided copies; the layer does the arithmetic).

The convolution ``u = cols · W_mat + b`` (see :mod:`ann.convolution`) is computed with layout
choices that change no value of ``u``:

* **Bias as a column of ones.** ``cols`` gets a last column of ones and ``W_mat`` the bias as a
  last row, so ``cols · [W_mat; bᵀ]`` adds ``b`` inside the product and ``colsᵀ δ`` returns
  ``∂E/∂b = Σ δ`` as its last row.
* **Orientation.** NumPy's strided copy costs per contiguous *run*, hardly per value. Row-major
  ``cols (M, K+1)`` is filled in runs of ``kw·C`` values (one kernel row of one field). K-major
  ``colsᵀ (K+1, M)`` is filled from :meth:`ConvPlan.kmajor_sources` in runs of ``Hb·Wb`` values
  (a whole output plane for one kernel tap). K-major is used where ``Wb > kw·C`` — a first layer
  (``C = 1``) — and row-major deeper in (LeNet's second convolution: ``kw·C = 30``, ``Wb = 5``).
  BLAS reads either orientation as it is.

**Fused max pooling** (``pool = k > 1``, stride ``k``). The rows of ``cols`` — the output
pixels — are ordered ``(a, b, n, p, q)`` with output pixel ``(i, j) = (kp + a, kq + b)``
(:func:`ann.convolution.fields`): the ``k²`` members of every pooling window lie in ``k²``
contiguous blocks of ``u``, so the pooling is ``k² − 1`` element-wise maxima of contiguous arrays
and its gradient ``k²`` masked products, instead of strided passes with runs of ``C`` values.
Output rows or columns that a valid pooling drops are never computed. ``pool = 1`` gives the
usual order ``(n, i, j)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .convolution import conv_output_size, conv_pads, fields, pad_nhwc

__all__ = ["ConvPlan"]


@dataclass(frozen=True)
class ConvPlan:
    """Layout of a convolution of ``x (N, H, W, C)`` with a ``(kh, kw, C, C_out)`` kernel.

    Attributes
    ----------
    x_shape, kernel_shape, stride, pads : the input, kernel, stride and ``(top, bottom, left,
        right)`` zero padding.
    pool : ``k`` of the fused ``k×k`` max pooling with stride ``k``, or 1 for none.
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
        return cls(tuple(x_shape), tuple(kernel_shape), stride, pads, pool, bool(bias),
                   wo // pool > kw * c)

    # --- sizes -----------------------------------------------------------------------------

    @cached_property
    def blocks(self) -> tuple[int, int]:
        """``(Hb, Wb) = (⌊Ho/k⌋, ⌊Wo/k⌋)``: the layer's output size."""
        _, h, w, _ = self.x_shape
        kh, kw = self.kernel_shape[:2]
        t, b, l, r = self.pads
        ho = conv_output_size(h, kh, self.stride, t + b)
        wo = conv_output_size(w, kw, self.stride, l + r)
        return ho // self.pool, wo // self.pool

    @cached_property
    def K(self) -> int:
        """Values per receptive field, ``kh·kw·C``."""
        kh, kw, c, _ = self.kernel_shape
        return kh * kw * c

    @cached_property
    def M(self) -> int:
        """Rows of ``cols``: the output pixels computed, ``k²·N·Hb·Wb``."""
        hb, wb = self.blocks
        return self.pool * self.pool * self.x_shape[0] * hb * wb

    @cached_property
    def out_shape(self) -> tuple[int, int, int, int]:
        return (self.x_shape[0], *self.blocks, self.kernel_shape[3])

    # --- the im2col matrix -----------------------------------------------------------------

    def matrix(self, cols: np.ndarray) -> np.ndarray:
        """The flat buffer ``cols`` (``M·(K+1)`` values) as the ``(M, K+1)`` matrix (a
        transposed view if K-major)."""
        k1 = self.K + self.bias
        return cols.reshape(k1, self.M).T if self.kmajor else cols.reshape(self.M, k1)

    def fill(self, x: np.ndarray, cols: np.ndarray):
        """Fill the flat buffer ``cols`` with the receptive fields of ``x`` (and the ones
        column), one pooling block ``(a, b)`` after the other; after each, yield the slice of
        its rows, so that the caller multiplies them while they are still in cache (one block
        of LeNet's im2col matrices is ≤ 1.3 MB)."""
        kh, kw, c, _ = self.kernel_shape
        k, (hb, wb), n = self.pool, self.blocks, self.x_shape[0]
        mat = self.matrix(cols)
        if self.bias:
            mat[:, self.K] = 1
        xp = self._pad(x)
        if self.kmajor:
            dst = mat.T[:self.K].reshape(kh, kw, c, k, k, n, hb, wb)
            copies = [(dst[alpha, :, :, a], src)
                      for (alpha, a), src in self.kmajor_sources(xp).items()]
            for a, b in np.ndindex(k, k):
                for d, src in copies[a::k]:  # every α of block row a
                    np.copyto(d[:, :, b], src[:, :, b])
                yield self.block_rows(a, b)
        else:
            dst = mat[:, :self.K].reshape(k, k, n, hb, wb, kh, kw, c)
            v = fields(xp, kh, kw, self.stride, k, (hb, wb))
            for a, b in np.ndindex(k, k):
                np.copyto(dst[a, b], v[a, b])
                yield self.block_rows(a, b)

    def block_rows(self, a: int, b: int) -> slice:
        """The rows of pooling block ``(a, b)`` in ``cols`` and ``u``."""
        per_block = self.M // (self.pool * self.pool)
        i = a * self.pool + b
        return slice(i * per_block, (i + 1) * per_block)

    def _phase_rows(self) -> int:
        """Rows ``R`` of each phase plane in :meth:`kmajor_sources`."""
        s, k, kh = self.stride, self.pool, self.kernel_shape[0]
        return self.blocks[0] + (s * (k - 1) + kh - 1) // (s * k)

    def kmajor_sources(self, xp: np.ndarray) -> dict:
        """The K-major fields ``[α, β, c, a, b, n, p, q] = xp[n, S p + s a + α, S q + s b + β,
        c]`` (``S = s·k``) as views of arrays whose runs are long:

        1. phase planes ``X[σ, φ, c, n, r, q] = xp[n, S r + φ, S q + σ, c]`` for every column
           offset ``σ = s b + β`` and row phase ``φ`` (one copy, runs of ``Wb``);
        2. with ``s a + α = S t + φ``, the fields of kernel row ``α`` and block row ``a`` are
           ``X[s b + β, φ, c, n, t + p, q]``: whole contiguous ``(p, q)`` planes (runs of
           ``Hb·Wb``).

        Returns ``{(α, a): view (kw, C, k, N, Hb, Wb)}`` over axes ``(β, c, b, n, p, q)``, in
        the order ``α`` major, ``a`` minor.
        """
        s, k = self.stride, self.pool
        S = s * k
        kh, kw, c, _ = self.kernel_shape
        hb, wb = self.blocks
        n = xp.shape[0]
        sn, sh, sw, sc = xp.strides
        planes = as_strided(xp, (s * (k - 1) + kw, S, c, n, self._phase_rows(), wb),
                            (sw, sh, sc, sn, S * sh, S * sw), writeable=False)
        X = np.empty(planes.shape, xp.dtype)
        np.copyto(X, planes)
        xs = X.strides
        views = {}
        for alpha in range(kh):
            for a in range(k):
                t, phi = divmod(s * a + alpha, S)
                views[alpha, a] = as_strided(X[0, phi, 0, 0, t:], (kw, c, k, n, hb, wb),
                                             (xs[0], xs[2], s * xs[0], xs[3], xs[4], xs[5]),
                                             writeable=False)
        return views

    def _pad(self, x: np.ndarray) -> np.ndarray:
        """``x`` with its zero padding (and, for the K-major gather, enough zero rows below
        for every phase plane)."""
        t, b, l, r = self.pads
        if self.kmajor:
            hp = self.x_shape[1] + t + b
            b += max(0, self.stride * self.pool * self._phase_rows() - hp)
        return pad_nhwc(x, (t, b, l, r))

    # --- pooling ---------------------------------------------------------------------------

    def pooled_view(self, u: np.ndarray) -> np.ndarray:
        """``u`` (rows of the convolution, ``(M, C_out)``, or a gradient of that shape) as
        ``(k², N·Hb·Wb·C_out)``: block ``k a + b`` holds member ``(a, b)`` of every pooling
        window, in the order of the pooled output."""
        return u.reshape(self.pool * self.pool, -1)
