"""Optimizers, shaped like Keras's: hyper-parameters in ``__init__``, per-variable state created
on first use (``build``), one ``update_step`` per variable; clipping and weight decay live once,
in the base class :meth:`Optimizer.apply`.

For each step, with ``g`` the gradient of a parameter ``θ`` and ``ε`` the learning rate:

1. clipping (all optimizers): by global norm, ``g ← g · c / max(‖g‖₂, c)`` with ``‖g‖₂`` over
   every parameter together; or by value, ``g ← clip(g, −c, c)``;
2. decoupled weight decay (optional, AdamW style, as Keras): ``θ ← θ − ε·λ·θ``;
3. the update rule:

=============  ==============================================================================
``SGD``        ``θ ← θ − ε g``
``Momentum``   ``v ← α v − ε g;  θ ← θ + v``  (the lecture's form; Keras ``SGD(momentum=α)``)
               Nesterov: ``v ← α v − ε g;  θ ← θ + α v − ε g``  (Keras ``nesterov=True``)
``RMSProp``    ``r ← ρ r + (1 − ρ) g ⋆ g;  θ ← θ − ε g / √(r + δ)``
``Adam``       ``m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g ⋆ g;``
               ``θ ← θ − ε_t m / (√v + δ)`` with ``ε_t = ε √(1 − β₂ᵗ) / (1 − β₁ᵗ)``
=============  ==============================================================================

Conventions — one update rule per optimizer, the same on both backends: ``neurosim train
--backend keras`` builds Keras's own optimizer (:func:`ann.keras_train.make_keras_optimizer`) and
``tests/ann/test_ann_optimizer_backends.py`` checks that it and :func:`make_optimizer` take the
same steps, to float tolerance, for gradients from 1e-6 to 1e2, with every hyper-parameter:

* RMSProp — δ goes *inside* the root: ``θ ← θ − ε g / √(r + δ)``, δ = 1e-7. This is Goodfellow
  et al., *Deep Learning* (2016), alg. 8.5, and what Keras (``RMSprop``, ε = 1e-7) and
  TensorFlow 1 compute. The lecture's eq. 17 writes ``θ ← θ − ε g / (δ + r)``: its root is
  lost (without it the step does not scale like ``g / |g|``). PyTorch's ``RMSprop`` adds δ
  = 1e-8 *outside* the root, ``g / (√r + δ)``. The placement matters only where √r is not large
  next to δ: for gradients of 1e-5, √r ≈ 3e-6 against √δ ≈ 3e-4, so the outside form takes a
  step ~100× larger — the fault this convention fixes (the NumPy backend used to add δ outside
  and Keras inside).
* Adam: as Keras (and TensorFlow), the bias correction is folded into the step size and δ is
  added to ``√v``, not to ``√v̂`` as in Kingma & Ba (2015) alg. 1 (PyTorch follows the paper);
  the two agree when the paper's δ equals ``δ / √(1 − β₂ᵗ)``.
* Momentum: the lecture's ``v ← α v − ε g`` (Keras's form; PyTorch's ``SGD`` keeps
  ``b ← μ b + g`` and steps ``ε b``, the same while ε is constant). Nesterov as Keras
  (Sutskever et al. 2013, in Bengio et al.'s 2013 reformulation).
* Weight decay multiplies by the current learning rate (``θ − ε λ θ``) before the update, on
  every parameter, as Keras's ``weight_decay`` (and PyTorch's ``AdamW``); it is not an L2 term
  in the loss.
* Clipping by global norm is Keras's ``global_clipnorm``; by value, Keras's ``clipvalue``.
* The learning-rate schedule (``ε_k = ε·decay^k`` in epoch ``k``) is set by the training loop on
  both backends from one function, :meth:`ann.config.TrainConfig.learning_rate`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Optimizer", "SGD", "Momentum", "RMSProp", "Adam", "make_optimizer",
           "clip_by_global_norm", "EPSILON"]

#: δ of RMSProp and Adam on both backends (Keras's default; PyTorch's is 1e-8)
EPSILON = 1e-7


def _check(v, name, lo=0.0, lo_open=False, hi=None, hi_open=False, allow_none=False):
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) or not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {v!r}")
    if v < lo or (lo_open and v == lo) or (hi is not None and (v > hi or (hi_open and v == hi))):
        left = "(" if lo_open else "["
        right = ")" if hi_open or hi is None else "]"
        upper = "inf" if hi is None else hi
        raise ValueError(f"{name} must be in {left}{lo}, {upper}{right}, got {v!r}")
    return float(v)


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
        self._scratch = [np.empty_like(p) for p in params]

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> float | None:
        """One step: clip, decay, then :meth:`update_step` on each parameter (in place).

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
        """Update parameter number ``i`` in place."""
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


class SGD(Optimizer):
    """Plain mini-batch gradient descent ``θ ← θ − ε g``."""


class Momentum(Optimizer):
    """``v ← α v − ε g;  θ ← θ + v`` (Keras ``SGD(momentum=α)``).

    With ``nesterov=True`` the step looks ahead along the new velocity,
    ``θ ← θ + α v − ε g`` (Keras ``SGD(momentum=α, nesterov=True)``; Sutskever et al. 2013).
    """

    slots = ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, nesterov: bool = False, **kw):
        super().__init__(lr, **kw)
        self.alpha = _check(momentum, "momentum", hi=1.0, hi_open=True)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be a bool, got {nesterov!r}")
        self.nesterov = bool(nesterov)

    def update_step(self, i, theta, g, lr):
        v, eps_g = self.state["v"][i], self._scratch[i]
        t = v.dtype.type
        np.multiply(g, t(lr), out=eps_g)    # ε g
        v *= t(self.alpha)                  # v ← α v − ε g
        v -= eps_g
        if self.nesterov:                   # θ ← θ + α v − ε g
            theta -= eps_g
            theta += t(self.alpha) * v
        else:                               # θ ← θ + v
            theta += v


class RMSProp(Optimizer):
    """``r ← ρ r + (1 − ρ) g²;  θ ← θ − ε g / √(r + δ)`` (the lecture's eqs. 16–17).

    δ sits inside the root, as in Goodfellow et al. (2016) alg. 8.5 and Keras; the lecture's
    eq. 17 lost the root, and PyTorch adds δ outside it (see the module docstring).
    """

    slots = ("r",)

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = EPSILON, **kw):
        super().__init__(lr, **kw)
        self.rho = _check(rho, "rho", hi=1.0, hi_open=True)
        self.eps = _check(eps, "eps", lo_open=True)

    def update_step(self, i, theta, g, lr):
        r, tmp = self.state["r"][i], self._scratch[i]
        t = r.dtype.type
        np.multiply(g, g, out=tmp)          # r ← ρ r + (1 − ρ) g²      (eq. 16)
        tmp *= t(1 - self.rho)
        r *= t(self.rho)
        r += tmp
        np.add(r, t(self.eps), out=tmp)     # θ ← θ − ε g / √(r + δ)    (eq. 17, with its root)
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        tmp *= t(lr)
        theta -= tmp


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) in Keras's form (see the module docstring).

    The moments are kept as exponentially weighted *sums*, ``m_sum = m / (1 − β₁)`` and
    ``v_sum = v / (1 − β₂)`` (the slots), so that each update is ``m_sum ← β₁ m_sum + g``,
    ``v_sum ← β₂ v_sum + g²`` and ``θ ← θ − ε'_t m_sum / (√v_sum + δ')`` with
    ``ε'_t = ε_t (1 − β₁) / √(1 − β₂)`` and ``δ' = δ / √(1 − β₂)``: the same step in 10 array
    passes instead of 12 (the update is 40 % of a lecture-MLP training step).
    """

    slots = ("m_sum", "v_sum")

    def __init__(self, lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 eps: float = EPSILON, **kw):
        super().__init__(lr, **kw)
        self.beta_1 = _check(beta_1, "beta_1", hi=1.0, hi_open=True)
        self.beta_2 = _check(beta_2, "beta_2", hi=1.0, hi_open=True)
        self.eps = _check(eps, "eps", lo_open=True)

    def update_step(self, i, theta, g, lr):
        m, v, tmp = self.state["m_sum"][i], self.state["v_sum"][i], self._scratch[i]
        t = m.dtype.type
        b1, b2 = self.beta_1, self.beta_2
        step = self.iterations + 1
        alpha = lr * math.sqrt(1 - b2 ** step) / (1 - b1 ** step) * (1 - b1) / math.sqrt(1 - b2)
        m *= t(b1)                          # m_sum ← β₁ m_sum + g
        m += g
        np.multiply(g, g, out=tmp)          # v_sum ← β₂ v_sum + g²
        v *= t(b2)
        v += tmp
        np.sqrt(v, out=tmp)                 # θ ← θ − ε'_t m_sum / (√v_sum + δ')
        tmp += t(self.eps / math.sqrt(1 - b2))
        np.divide(m, tmp, out=tmp)
        tmp *= t(alpha)
        theta -= tmp


def make_optimizer(name: str, lr: float, momentum: float = 0.9, clip_norm: float | None = None,
                   weight_decay: float = 0.0, nesterov: bool = False) -> Optimizer:
    """The optimizer ``name`` (``sgd, momentum, rmsprop, adam``); ``momentum`` is α for
    momentum, ρ for RMSProp and β₁ for Adam; ``nesterov`` applies to momentum only.

    :func:`ann.keras_train.make_keras_optimizer` builds the Keras optimizer that takes the same
    steps from the same arguments."""
    kw = dict(clip_norm=clip_norm, weight_decay=weight_decay)
    if nesterov and name != "momentum":
        raise ValueError(f"nesterov applies to the momentum optimizer, not {name!r}")
    if name == "sgd":
        return SGD(lr, **kw)
    if name == "momentum":
        return Momentum(lr, momentum, nesterov=nesterov, **kw)
    if name == "rmsprop":
        return RMSProp(lr, rho=momentum, **kw)
    if name == "adam":
        return Adam(lr, beta_1=momentum, **kw)
    raise ValueError(f"unknown optimizer {name!r}; known: sgd, momentum, rmsprop, adam")
