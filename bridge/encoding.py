"""Input encodings: how a pixel intensity ``x ∈ [0, 1]`` enters the spiking network.

* ``constant`` — the analog value is injected as a current every step: ``I_in[t] = x``. The first
  layer then receives the constant current ``W x + b``, computed once (Rueckauer et al. 2017).
* ``poisson`` — a Bernoulli spike per step with probability ``x·rate`` (``rate ≤ 1`` spikes per
  step): ``s[t] ~ Bernoulli(x·rate)``, independently per pixel and step (Diehl et al. 2015).
* ``regular`` — deterministic spikes at rate ``x``: an IF neuron driven by ``x``
  (:func:`bridge.neuron.if_step`, reset by subtraction), i.e. ``⌊t·x⌋`` spikes by step ``t``.

Each encoder is an object with ``constant`` (whether every step gives the same input) and
``step(t) -> (B, ...)`` float32 array.
"""

from __future__ import annotations

import numpy as np

from .neuron import IFParams, if_step

__all__ = ["ENCODINGS", "make_encoder"]

ENCODINGS = ("constant", "poisson", "regular")


class ConstantEncoder:
    constant = True

    def __init__(self, x: np.ndarray):
        self.x = x

    def step(self, t: int) -> np.ndarray:
        return self.x


class PoissonEncoder:
    constant = False

    def __init__(self, x: np.ndarray, rng: np.random.Generator, rate: float = 1.0):
        if not 0 < rate <= 1:
            raise ValueError(f"poisson rate must be in (0, 1] spikes per step, got {rate}")
        self.p, self.rng = (x * rate).astype(np.float32), rng
        self._u = np.empty_like(self.p)

    def step(self, t: int) -> np.ndarray:
        self.rng.random(out=self._u, dtype=np.float32)
        return (self._u < self.p).astype(np.float32)


class RegularEncoder:
    constant = False
    params = IFParams(1.0, "subtract")

    def __init__(self, x: np.ndarray):
        self.x = x
        self.v = np.zeros_like(x)

    def step(self, t: int) -> np.ndarray:
        spikes, _ = if_step(self.x, self.v, self.params, out=self.v)
        return spikes


def make_encoder(name: str, x: np.ndarray, rng: np.random.Generator | None = None):
    """The encoder ``name`` (one of :data:`ENCODINGS`) for a batch ``x`` in [0, 1], float32."""
    if name == "constant":
        return ConstantEncoder(x)
    if name == "poisson":
        if rng is None:
            raise ValueError("poisson encoding needs rng (a numpy.random.Generator)")
        return PoissonEncoder(x, rng)
    if name == "regular":
        return RegularEncoder(x)
    raise ValueError(f"unknown encoding {name!r}; known: {', '.join(ENCODINGS)}")
