"""2-D convolution layer (cross-correlation, NHWC) with optional fused activation and max pooling.

Forward ``u = im2col(x) · W_mat + b`` with ``W_mat`` the kernel ``(kh, kw, C_in, C_out)`` reshaped
to ``(kh·kw·C_in, C_out)``; backward ``∂W = colsᵀ δ``, ``∂b = Σ δ``, ``∂x = col2im(δ W_matᵀ)``
(see :mod:`ann.convolution`). The im2col matrix of the forward pass is kept for ``∂W``.

**Fused max pooling.** A network whose ``Conv2D`` (linear or ReLU) is followed by ``k×k`` max
pooling with stride ``k`` sets ``pool = k`` on the convolution (:meth:`ann.network.Network`), which
then returns ``h(maxpool(u))``. That equals the two layers' ``maxpool(h(u))`` exactly, because
ReLU is non-decreasing, and its gradient is the same too: where the window's maximum ``m > 0``
the first maximum of ``h(u)`` is the first maximum of ``u``; where ``m ≤ 0`` every ``h(u) = 0``
and ``h'(m) = 0`` makes the gradient 0 either way. The layout that makes this fast is described
in :mod:`ann.conv_plan`.
"""

from __future__ import annotations

import functools

import numpy as np

from ..conv_plan import ConvPlan
from ..convolution import col2im, conv2d_input_grad
from ..pooling import max_over_blocks, max_over_blocks_backward
from .activation import Activation
from .base import Layer

__all__ = ["Conv2D"]

#: activations ``h`` for which ``maxpool(h(u)) = h(maxpool(u))`` holds with identical gradients
POOL_FUSABLE = ("linear", "relu")
#: rows of ``cols`` per matrix product: OpenBLAS is up to 2× slower on one product with a very
#: long ``M`` and few outputs (measured here for LeNet's first convolution)
MATMUL_ROWS = 2048
#: bytes of ``cols`` per partial product of the kernel gradient, for the same reason
GRAD_BLOCK_BYTES = 128 * 1024
#: bytes of ``cols`` at most at inference; larger batches are convolved in slices
INFERENCE_BYTES = 16 * 1024 * 1024


_plan = functools.lru_cache(maxsize=256)(ConvPlan.build)


class Conv2D(Layer):
    """Kernel ``W (kh, kw, C_in, C_out)``, bias ``b (C_out,)``, ``stride``, ``padding``
    (``"valid"``, ``"same"`` or an int).

    ``pool = k > 1`` (set by the network, see the module docstring) fuses the ``k×k`` max
    pooling with stride ``k`` that follows: the output is then ``(N, ⌊Ho/k⌋, ⌊Wo/k⌋, C_out)``.
    """

    type = "Conv2D"

    def __init__(self, W, b=None, stride: int = 1, padding="valid", activation: str = "linear"):
        super().__init__()
        self.params["W"] = W
        if b is not None:
            self.params["b"] = b
        self.stride = stride
        self.padding = tuple(padding) if isinstance(padding, list) else padding
        self.activation = None if activation == "linear" else Activation(activation)
        self.pool = 1
        self.clear_buffers()

    def clear_buffers(self) -> None:
        """Drop the work buffers and what the last training pass kept (e.g. after a dtype
        change)."""
        self._buffers: dict[bool, np.ndarray] = {}
        self._kept = None
        self._dcols = None

    def plan(self, x_shape) -> ConvPlan:
        """The layout of this layer for inputs of ``x_shape``."""
        return _plan(tuple(x_shape), self.params["W"].shape, self.stride, self.padding,
                     self.pool, "b" in self.params)

    def _kernel_matrix(self) -> np.ndarray:
        """``[W_mat; bᵀ]`` (``(K+1, C_out)``), or ``W_mat`` without a bias."""
        W = self.params["W"]
        Wm = W.reshape(-1, W.shape[3])
        return np.vstack([Wm, self.params["b"][None]]) if "b" in self.params else Wm

    def _convolve(self, x, training):
        """``(plan, cols matrix, u, y)``: the convolution ``u (M, C_out)`` of ``x`` and ``y``,
        ``u`` pooled if ``pool > 1`` (before the activation), shaped ``(N, Hb, Wb, C_out)``."""
        p = self.plan(x.shape)
        Wm = self._kernel_matrix()
        size = p.M * (p.K + p.bias)
        cols = self._buffers.get(training)
        if cols is None or cols.size != size or cols.dtype != x.dtype:
            cols = self._buffers[training] = np.empty(size, x.dtype)
        mat = p.matrix(cols)
        u = np.empty((p.M, Wm.shape[1]), np.result_type(x, Wm))
        for rows in p.fill(x, cols):  # each pooling block multiplied while in cache
            for i in range(rows.start, rows.stop, MATMUL_ROWS):
                j = min(i + MATMUL_ROWS, rows.stop)
                np.matmul(mat[i:j], Wm, out=u[i:j])
        if p.pool > 1:
            y = np.empty(p.out_shape, u.dtype)
            max_over_blocks(p.pooled_view(u), y.reshape(-1))
        else:
            y = u.reshape(p.out_shape)
        return p, mat, u, y

    def forward(self, x, training=False, activate=True):
        W = self.params["W"]
        kh, kw, cin, cout = W.shape
        if x.ndim != 4 or x.shape[3] != cin:
            raise ValueError(f"Conv2D expects inputs (N, H, W, {cin}), got {x.shape}")
        if self.pool > 1 and self.activation is not None and \
                self.activation.name not in POOL_FUSABLE:
            raise ValueError(f"Conv2D: max pooling cannot be fused with {self.activation.name!r}")
        if training:
            self._kept = self._convolve(x, True)
            y = self._kept[3]
        else:  # in slices of bounded memory
            per_image = self.plan((1,) + x.shape[1:]).M * (kh * kw * cin + 1) * x.itemsize
            step = max(1, INFERENCE_BYTES // per_image)
            if len(x) <= step:
                y = self._convolve(x, False)[3]
            else:
                y = np.concatenate([self._convolve(x[i:i + step], False)[3]
                                    for i in range(0, len(x), step)])
        self._activated = activate and self.activation is not None
        if not self._activated:
            return y
        return self.activation.forward(y, training, inplace=self.pool == 1)

    def backward(self, dy):
        W = self.params["W"]
        kh, kw, cin, cout = W.shape
        p, mat, u, y = self._kept
        delta = self.activation.backward(dy) if self._activated else dy
        if p.pool > 1:
            du = np.empty_like(u)
            max_over_blocks_backward(delta.reshape(-1), p.pooled_view(u), y.reshape(-1),
                                     p.pooled_view(du))
        else:
            du = delta.reshape(-1, cout)
        # ∂[W; b] = colsᵀ δ, summed over blocks of rows (see GRAD_BLOCK_BYTES)
        dWm = np.zeros((p.K + p.bias, cout), du.dtype)
        step = max(64, GRAD_BLOCK_BYTES // ((p.K + p.bias) * du.itemsize))
        for i in range(0, p.M, step):
            dWm += mat[i:i + step].T @ du[i:i + step]
        self.grads["W"] = dWm[:p.K].reshape(W.shape)
        if "b" in self.params:
            self.grads["b"] = dWm[p.K].copy()
        if not self.need_dx:
            return None
        if self.stride == 1 and cin >= 16 and p.pool == 1:
            # ∂x as a convolution of δ: one im2col + one product (measured: faster than the
            # scatter-add from 16 input channels up, slower below)
            res = conv2d_input_grad(delta, W, p.x_shape, self.padding, out=self._dcols)
            if res is not None:
                dx, self._dcols = res
                return dx
        return col2im(du @ W.reshape(-1, cout).T, p.x_shape, kh, kw, self.stride, p.pads,
                      p.pool, p.blocks)
