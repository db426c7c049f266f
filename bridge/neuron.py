"""The integrate-and-fire neuron of the converted network, as one pure step function.

Discrete time, no leak, threshold ``θ`` (1 after normalization), input current ``I[t]``::

    V[t] = V[t-1] + I[t]
    s[t] = 1 if V[t] ≥ θ else 0                      (at most one spike per step)
    V[t] ← V[t] − θ·s[t]     (reset by subtraction: the surplus above θ is kept)
    V[t] ← 0 where s[t] = 1  (reset to zero: the surplus is lost)

With a constant current ``0 ≤ I ≤ θ`` and ``V[0] = 0``, reset by subtraction fires exactly
``⌊t·I/θ⌋`` spikes in ``t`` steps, so the rate ``I/θ`` equals a ReLU unit's activation (scaled);
reset to zero fires ``⌊t / ⌈θ/I⌉⌋`` (Rueckauer et al. 2017, Front. Neurosci. 11:682, sec. 2.1).

**Signed neurons** (``signed=True``, with reset by subtraction) may also send a *negative* spike,
to take back one they sent, when the potential falls below zero while their count ``N`` of
spikes sent so far is positive::

    s[t] = [V[t] ≥ θ] − [V[t] < 0 and N[t-1] > 0],   N[t] = N[t-1] + s[t]

The potential then stays in ``[0, θ)`` whenever ``N > 0``, so with ``V[0] = θ/2`` the count is the
ReLU of the integrated current rounded to the nearest integer, at every step (as long as the
current moves the potential by less than ``θ`` per step)::

    N[t] = max(0, ⌊(V[0] + Σ_{τ ≤ t} I[τ]) / θ⌋)

An unsigned neuron cannot take back a spike sent on an early, transient current: in deep networks
those spikes make the rates run above the ANN's activations in the first steps and slow the
convergence (the trained ResNet of seed 1, 10 000 images: 99 % of the ANN at t = 16 unsigned,
t = 4 signed). The price is synaptic operations: a neuron near a rounding boundary sends +1 and
−1 in turn (the ResNet: 4.7 SynOps per ANN MAC at T = 32 instead of 3.0). Negative spikes with a
memory of the count follow Wang et al. (2022), "Signed neuron with memory: towards simple,
accurate and high-efficient ANN-SNN conversion", IJCAI; the thresholds ``θ`` and ``0`` with
``V[0] = θ/2`` are chosen here so that ``N`` rounds to the nearest integer.

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
    """``v_th``: threshold θ; ``reset``: ``"subtract"`` or ``"zero"``; ``signed``: negative spikes
    (with ``"subtract"`` only)."""

    v_th: float = 1.0
    reset: str = "subtract"
    signed: bool = False


def if_step(current: np.ndarray, v: np.ndarray, p: IFParams,
            out: np.ndarray | None = None,
            counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One time step for a batch of IF neurons (module docstring; Rueckauer et al. 2017,
    sec. 2.1; signed neurons: Wang et al. 2022)::

        V[t] = V[t-1] + I[t]
        s[t] = [V[t] ≥ θ]                                  (unsigned)
        s[t] = [V[t] ≥ θ] − [V[t] < 0 and N[t-1] > 0]      (signed)
        V[t] ← V[t] − θ·s[t]     (reset by subtraction)
        V[t] ← 0 where s[t] = 1  (reset to zero)

    With reset by subtraction a constant current ``0 ≤ I ≤ θ`` fires ``⌊t·I/θ⌋`` spikes in
    ``t`` steps from ``V[0] = 0``: the rate ``I/θ`` is the ReLU unit's activation. A signed
    neuron started at ``V[0] = θ/2`` has sent ``N[t] = max(0, ⌊(V[0] + Σ_{τ ≤ t} I[τ]) / θ⌋)``.

    Parameters
    ----------
    current : (...) input current ``I[t]`` (in units of the threshold).
    v : (...) membrane potential ``V[t-1]``, same shape.
    p : the neuron parameters.
    out : optional array to hold the new ``V[t]`` (may be ``v`` itself, updating in place).
    counts : (...) spikes sent so far, ``N[t-1]``; needed by signed neurons (the caller adds the
        returned spikes to it).

    Returns
    -------
    spikes : (...) array of 0/1 (and −1 for signed neurons) in ``v``'s dtype.
    v : (...) the new potential (``out`` if given).

    ``ValueError`` for signed neurons without ``counts`` or with reset ``"zero"``.
    """
    if p.signed and (counts is None or p.reset != "subtract"):
        raise ValueError("signed neurons need counts and reset 'subtract'")
    v = np.add(v, current, out=out)
    spikes = (v >= p.v_th).astype(v.dtype)
    if p.signed:
        spikes -= ((v < 0) & (counts > 0)).astype(v.dtype)
    if p.reset == "subtract":
        v -= p.v_th * spikes
    elif p.reset == "zero":
        v *= 1 - spikes
    else:
        raise ValueError(f"unknown reset {p.reset!r}; known: {', '.join(RESETS)}")
    return spikes, v
