"""The bridge's two guards: images that fit a network's input, and results that are finite.

* :func:`fit_images` — a user's images ``(N, ...)`` as the ``(N, *input_shape)`` float32 batch a
  network takes. Images whose element count per image matches are reshaped (C order, the NHWC
  order of :mod:`ann` and Keras): MNIST's ``(N, 28, 28, 1)`` feeds a model whose input is
  ``(784,)``, and ``(N, 784)`` feeds a ``(28, 28, 1)`` model.
* :func:`require_finite` — every number the bridge returns (spike counts, readouts, accuracies,
  weights after folding and scaling, Brian2's state) passes through it, so a NaN or Inf is
  reported where it arose instead of being returned as if it were a result (a NaN potential,
  for example, never crosses the threshold and silently reads as "no spikes").
"""

from __future__ import annotations

import numpy as np

__all__ = ["require_finite", "fit_images"]


def require_finite(a, where: str):
    """Return ``a`` unchanged if all its values are finite.

    ``a``: an array or anything :func:`numpy.asarray` takes (integer and boolean arrays are
    finite by construction). Raises a one-line ``ValueError`` ``"{where}: K of M values are NaN
    or Inf"`` otherwise.
    """
    arr = np.asarray(a)
    if arr.dtype.kind in "fc":
        bad = arr.size - int(np.count_nonzero(np.isfinite(arr)))
        if bad:
            raise ValueError(f"{where}: {bad} of {arr.size} values are NaN or Inf")
    elif arr.dtype.kind not in "biu":
        raise TypeError(f"{where}: expected numbers, got dtype {arr.dtype}")
    return a


def _shape(shape: tuple) -> str:
    return "(N, " + ", ".join(map(str, shape)) + ")"


def fit_images(x, input_shape: tuple, what: str = "images") -> np.ndarray:
    """``x (N, ...)`` as float32 ``(N, *input_shape)``, reshaped if only the layout differs.

    Parameters
    ----------
    x : (N, ...) numeric array of N ≥ 1 images (pixel values in [0, 1]).
    input_shape : the network's input shape without the batch axis, e.g. ``(784,)``.
    what : the images' name in error messages (``"test images"``, ``"normalisation data"``).

    Raises
    ------
    TypeError
        ``x`` is not numeric.
    ValueError
        (one line) ``x`` holds no image; an image has another number of values than the input
        (the message states the shape the model wants and the shape given); ``x`` holds
        NaN or Inf values (the message says how many); or a value lies outside [0, 1] (the
        input is a rate: raw 8-bit pixels would fire at every step).
    """
    x = np.asarray(x)
    input_shape = tuple(int(d) for d in input_shape)
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise TypeError(f"{what} must be numeric, got dtype {x.dtype}")
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"{what} of shape {x.shape} hold no image; the model's input is "
                         f"{_shape(input_shape)}")
    if x.shape[1:] != input_shape:
        per, need = int(np.prod(x.shape[1:])), int(np.prod(input_shape))
        if per != need:
            raise ValueError(f"{what} of shape {x.shape} do not fit the model's input "
                             f"{_shape(input_shape)}: {per} values per image, not {need}")
        x = x.reshape((len(x),) + input_shape)
    x = require_finite(x.astype(np.float32, copy=False), what)
    lo, hi = float(x.min()), float(x.max())
    if lo < 0 or hi > 1:     # rates and spike probabilities: raw 0–255 pixels fire every step
        hint = "; divide 8-bit images by 255" if hi > 1 and lo >= 0 else ""
        raise ValueError(f"{what} must hold pixel values in [0, 1], got values in "
                         f"[{lo:g}, {hi:g}]{hint}")
    return x
