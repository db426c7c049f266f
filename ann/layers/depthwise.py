"""Depthwise and depthwise-separable 2-D convolution (NHWC), Keras's ``DepthwiseConv2D`` and
``SeparableConv2D``.

Depthwise (:func:`ann.convolution.depthwise_conv2d`): input channel ``c`` is convolved with its own
``M`` filters (``M`` the depth multiplier) into output channel ``c·M + m``:

    u[n, i, j, c·M + m] = Σ_{a,b} x_pad[n, s_h i + a, s_w j + b, c] · W[a, b, c, m] + b[c·M + m],
    ∂W[a, b, c, m] = Σ_{n,i,j} x_pad[n, s_h i + a, s_w j + b, c] · δ[n, i, j, c·M + m],
    ∂b = Σ_{n,i,j} δ,   ∂x_pad[n, s_h i + a, s_w j + b, c] += Σ_m δ[n, i, j, c·M + m] W[a, b, c, m].

Separable: the depthwise convolution ``z`` (no bias) followed by a 1×1 ("pointwise")
convolution ``u = z P + b`` with ``P (C·M, F)``, so ``∂P = zᵀ δ``, ``∂b = Σ δ``, ``∂z = δ Pᵀ``,
and ``∂z`` goes back through the depthwise step. Both layers apply ``y = h(u)`` for an optional
fused activation, like :class:`~ann.layers.conv.Conv2D`.
"""

from __future__ import annotations

import numpy as np

from ..convolution import depthwise_conv2d, depthwise_conv2d_backward, pair
from .activation import Activation
from .base import Layer

__all__ = ["DepthwiseConv2D", "SeparableConv2D"]

_PADDINGS = ("valid", "same")


def _check_conv(where: str, W, stride, padding) -> tuple[int, int]:
    """The stride pair; ``ValueError``/``TypeError`` naming a kernel that is not 4-D, a bad
    stride or a padding other than ``"valid"``/``"same"``."""
    if not isinstance(W, np.ndarray) or W.ndim != 4:
        raise ValueError(f"{where}: kernel must be a 4-D array (kh, kw, C, M), got "
                         f"{getattr(W, 'shape', type(W).__name__)}")
    if padding not in _PADDINGS:
        raise ValueError(f"{where}: padding must be 'valid' or 'same', got {padding!r}")
    return pair(stride, f"{where} strides")


class DepthwiseConv2D(Layer):
    """Depthwise convolution (module docstring) with optional fused activation.

    Parameters
    ----------
    W : kernel ``(kh, kw, C, M)`` (Keras's ``depthwise_kernel``; ``M`` = ``depth_multiplier``).
    b : bias ``(C·M,)`` (Keras's ``bias``) or ``None``.
    stride : int or ``(s_h, s_w)``. (TensorFlow's depthwise kernel only runs ``s_h = s_w``; this
        layer computes any pair.)
    padding : ``"valid"`` or ``"same"`` (TensorFlow's rule, see :mod:`ann.convolution`).
    activation : a name of :data:`ann.functional.ACTIVATIONS`.

    ``forward(x)``: ``x (N, H, W, C)`` → ``(N, Ho, Wo, C·M)``, ``Ho = ⌈H/s_h⌉`` ("same") or
    ``⌊(H − kh)/s_h⌋ + 1`` ("valid").

    Raises
    ------
    ValueError
        a kernel that is not 4-D, a bias not of shape ``(C·M,)``, a bad padding, stride or
        activation name; in ``forward``, an input that is not ``(N, H, W, C)``.
    TypeError
        a stride that is not an int or a pair of ints.
    """

    type = "DepthwiseConv2D"

    def __init__(self, W, b=None, stride=1, padding="valid", activation: str = "linear"):
        super().__init__()
        self.strides = _check_conv("DepthwiseConv2D", W, stride, padding)
        if b is not None and np.shape(b) != (W.shape[2] * W.shape[3],):
            raise ValueError(f"DepthwiseConv2D: bias of shape {np.shape(b)} does not fit a "
                             f"kernel {W.shape} (expected ({W.shape[2] * W.shape[3]},))")
        self.params["W"] = W
        if b is not None:
            self.params["b"] = b
        self.padding = padding
        self.activation = None if activation == "linear" else Activation(activation)

    def forward(self, x, training=False, activate=True):
        c = self.params["W"].shape[2]
        if x.ndim != 4 or x.shape[3] != c:
            raise ValueError(f"DepthwiseConv2D expects inputs (N, H, W, {c}), got {x.shape}")
        if training:
            self.x = x
        u = depthwise_conv2d(x, self.params["W"], self.params.get("b"), self.strides,
                             self.padding)
        self._activated = activate and self.activation is not None
        return self.activation.forward(u, training, inplace=True) if self._activated else u

    def backward(self, dy):
        delta = self.activation.backward(dy) if self._activated else dy
        dx, self.grads["W"], db = depthwise_conv2d_backward(
            delta, self.x, self.params["W"], self.strides, self.padding, self.need_dx)
        if "b" in self.params:
            self.grads["b"] = db
        return dx


class SeparableConv2D(Layer):
    """Depthwise convolution, then a 1×1 convolution with bias (module docstring), with
    optional fused activation — Keras's ``SeparableConv2D``.

    Parameters
    ----------
    W_depthwise : ``(kh, kw, C, M)`` (Keras's ``depthwise_kernel``).
    W_pointwise : ``(1, 1, C·M, F)`` (Keras's ``pointwise_kernel``).
    b : ``(F,)`` (Keras's ``bias``, added after the pointwise step) or ``None``.
    stride, padding, activation : of the depthwise step, as in :class:`DepthwiseConv2D`.

    ``params`` keys: ``W_depthwise``, ``W_pointwise`` and ``b`` (Keras's weight order).
    ``forward(x)``: ``x (N, H, W, C)`` → ``(N, Ho, Wo, F)``.

    Raises
    ------
    ValueError
        kernels that are not 4-D or do not fit each other, a bias not of shape ``(F,)``, a bad
        padding, stride or activation name; in ``forward``, an input that is not
        ``(N, H, W, C)``.
    TypeError
        a stride that is not an int or a pair of ints.
    """

    type = "SeparableConv2D"

    def __init__(self, W_depthwise, W_pointwise, b=None, stride=1, padding="valid",
                 activation: str = "linear"):
        super().__init__()
        self.strides = _check_conv("SeparableConv2D", W_depthwise, stride, padding)
        cm = W_depthwise.shape[2] * W_depthwise.shape[3]
        if not isinstance(W_pointwise, np.ndarray) or W_pointwise.ndim != 4 or \
                W_pointwise.shape[:3] != (1, 1, cm):
            raise ValueError(f"SeparableConv2D: pointwise kernel of shape "
                             f"{np.shape(W_pointwise)} does not fit the depthwise kernel "
                             f"{W_depthwise.shape} (expected (1, 1, {cm}, F))")
        if b is not None and np.shape(b) != W_pointwise.shape[3:]:
            raise ValueError(f"SeparableConv2D: bias of shape {np.shape(b)} does not fit "
                             f"{W_pointwise.shape[3]} filters")
        self.params["W_depthwise"], self.params["W_pointwise"] = W_depthwise, W_pointwise
        if b is not None:
            self.params["b"] = b
        self.padding = padding
        self.activation = None if activation == "linear" else Activation(activation)

    def forward(self, x, training=False, activate=True):
        Wd, P = self.params["W_depthwise"], self.params["W_pointwise"]
        c, f = Wd.shape[2], P.shape[3]
        if x.ndim != 4 or x.shape[3] != c:
            raise ValueError(f"SeparableConv2D expects inputs (N, H, W, {c}), got {x.shape}")
        z = depthwise_conv2d(x, Wd, None, self.strides, self.padding)
        u = z.reshape(-1, z.shape[3]) @ P.reshape(-1, f)          # u = z P + b
        if "b" in self.params:
            u += self.params["b"]
        u = u.reshape(z.shape[:3] + (f,))
        if training:
            self.x, self.z = x, z
        self._activated = activate and self.activation is not None
        return self.activation.forward(u, training, inplace=True) if self._activated else u

    def backward(self, dy):
        Wd, P = self.params["W_depthwise"], self.params["W_pointwise"]
        delta = self.activation.backward(dy) if self._activated else dy
        d2 = delta.reshape(-1, P.shape[3])
        z2 = self.z.reshape(-1, self.z.shape[3])
        self.grads["W_pointwise"] = (z2.T @ d2).reshape(P.shape)   # ∂P = zᵀ δ
        if "b" in self.params:
            self.grads["b"] = d2.sum(axis=0)
        dz = (d2 @ P.reshape(-1, P.shape[3]).T).reshape(self.z.shape)  # ∂z = δ Pᵀ
        dx, self.grads["W_depthwise"], _ = depthwise_conv2d_backward(
            dz, self.x, Wd, self.strides, self.padding, self.need_dx)
        return dx
