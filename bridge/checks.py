"""The bridge's guards: images that fit a network's input, results that are finite, and the
arguments every entry point checks (one-line ``ValueError`` messages, pinned by the tests).

* :func:`fit_images` — a user's images ``(N, ...)`` as the ``(N, *input_shape)`` float32 batch a
  network takes. Images whose element count per image matches are reshaped (C order, the NHWC
  order of :mod:`ann` and Keras): MNIST's ``(N, 28, 28, 1)`` feeds a model whose input is
  ``(784,)``, and ``(N, 784)`` feeds a ``(28, 28, 1)`` model.
* :func:`require_finite` — every number the bridge returns (spike counts, readouts, accuracies,
  weights after folding and scaling, Brian2's state) passes through it, so a NaN or Inf is
  reported where it arose instead of being returned as if it were a result (a NaN potential,
  for example, never crosses the threshold and silently reads as "no spikes").
* :func:`positive_int`, :func:`positive_number`, :func:`one_of` — ``T``, batch sizes, ``dt``,
  ``θ``, caps, and names chosen from a table (reset, readout, simulator, ...).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["require_finite", "fit_images", "positive_int", "positive_number", "one_of",
           "is_real"]


def positive_int(v, name: str, *, numpy_ints: bool = True):
    """Return ``v`` unchanged if it is an int ``≥ 1`` (not a bool; NumPy integers too unless
    ``numpy_ints=False``); else ``ValueError`` ``"{name} must be a positive int, got {v!r}"``."""
    kinds = (int, np.integer) if numpy_ints else int
    if isinstance(v, bool) or not isinstance(v, kinds) or v < 1:
        raise ValueError(f"{name} must be a positive int, got {v!r}")
    return v


def is_real(v) -> bool:
    """Whether ``v`` is a real number (Python or NumPy), not a bool."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def positive_number(v, name: str):
    """Return ``v`` unchanged if it is a finite real number ``> 0`` (not a bool); else
    ``ValueError`` ``"{name} must be a positive number, got {v!r}"``."""
    if not (is_real(v) and math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a positive number, got {v!r}")
    return v


def one_of(name: str, value, known: tuple):
    """Return ``value`` unchanged if it is in ``known``; else ``ValueError``
    ``"unknown {name} {value!r}; known: a, b, c"``."""
    if value not in known:
        raise ValueError(f"unknown {name} {value!r}; known: {', '.join(known)}")
    return value


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
