"""Input encodings: how a pixel intensity ``x ∈ [0, 1]`` enters the spiking network.

* ``constant`` — the analog value is injected as a current every step: ``I_in[t] = x``. The first
  layer then receives the constant current ``W x + b``, computed once (Rueckauer et al. 2017).
* ``poisson`` — a Bernoulli spike per step with probability ``x·rate`` (``rate ≤ 1`` spikes per
  step): ``s[t] ~ Bernoulli(x·rate)``, independently per pixel and step (Diehl et al. 2015).
* ``regular`` — deterministic spikes at rate ``x``: an IF neuron driven by ``x``
  (:func:`bridge.neuron.if_step`, reset by subtraction), i.e. ``⌊t·x⌋`` spikes by step ``t``.

Each encoder is an object with ``constant`` (whether every step gives the same input) and
``block(n) -> (n, B, ...)`` array: the next ``n`` steps' input spikes for the batch, in order
(``step(t)`` of the constant encoder returns ``x``).

**Poisson trains are drawn image by image**: the uniform numbers for image ``k`` and steps
``t0 … t0+n−1`` are the generator's next ``n·|x_k|`` values, images in order. Drawing all ``T``
steps of a batch at once, or ``n`` steps of one image at a time, therefore gives the same trains,
so the step-by-step and the time-batched simulators, and every chunk size, see the same input
from the same seeded generator.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ENCODINGS", "make_encoder"]

ENCODINGS = ("constant", "poisson", "regular")

#: uniform numbers drawn at once at most (bounds the transient memory of a Poisson block)
_DRAW = 1 << 20


class ConstantEncoder:
    """The analog input as a current every step, ``I_in[t] = x`` (Rueckauer et al. 2017)."""

    constant = True

    def __init__(self, x: np.ndarray):
        self.x = x

    def step(self, t: int) -> np.ndarray:
        return self.x


class PoissonEncoder:
    """A Bernoulli spike per pixel and step, ``s[t] ~ Bernoulli(x·rate)`` (Diehl et al. 2015),
    drawn image by image (module docstring)."""

    constant = False

    def __init__(self, x: np.ndarray, rng: np.random.Generator, rate: float = 1.0):
        if not 0 < rate <= 1:
            raise ValueError(f"poisson rate must be in (0, 1] spikes per step, got {rate}")
        self.p, self.rng = (x * rate).astype(x.dtype), rng

    def block(self, n: int) -> np.ndarray:
        B = len(self.p)
        out = np.empty((n,) + self.p.shape, self.p.dtype)
        per_image = n * self.p[0].size
        g = max(1, _DRAW // max(per_image, 1))
        for a in range(0, B, g):  # image-major: image a's n steps, then image a+1's, ...
            u = self.rng.random((min(g, B - a), n) + self.p.shape[1:], dtype=np.float32)
            np.less(u, self.p[a:a + g, None], out=out[:, a:a + g].swapaxes(0, 1))
        return out


class RegularEncoder:
    """Deterministic spikes at rate ``x``: an IF neuron driven by ``x`` (reset by
    subtraction) sends ``⌊t·x⌋`` spikes by step ``t``."""

    constant = False

    def __init__(self, x: np.ndarray):
        self.x = x
        self.v = np.zeros_like(x)
        self.counts = np.zeros_like(x)

    def block(self, n: int) -> np.ndarray:
        from .kernels import if_run  # compiled code: imported when first needed

        out = np.empty((n,) + self.x.shape, self.x.dtype)
        return if_run(self.x, self.v, 1.0, "subtract", self.counts, out=out)


def make_encoder(name: str, x: np.ndarray, rng: np.random.Generator | None = None):
    """The encoder ``name`` (one of :data:`ENCODINGS`) for a batch ``x`` in [0, 1] (float32, or
    float64 for exact comparisons)."""
    if name == "constant":
        return ConstantEncoder(x)
    if name == "poisson":
        if rng is None:
            raise ValueError("poisson encoding needs rng (a numpy.random.Generator)")
        return PoissonEncoder(x, rng)
    if name == "regular":
        return RegularEncoder(x)
    raise ValueError(f"unknown encoding {name!r}; known: {', '.join(ENCODINGS)}")
