"""The integrate-and-fire neuron of the converted network, as one pure step function.

Discrete time, no leak, threshold ``θ`` (1 after normalization), input current ``I[t]``::

    V[t] = V[t-1] + I[t]
    s[t] = 1 if V[t] ≥ θ else 0                      (at most one spike per step)
    V[t] ← V[t] − θ·s[t]     (reset by subtraction: the surplus above θ is kept)
    V[t] ← 0 where s[t] = 1  (reset to zero: the surplus is lost)

With a constant current ``0 ≤ I ≤ θ`` and ``V[0] = 0``, reset by subtraction fires exactly
``⌊t·I/θ⌋`` spikes in ``t`` steps, so the rate ``I/θ`` equals a ReLU unit's activation (scaled);
reset to zero fires ``⌊t / ⌈θ/I⌉⌋`` (Rueckauer et al. 2017, Front. Neurosci. 11:682, sec. 2.1).

Shaped like norse's ``lif_step`` (``step(input, state, params) -> (spikes, state)``): parameters
are an immutable tuple; the simulator may pass ``out=v`` to update the state in place (same
arithmetic, no per-step allocation).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["IFParams", "if_step", "RESETS"]

RESETS = ("subtract", "zero")


class IFParams(NamedTuple):
    """``v_th``: threshold θ; ``reset``: ``"subtract"`` or ``"zero"``."""

    v_th: float = 1.0
    reset: str = "subtract"


def if_step(current: np.ndarray, v: np.ndarray, p: IFParams,
            out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One time step for a batch of IF neurons.

    Parameters
    ----------
    current : (...) input current ``I[t]`` (in units of the threshold).
    v : (...) membrane potential ``V[t-1]``, same shape.
    p : the neuron parameters.
    out : optional array to hold the new ``V[t]`` (may be ``v`` itself, updating in place).

    Returns
    -------
    spikes : (...) array of 0/1 in ``v``'s dtype.
    v : (...) the new potential (``out`` if given).
    """
    v = np.add(v, current, out=out)
    spikes = (v >= p.v_th).astype(v.dtype)
    if p.reset == "subtract":
        v -= p.v_th * spikes
    elif p.reset == "zero":
        v *= 1 - spikes
    else:
        raise ValueError(f"unknown reset {p.reset!r}; known: {', '.join(RESETS)}")
    return spikes, v
