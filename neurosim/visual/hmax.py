"""Higher visual areas in the HMAX fashion: alternating template matching (S) and MAX
pooling (C), after Riesenhuber & Poggio (1999) Nat Neurosci 2:1019 and Serre, Wolf,
Bileschi, Riesenhuber & Poggio (2007) IEEE PAMI 29:411.

    C1  = MAX over the scales and over a pool x pool neighbourhood (stride s) of V1 complex cells
    S2  = template matching of C1 patches          (V2/V4-like: conjunctions of orientations)
    C2  = local MAX over S2                        (V4-like: tolerance to position)
    S3  = template matching of C2 patches          (IT-like: more complex combinations)
    C3  = global MAX over S3                       (IT-like: position-invariant selectivity)

Template matching is a Gaussian tuning on normalised patches (unit length over position and
feature), so it responds to the *pattern* of activity rather than its overall strength::

    S_k(y, x) = exp(-|| X(y, x)/|X(y, x)| - W_k/|W_k| ||**2 / (2 sigma**2))

``X(y, x)`` is the ``F x k x k`` patch of the layer below at ``(y, x)`` ("valid" positions only),
``W_k`` the k-th template. Templates are imprinted (Serre et al. 2007): each is a patch of the
layer below taken from a training image at a random position (:meth:`HMAX.fit`, with an
explicit ``rng``).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

__all__ = ["max_pool", "c1_layer", "s_layer", "HMAX"]


def max_pool(x: np.ndarray, pool: int, stride: int) -> np.ndarray:
    """MAX over ``pool x pool`` neighbourhoods of the last two axes, every ``stride`` pixels.

    ``x`` has shape ``(..., H, W)``; the output has ``ceil(H / stride)`` rows and columns
    (neighbourhoods at the border are cut by the image edge).
    """
    size = (1,) * (x.ndim - 2) + (pool, pool)
    origin = (0,) * (x.ndim - 2) + (-(pool // 2) + (pool - 1) // 2,) * 2
    m = ndimage.maximum_filter(x, size=size, mode="nearest", origin=origin)
    return m[..., ::stride, ::stride]


def c1_layer(v1_complex: np.ndarray, pool: int = 4, stride: int = 2) -> np.ndarray:
    """C1 from V1 complex cells ``(N, S, O, H, W)``: MAX over scales then space -> ``(N, O, h, w)``:
    ``C1 = MAX over the scales and over a pool x pool neighbourhood (stride s)``."""
    return max_pool(v1_complex.max(axis=1), pool, stride)


def _unit(v: np.ndarray, axes) -> np.ndarray:
    return v / (np.sqrt(np.sum(v * v, axis=axes, keepdims=True)) + 1e-6)


def s_layer(x: np.ndarray, templates: np.ndarray, sigma: float = 0.5) -> np.ndarray:
    """Template matching, a Gaussian tuning on normalised patches (module docstring)::

        S_k(y, x) = exp(-|| X(y, x)/|X(y, x)| - W_k/|W_k| ||**2 / (2 sigma**2))

    Parameters
    ----------
    x : ndarray, shape (N, F, H, W)
    templates : ndarray, shape (K, F, k, k)

    Returns
    -------
    ndarray, shape (N, K, H - k + 1, W - k + 1), values in (0, 1].
    """
    K, F, k, _ = templates.shape
    if x.shape[1] != F:
        raise ValueError(f"templates have {F} features, input has {x.shape[1]}")
    if min(x.shape[2:]) < k:
        raise ValueError(f"input maps {x.shape[2:]} smaller than templates ({k}x{k})")
    win = sliding_window_view(x, (k, k), axis=(2, 3))              # (N, F, h, w, k, k)
    norm2 = np.einsum("nfhwij,nfhwij->nhw", win, win)
    dots = np.einsum("nfhwij,kfij->nkhw", win, _unit(templates, (1, 2, 3)), optimize=True)
    norm = np.sqrt(norm2)[:, None] + 1e-6
    d2 = (norm2[:, None] / norm ** 2) + 1 - 2 * dots / norm        # |x/|x| - w|^2
    return np.exp(-np.maximum(d2, 0) / (2 * sigma ** 2)).astype(np.float32)


class HMAX:
    """S2/C2 (V2/V4-like) and S3/C3 (IT-like) stages on top of C1.

    Parameters
    ----------
    n_s2, n_s3 : int
        Number of S2 and S3 templates.
    s2_size, s3_size : int
        Template side (in C1 and C2 units).
    c2_pool, c2_stride : int
        Local MAX pooling of S2.
    sigma : float
        Tuning width of template matching.

    Attributes
    ----------
    s2_templates_ : (n_s2, O, s2_size, s2_size)
    s3_templates_ : (n_s3, n_s2, s3_size, s3_size)
    """

    def __init__(self, n_s2=32, n_s3=16, s2_size=3, s3_size=3, c2_pool=3, c2_stride=2,
                 sigma=0.5):
        self.n_s2, self.n_s3 = int(n_s2), int(n_s3)
        self.s2_size, self.s3_size = int(s2_size), int(s3_size)
        self.c2_pool, self.c2_stride, self.sigma = int(c2_pool), int(c2_stride), float(sigma)

    @staticmethod
    def _imprint(maps: np.ndarray, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
        N, F, H, W = maps.shape
        if H < k or W < k:
            raise ValueError(f"maps {H}x{W} smaller than templates ({k}x{k})")
        energy = maps.sum(axis=1)
        out = []
        for _ in range(n):
            i = rng.integers(N)
            # prefer patches with activity: sample positions in proportion to their energy
            e = sliding_window_view(energy[i], (k, k)).sum(axis=(-1, -2)).ravel().astype(float)
            prob = e / e.sum() if e.sum() > 0 else None
            pos = rng.choice(e.size, p=prob)
            y, x = divmod(int(pos), W - k + 1)
            out.append(maps[i, :, y:y + k, x:x + k])
        return np.stack(out).astype(np.float32)

    def fit(self, c1: np.ndarray, rng: np.random.Generator) -> "HMAX":
        """Imprint S2 templates from C1 maps ``(N, O, h, w)`` and S3 templates from the C2
        maps they produce."""
        self.s2_templates_ = self._imprint(c1, self.n_s2, self.s2_size, rng)
        c2 = max_pool(s_layer(c1, self.s2_templates_, self.sigma), self.c2_pool, self.c2_stride)
        self.s3_templates_ = self._imprint(c2, self.n_s3, self.s3_size, rng)
        return self

    def transform(self, c1: np.ndarray) -> dict:
        """Responses ``{"s2", "c2", "s3", "c3"}`` for C1 maps ``(N, O, h, w)``;
        ``c3`` has shape ``(N, n_s3)``. ``S2`` and ``S3`` are :func:`s_layer` template
        matching, ``C2 = local MAX over S2`` and ``C3 = global MAX over S3``."""
        if not hasattr(self, "s2_templates_"):
            raise ValueError("HMAX: call fit() before transform()")
        s2 = s_layer(c1, self.s2_templates_, self.sigma)
        c2 = max_pool(s2, self.c2_pool, self.c2_stride)
        s3 = s_layer(c2, self.s3_templates_, self.sigma)
        return {"s2": s2, "c2": c2, "s3": s3, "c3": s3.max(axis=(2, 3))}
