"""What every optimizer shares (:class:`Optimizer`, the base of :mod:`ann.optimizers`): the
learning rate ε, gradient clipping (by global norm, :func:`clip_by_global_norm`, or by value),
decoupled weight decay, the step counter and the per-variable state, with its checkpoint form.
The update rules themselves, and the conventions they follow, are in :mod:`ann.optimizers`.
"""

from __future__ import annotations

import math

import numpy as np

from .checks import in_interval

__all__ = ["Optimizer", "clip_by_global_norm"]


def _check(v, name, lo=0.0, lo_open=False, hi=None, hi_open=False, allow_none=False):
    """A hyper-parameter in its interval (:func:`ann.checks.in_interval`), or ``None`` where
    allowed."""
    if v is None and allow_none:
        return None
    return in_interval(v, name, lo, hi, lo_open, hi_open)


def clip_by_global_norm(grads: list[np.ndarray],
                        clip_norm: float) -> tuple[list[np.ndarray], float]:
    """Scale every gradient by ``c / max(‖g‖, c)``, ``‖g‖`` the L2 norm of all of them
    together; returns ``(clipped, norm)``."""
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if norm > clip_norm:
        s = clip_norm / norm
        grads = [g * g.dtype.type(s) for g in grads]
    return grads, norm

class Optimizer:
    """Base class: learning rate ``ε`` (``lr``), clipping, weight decay, step counter.

    Parameters
    ----------
    lr : learning rate ε > 0 (may be changed between steps, e.g. by a schedule).
    clip_norm : clip gradients to this global L2 norm (``None``: off).
    clip_value : clip each gradient entry to ``[−c, c]`` (``None``: off).
    weight_decay : decoupled weight decay λ ≥ 0.
    """

    #: names of the per-variable state arrays, created zero on first use
    slots: tuple[str, ...] = ()

    def __init__(self, lr: float = 0.01, clip_norm: float | None = None,
                 clip_value: float | None = None, weight_decay: float = 0.0):
        self.lr = _check(lr, "learning rate", lo_open=True)
        self.clip_norm = _check(clip_norm, "clip_norm", lo_open=True, allow_none=True)
        self.clip_value = _check(clip_value, "clip_value", lo_open=True, allow_none=True)
        self.weight_decay = _check(weight_decay, "weight_decay")
        self.iterations = 0
        self.state: dict[str, list[np.ndarray]] | None = None

    def build(self, params: list[np.ndarray]) -> None:
        """Create the per-variable state (zeros shaped like each parameter)."""
        self.state = {name: [np.zeros_like(p) for p in params] for name in self.slots}

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> float | None:
        """One step: clip, decay, then :meth:`update_step` on each parameter (in place).

        Clipping by global norm ``g ← g · c / max(‖g‖₂, c)`` (or by value,
        ``g ← clip(g, −c, c)``), then decoupled weight decay ``θ ← θ − ε·λ·θ``.

        Returns the global gradient norm when clipping by norm (else ``None``).
        """
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        norm = None
        if self.clip_norm is not None:
            grads, norm = clip_by_global_norm(grads, self.clip_norm)
        if self.clip_value is not None:
            grads = [np.clip(g, -self.clip_value, self.clip_value) for g in grads]
        if self.state is None:
            self.build(params)
        lr = self.lr
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.weight_decay:
                p -= p.dtype.type(lr * self.weight_decay) * p
            self.update_step(i, p, g, lr)
        self.iterations += 1
        return norm

    def update_step(self, i: int, theta: np.ndarray, g: np.ndarray, lr: float) -> None:
        """Update parameter number ``i`` in place: ``θ ← θ − ε g`` (``lr`` is ε)."""
        theta -= theta.dtype.type(lr) * g

    # --- checkpoints ---------------------------------------------------------------------

    def get_state(self) -> dict[str, np.ndarray]:
        """Flat dict of arrays (``"iterations"``, ``"lr"``, ``"<slot>/<i>"``) for checkpoints."""
        out = {"iterations": np.array(self.iterations), "lr": np.array(self.lr)}
        for name, arrays in (self.state or {}).items():
            for i, a in enumerate(arrays):
                out[f"{name}/{i}"] = a.copy()
        return out

    def set_state(self, state: dict[str, np.ndarray], params: list[np.ndarray]) -> None:
        """Restore what :meth:`get_state` returned (shapes checked against ``params``)."""
        self.iterations = int(state["iterations"])
        self.lr = float(state["lr"])
        if not self.slots:
            return
        self.build(params)
        for name in self.slots:
            for i, p in enumerate(params):
                key = f"{name}/{i}"
                if key not in state or state[key].shape != p.shape:
                    raise ValueError(f"optimizer state {key!r} is missing or has the wrong shape")
                self.state[name][i][...] = state[key]

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr})"
