"""Losses and their gradients, averaged over the batch.

Softmax cross-entropy, fused (the lecture's "gradient y − t"): for logits ``u (N, K)`` and
targets ``t`` (integer labels or rows of class probabilities),

    E = −(1/N) Σ_n Σ_k t_nk log softmax(u_n)_k,        ∂E/∂u = (softmax(u) − t) / N.

``log softmax`` is computed as ``u − max u − log Σ e^{u − max u}``, so logits of ±1e4 give
finite values, and a zero target contributes exactly 0 (``0·log 0 = 0``: the product is taken
with the finite log-probability, never with ``log 0``).

Mean squared error: ``E = (1/N) Σ_n Σ_k (y_nk − t_nk)² / K`` (Keras's mean over the last axis,
then over the batch), ``∂E/∂y = 2 (y − t) / (N K)``.

**Label smoothing** (Szegedy et al. 2016, "Rethinking the Inception architecture", CVPR, §7):
the one-hot target of label ``c`` is mixed with the uniform distribution over the ``K`` classes,
``t_k = (1 − ε_ls)·[k = c] + ε_ls / K``, so the loss no longer rewards driving one logit far
above the others; as Keras's ``CategoricalCrossentropy(label_smoothing=ε_ls)``.
"""

from __future__ import annotations

import numpy as np

from .checks import in_interval
from .functional import log_softmax, softmax

__all__ = ["one_hot", "smooth_labels", "softmax_cross_entropy", "mean_squared_error"]


def one_hot(labels: np.ndarray, k: int, dtype=np.float32) -> np.ndarray:
    """``(N,)`` integer labels in ``0..k-1`` → ``(N, k)`` one-hot rows."""
    labels = np.asarray(labels)
    out = np.zeros((labels.shape[0], k), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def smooth_labels(labels: np.ndarray, k: int, smoothing: float, dtype=np.float32) -> np.ndarray:
    """``(N,)`` integer labels → ``(N, k)`` smoothed targets
    ``t_k = (1 − ε_ls)·[k = c] + ε_ls / K`` (module docstring), ``ε_ls = smoothing``."""
    labels = np.asarray(labels)
    out = np.full((labels.shape[0], k), smoothing / k, dtype=dtype)
    out[np.arange(labels.shape[0]), labels] += 1 - smoothing
    return out


def _targets(t, n, k):
    t = np.asarray(t)
    if t.ndim == 1:
        if t.shape[0] != n:
            raise ValueError(f"{t.shape[0]} labels for {n} samples")
        return t.astype(np.intp, copy=False), True
    if t.shape != (n, k):
        raise ValueError(f"targets of shape {t.shape} do not fit outputs of shape {(n, k)}")
    return t, False


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray,
                          label_smoothing: float = 0.0) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of ``softmax(logits)`` against ``targets`` and ``∂E/∂logits``::

        E = −(1/N) Σ_n Σ_k t_nk log softmax(u_n)_k,        ∂E/∂u = (softmax(u) − t) / N

    the lecture's "gradient y − t" (softmax and cross-entropy fused, on the logits ``u``).

    Parameters
    ----------
    logits : ``(N, K)`` pre-softmax outputs.
    targets : ``(N,)`` integer labels or ``(N, K)`` class probabilities.
    label_smoothing : ``ε_ls`` in ``[0, 1)``: integer labels become the smoothed targets of
        :func:`smooth_labels` (module docstring); probability targets are used as given.

    Returns
    -------
    loss : float
    dlogits : ``(N, K)``, same dtype as ``logits``.
    """
    n, k = logits.shape
    t, is_label = _targets(targets, n, k)
    if is_label and in_interval(label_smoothing, "label_smoothing", hi=1.0, hi_open=True):
        t, is_label = smooth_labels(t, k, label_smoothing, logits.dtype), False
    logp = log_softmax(logits)
    if is_label:
        loss = -logp[np.arange(n), t].sum() / n
        grad = softmax(logits)
        grad[np.arange(n), t] -= 1
    else:
        loss = -(t * logp).sum() / n
        grad = softmax(logits) - t
    grad /= n
    return float(loss), grad.astype(logits.dtype, copy=False)


def mean_squared_error(y: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of outputs ``y (N, K)`` against ``targets`` (labels are one-hot
    encoded) and ``∂E/∂y``: ``E = (1/N) Σ_n Σ_k (y_nk − t_nk)² / K``,
    ``∂E/∂y = 2 (y − t) / (N K)``."""
    n, k = y.shape
    t, is_label = _targets(targets, n, k)
    if is_label:
        t = one_hot(t, k, y.dtype)
    diff = y - t
    return float((diff * diff).sum() / (n * k)), (2.0 / (n * k)) * diff
