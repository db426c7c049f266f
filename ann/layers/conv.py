"""2-D convolution layer (cross-correlation, NHWC) with optional fused activation and max pooling.

Forward ``u = im2col(x) · W_mat + b`` with ``W_mat`` the kernel ``(kh, kw, C_in, C_out)`` reshaped
to ``(kh·kw·C_in, C_out)``; backward ``∂W = colsᵀ δ``, ``∂b = Σ δ``, ``∂x = col2im(δ W_matᵀ)``
(see :mod:`ann.convolution`). The im2col matrix of the forward pass is kept for ``∂W``.

**Fused max pooling.** ``forward(x, pool=k)`` returns ``h(maxpool(u))`` for ``k×k`` max pooling
with stride ``k``; a network runs a ``Conv2D`` (linear or ReLU) and the ``MaxPool2D`` after it as
one :class:`ConvPool` stage so (:func:`ann.network.fuse_conv_pool`). That equals the two layers'
``maxpool(h(u))`` exactly,
because ReLU is non-decreasing, and its gradient is the same too: where the window's maximum
``m > 0`` the first maximum of ``h(u)`` is the first maximum of ``u``; where ``m ≤ 0`` every
``h(u) = 0`` and ``h'(m) = 0`` makes the gradient 0 either way. The ``k²`` convolution outputs of
each window are computed as one *pooled convolution* (:mod:`ann.conv_plan`), and ``∂E/∂W`` is
folded back from its kernel (:func:`~ann.conv_plan.unpool_kernel`).

**Non-square strides and pools.** Kernels may be non-square (``kh ≠ kw``) on every path. A stride
``(s_h, s_w)`` with ``s_h ≠ s_w``, or a fused pooling window ``(k_h, k_w)`` with ``k_h ≠ k_w``,
runs the *plain* path instead: :func:`~ann.convolution.conv2d`'s im2col and one product, then
:func:`~ann.pooling.max_pool2d` if pooling, and their backward functions — the same values, without
the layout of :mod:`ann.conv_plan` (which is kept to the square cases it was built for).
"""

from __future__ import annotations

import functools

import numpy as np

from ..conv_plan import ConvPlan, pooled_kernel, unpool_kernel
from ..convolution import (col2im, cols_t_dot, conv2d_backward, conv2d_input_grad, im2col,
                           pair)
from ..pooling import (max_over_groups, max_over_groups_backward, max_pool2d,
                       max_pool2d_backward)
from .activation import Activation
from .base import Layer

__all__ = ["Conv2D", "ConvPool"]

#: activations ``h`` for which ``maxpool(h(u)) = h(maxpool(u))`` holds with identical gradients
POOL_FUSABLE = ("linear", "relu")
#: rows of ``cols`` per matrix product: OpenBLAS is up to 2× slower on one product with a very
#: long ``M`` and few outputs (measured here for LeNet's first convolution)
MATMUL_ROWS = 2048
#: bytes of ``cols`` at most at inference; larger batches are convolved in slices
INFERENCE_BYTES = 16 * 1024 * 1024

_plan = functools.lru_cache(maxsize=256)(ConvPlan.build)


def _groups(u: np.ndarray, k2: int, cout: int, channel_major: bool) -> list[np.ndarray]:
    """The ``k²`` pooling members of a pooled convolution's output: row blocks of ``uᵀ
    (k²·C_out, M)`` or column blocks of ``u (M, k²·C_out)``."""
    return [u[g * cout:(g + 1) * cout] if channel_major else u[:, g * cout:(g + 1) * cout]
            for g in range(k2)]


class Conv2D(Layer):
    """Kernel ``W (kh, kw, C_in, C_out)``, bias ``b (C_out,)``, ``stride`` (an int or
    ``(s_h, s_w)``), ``padding`` (``"valid"``, ``"same"`` or an int).

    ``forward(x, pool=k)`` with ``k > 1`` (an int or ``(k_h, k_w)``) fuses ``k×k`` max pooling
    with stride ``k`` (see the module docstring): the output is then
    ``(N, ⌊Ho/k_h⌋, ⌊Wo/k_w⌋, C_out)``, and ``backward`` returns the gradient through both.

    ``stride`` is kept as an int when square, as a pair otherwise. ``TypeError``/``ValueError``
    for a stride or pool that is not a positive int or pair of them.
    """

    type = "Conv2D"

    def __init__(self, W, b=None, stride: int = 1, padding="valid", activation: str = "linear"):
        super().__init__()
        self.params["W"] = W
        if b is not None:
            self.params["b"] = b
        sh, sw = pair(stride, "Conv2D strides")
        self.stride = sh if sh == sw else (sh, sw)
        self.padding = tuple(padding) if isinstance(padding, list) else padding
        self.activation = None if activation == "linear" else Activation(activation)
        self.clear_buffers()

    def clear_buffers(self) -> None:
        """Drop the work buffers and what the last training pass kept (e.g. after a dtype
        change)."""
        self._buffers: dict[bool, np.ndarray] = {}
        self._kept = None
        self._dcols = None

    def plan(self, x_shape, pool: int = 1) -> ConvPlan:
        """The layout of this layer for inputs of ``x_shape`` (and ``k×k`` pooling)."""
        return _plan(tuple(x_shape), self.params["W"].shape, self.stride, self.padding,
                     pool, "b" in self.params)

    def _kernel_matrix(self, pool: int) -> np.ndarray:
        """``[W_mat; bᵀ]`` (``(K+1, G)``) of the (pooled) convolution, ``G = k²·C_out``;
        without the last row if there is no bias."""
        W = self.params["W"]
        Wk = pooled_kernel(W, self.stride, pool) if pool > 1 else W
        Wm = Wk.reshape(-1, Wk.shape[3])
        if "b" not in self.params:
            return Wm
        return np.vstack([Wm, np.tile(self.params["b"], pool * pool)[None]])

    def _convolve(self, x, training, pool):
        """``(plan, cols matrix, kernel matrix, u, y, channel_major)``: ``u``, the (pooled)
        convolution's output, ``(M, G)`` or, if ``channel_major``, ``(G, M)``; ``y``, the
        layer's output before the activation, ``(M, C_out)`` or ``(C_out, M)``. The kernel
        matrix is kept for ``∂x`` (the weights do not change before ``backward``)."""
        p = self.plan(x.shape, pool)
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
            return p, mat, Wm, u, u, False
        y = np.empty((cout, p.M) if channel_major else (p.M, cout), dtype)
        max_over_groups(_groups(u, k2, cout, channel_major), y)
        return p, mat, Wm, u, y, channel_major

    def forward(self, x, training=False, activate=True, pool: int = 1):
        W = self.params["W"]
        kh, kw, cin, cout = W.shape
        if x.ndim != 4 or x.shape[3] != cin:
            raise ValueError(f"Conv2D expects inputs (N, H, W, {cin}), got {x.shape}")
        if isinstance(pool, bool) or not isinstance(pool, (int, tuple)) or \
                (isinstance(pool, int) and pool < 1):
            raise ValueError(f"Conv2D: pool must be a positive int, got {pool!r}")
        kp = pair(pool, "Conv2D pool")
        if kp != (1, 1) and self.activation is not None and activate and \
                self.activation.name not in POOL_FUSABLE:
            raise ValueError(f"Conv2D: max pooling cannot be fused with {self.activation.name!r}")
        if isinstance(self.stride, tuple) or kp[0] != kp[1]:
            y = self._plain_forward(x, training, kp)
        elif training:
            self._kept = self._convolve(x, True, kp[0])
            y = self._output(self._kept)
        else:  # in slices of bounded memory
            p1 = self.plan((1,) + x.shape[1:], kp[0])
            step = max(1, INFERENCE_BYTES // (p1.M * (p1.K + 1) * x.itemsize))
            y = np.concatenate([self._output(self._convolve(x[i:i + step], False, kp[0]))
                                for i in range(0, len(x), step)]) if len(x) > step else \
                self._output(self._convolve(x, False, kp[0]))
        self._activated = activate and self.activation is not None
        if not self._activated:
            return y
        return self.activation.forward(y, training, inplace=True)

    @staticmethod
    def _output(kept) -> np.ndarray:
        """The layer's output ``(N, Hb, Wb, C_out)`` from :meth:`_convolve`: a new array the
        activation may overwrite, since the pooled ``y`` stays in ``_kept`` for the routing of
        the gradient (without pooling, ``u`` is not needed again and is used as it is)."""
        p, _, _, _, y, channel_major = kept
        return (np.ascontiguousarray(y.T) if channel_major else y.copy() if p.pool > 1 else y
                ).reshape(p.out_shape)

    def _plain_forward(self, x, training, pool):
        """The plain path (module docstring): ``u = conv2d(x)``, then ``maxpool(u)`` if
        ``pool ≠ (1, 1)``. In training, keeps ``(x, cols, u, maxpool(u))`` for ``backward``."""
        W = self.params["W"]
        kh, kw, _, cout = W.shape
        cols, (ho, wo) = im2col(x, kh, kw, self.stride, self.padding)
        u = (cols @ W.reshape(-1, cout)).reshape(x.shape[0], ho, wo, cout)
        if "b" in self.params:
            u += self.params["b"]
        y = u if pool == (1, 1) else max_pool2d(u, pool)
        if not training:
            return y
        self._kept = ("plain", x, cols, u, y, pool)
        return y.copy() if pool != (1, 1) else y  # the activation may overwrite it in place

    def _plain_backward(self, delta):
        _, x, cols, u, y, pool = self._kept
        du = delta if pool == (1, 1) else max_pool2d_backward(delta, u, y, pool)
        dx, self.grads["W"], db = conv2d_backward(du, x, self.params["W"], self.stride,
                                                  self.padding, cols, self.need_dx)
        if "b" in self.params:
            self.grads["b"] = db
        return dx

    def backward(self, dy):
        W = self.params["W"]
        kh, kw, cin, cout = W.shape
        delta = self.activation.backward(dy) if self._activated else dy
        if isinstance(self._kept[0], str):  # "plain"
            return self._plain_backward(delta)
        p, mat, Wm, u, y, channel_major = self._kept
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
        dWm = cols_t_dot(mat, du)  # ∂[W; b] = colsᵀ δ
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
        return col2im(du @ Wm[:p.K].T, p.x_shape, fh, fw, S, p.pads)


class ConvPool(Layer):
    """A network stage: ``conv`` (linear or ReLU) and the ``k×k``, stride-``k`` max pooling
    after it, run as one pooled convolution (``conv.forward(x, pool=k)``; a non-square ``k`` or
    convolution stride runs the plain path, see the module docstring). It holds no state of
    its own: parameters, gradients and ``need_dx`` are the convolution's."""

    type = "ConvPool"

    def __init__(self, conv: Conv2D, k: int):
        super().__init__()
        self.conv, self.k = conv, k
        self.params, self.grads = conv.params, conv.grads

    @property
    def need_dx(self):
        return self.conv.need_dx

    @need_dx.setter
    def need_dx(self, value):
        if hasattr(self, "conv"):
            self.conv.need_dx = value

    def forward(self, x, training=False, activate=True):
        return self.conv.forward(x, training, activate, pool=self.k)

    def backward(self, dy):
        return self.conv.backward(dy)
