"""2-D convolution layer (cross-correlation, NHWC) with optional fused activation and max pooling.

Forward ``u = im2col(x) · W_mat + b`` with ``W_mat`` the kernel ``(kh, kw, C_in, C_out)`` reshaped
to ``(kh·kw·C_in, C_out)``; backward ``∂W = colsᵀ δ``, ``∂b = Σ δ``, ``∂x = col2im(δ W_matᵀ)``
(see :mod:`ann.convolution`). The im2col matrix of the forward pass is kept for ``∂W``.

**Fused max pooling.** A network whose ``Conv2D`` (linear or ReLU) is followed by ``k×k`` max
pooling with stride ``k`` sets ``pool = k`` on the convolution (:func:`ann.network.fuse_conv_pool`),
which then returns ``h(maxpool(u))``. That equals the two layers' ``maxpool(h(u))`` exactly,
because ReLU is non-decreasing, and its gradient is the same too: where the window's maximum
``m > 0`` the first maximum of ``h(u)`` is the first maximum of ``u``; where ``m ≤ 0`` every
``h(u) = 0`` and ``h'(m) = 0`` makes the gradient 0 either way. The ``k²`` convolution outputs of
each window are computed as one *pooled convolution* (:mod:`ann.conv_plan`), and ``∂E/∂W`` is
folded back from its kernel (:func:`~ann.conv_plan.unpool_kernel`).
"""

from __future__ import annotations

import functools

import numpy as np

from ..conv_plan import ConvPlan, pooled_kernel, unpool_kernel
from ..convolution import col2im, conv2d_input_grad
from ..pooling import max_over_groups, max_over_groups_backward
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


def _groups(u: np.ndarray, k2: int, cout: int, channel_major: bool) -> list[np.ndarray]:
    """The ``k²`` pooling members of a pooled convolution's output: row blocks of ``uᵀ
    (k²·C_out, M)`` or column blocks of ``u (M, k²·C_out)``."""
    return [u[g * cout:(g + 1) * cout] if channel_major else u[:, g * cout:(g + 1) * cout]
            for g in range(k2)]


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

    def _kernel_matrix(self, pool: int) -> np.ndarray:
        """``[W_mat; bᵀ]`` (``(K+1, G)``) of the (pooled) convolution, ``G = k²·C_out``;
        without the last row if there is no bias."""
        W = self.params["W"]
        Wk = pooled_kernel(W, self.stride, pool) if pool > 1 else W
        Wm = Wk.reshape(-1, Wk.shape[3])
        if "b" not in self.params:
            return Wm
        return np.vstack([Wm, np.tile(self.params["b"], pool * pool)[None]])

    def _convolve(self, x, training):
        """``(plan, cols matrix, u, y, channel_major)``: ``u``, the (pooled) convolution's
        output, ``(M, G)`` or, if ``channel_major``, ``(G, M)``; ``y``, the layer's output
        before the activation, ``(M, C_out)`` or ``(C_out, M)``."""
        p = self.plan(x.shape)
        Wm = self._kernel_matrix(p.pool)
        cout, k2 = self.params["W"].shape[3], p.pool * p.pool
        size = p.M * (p.K + p.bias)
        cols = self._buffers.get(training)
        if cols is None or cols.size != size or cols.dtype != x.dtype:
            cols = self._buffers[training] = np.empty(size, x.dtype)
        mat = p.gather(x, cols)
        dtype = np.result_type(x, Wm)
        channel_major = p.pool > 1 and p.kmajor  # then the k² groups are contiguous rows
        if channel_major:
            u = Wm.T @ mat.T
        else:
            u = np.empty((p.M, Wm.shape[1]), dtype)
            for i in range(0, p.M, MATMUL_ROWS):
                np.matmul(mat[i:i + MATMUL_ROWS], Wm, out=u[i:i + MATMUL_ROWS])
        if p.pool == 1:
            return p, mat, u, u, False
        y = np.empty((cout, p.M) if channel_major else (p.M, cout), dtype)
        max_over_groups(_groups(u, k2, cout, channel_major), y)
        return p, mat, u, y, channel_major

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
            y = self._output(self._kept)
        else:  # in slices of bounded memory
            p1 = self.plan((1,) + x.shape[1:])
            step = max(1, INFERENCE_BYTES // (p1.M * (p1.K + 1) * x.itemsize))
            y = np.concatenate([self._output(self._convolve(x[i:i + step], False))
                                for i in range(0, len(x), step)]) if len(x) > step else \
                self._output(self._convolve(x, False))
        self._activated = activate and self.activation is not None
        if not self._activated:
            return y
        return self.activation.forward(y, training, inplace=True)

    @staticmethod
    def _output(kept) -> np.ndarray:
        """The layer's output ``(N, Hb, Wb, C_out)`` (a new array) from :meth:`_convolve`."""
        p, _, _, y, channel_major = kept
        return (np.ascontiguousarray(y.T) if channel_major else y.copy() if p.pool > 1 else y
                ).reshape(p.out_shape)

    def backward(self, dy):
        W = self.params["W"]
        kh, kw, cin, cout = W.shape
        p, mat, u, y, channel_major = self._kept
        delta = self.activation.backward(dy) if self._activated else dy
        g = delta.reshape(p.M, cout)
        if p.pool > 1:
            if channel_major:
                g = np.ascontiguousarray(g.T)
            du = np.empty_like(u)
            k2 = p.pool * p.pool
            max_over_groups_backward(g, _groups(u, k2, cout, channel_major), y,
                                     _groups(du, k2, cout, channel_major))
            if channel_major:
                du = du.T
        else:
            du = g
        # ∂[W; b] = colsᵀ δ, summed over blocks of rows (see GRAD_BLOCK_BYTES)
        dWm = np.zeros((p.K + p.bias, du.shape[1]), du.dtype)
        step = max(64, GRAD_BLOCK_BYTES // ((p.K + p.bias) * du.itemsize))
        for i in range(0, p.M, step):
            dWm += mat[i:i + step].T @ du[i:i + step]
        fh, fw, S = p.field
        dWk = dWm[:p.K].reshape(fh, fw, cin, -1)
        self.grads["W"] = unpool_kernel(dWk, W.shape, self.stride, p.pool) if p.pool > 1 \
            else dWk.reshape(W.shape)
        if "b" in self.params:
            self.grads["b"] = dWm[p.K].reshape(-1, cout).sum(axis=0)
        if not self.need_dx:
            return None
        if self.stride == 1 and cin >= 16 and p.pool == 1:
            # ∂x as a convolution of δ: one im2col + one product (measured: faster than the
            # scatter-add from 16 input channels up, slower below)
            res = conv2d_input_grad(delta, W, p.x_shape, self.padding, out=self._dcols)
            if res is not None:
                dx, self._dcols = res
                return dx
        Wk = self._kernel_matrix(p.pool)[:p.K]
        return col2im(du @ Wk.T, p.x_shape, fh, fw, S, p.pads)
