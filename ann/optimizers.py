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
``RMSProp``    ``r ← ρ r + (1 − ρ) g ⋆ g;  θ ← θ − ε g / √(r + δ)``  (the lecture's eqs. 16, 17)
``Adam``       ``m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g ⋆ g;``
               ``θ ← θ − ε_t m / (√v + δ)`` with ``ε_t = ε √(1 − β₂ᵗ) / (1 − β₁ᵗ)``
=============  ==============================================================================

Names — one meaning each, on every optimizer and in :func:`make_optimizer`: ``lr`` is the
learning rate ε, ``alpha`` the momentum coefficient α, ``rho`` RMSProp's decay rate ρ,
``beta_1``/``beta_2`` Adam's decay rates β₁, β₂ (Kingma & Ba's and Keras's names; Goodfellow et
al. call them ρ₁, ρ₂) and ``delta`` the small constant δ (:data:`DELTA`; Keras calls it
``epsilon``, PyTorch ``eps``). The symbols follow Goodfellow et al., *Deep Learning* (2016),
ch. 8, as the lecture does.

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

from .optimizer_base import Optimizer, _check, clip_by_global_norm

__all__ = ["Optimizer", "SGD", "Momentum", "RMSProp", "Adam", "make_optimizer",
           "clip_by_global_norm", "DELTA", "adam_step", "adam_step_in_place"]

#: δ, the small constant of RMSProp and Adam on both backends (Keras's default; PyTorch's is
#: 1e-8). It was called ``EPSILON`` before the lecture's names were adopted: ε is the learning
#: rate.
DELTA = 1e-7


class SGD(Optimizer):
    """Plain mini-batch gradient descent ``θ ← θ − ε g`` (Goodfellow et al. 2016, alg. 8.1)."""


class Momentum(Optimizer):
    """``v ← α v − ε g;  θ ← θ + v`` (Goodfellow et al. 2016, alg. 8.2; Keras
    ``SGD(momentum=α)``).

    With ``nesterov=True`` the step looks ahead along the new velocity,
    ``θ ← θ + α v − ε g`` (Keras ``SGD(momentum=α, nesterov=True)``; Sutskever et al. 2013;
    Goodfellow et al. alg. 8.3 in Bengio et al.'s 2013 reformulation).

    Parameters
    ----------
    lr : learning rate ε > 0.
    alpha : momentum coefficient α in [0, 1).
    nesterov : Nesterov's look-ahead step.
    """

    slots = ("v",)

    def __init__(self, lr: float = 0.01, alpha: float = 0.9, nesterov: bool = False, **kw):
        super().__init__(lr, **kw)
        self.alpha = _check(alpha, "alpha", hi=1.0, hi_open=True)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be a bool, got {nesterov!r}")
        self.nesterov = bool(nesterov)

    def update_step(self, i, theta, g, lr):
        """``v ← α v − ε g;  θ ← θ + v`` (Nesterov: ``θ ← θ − ε g + α v``), in place."""
        v = self.state["v"][i]
        t = v.dtype.type
        alpha, eps = t(self.alpha), t(lr)
        v[...] = alpha * v - eps * g             # v ← α v − ε g
        if self.nesterov:
            theta -= eps * g                     # θ ← θ − ε g + α v
            theta += alpha * v
        else:
            theta += v                           # θ ← θ + v


class RMSProp(Optimizer):
    """``r ← ρ r + (1 − ρ) g ⋆ g`` (the lecture's eq. 16);  ``θ ← θ − ε g / √(r + δ)`` (the
    lecture's eq. 17, with its root).

    δ sits inside the root, as in Goodfellow et al. (2016) alg. 8.5 and Keras; the lecture's
    eq. 17 lost the root, and PyTorch adds δ outside it (see the module docstring).

    Parameters
    ----------
    lr : learning rate ε > 0.
    rho : decay rate ρ in [0, 1) of the accumulated squared gradient ``r``.
    delta : small constant δ > 0 (:data:`DELTA`).
    """

    slots = ("r",)

    def __init__(self, lr: float = 0.001, rho: float = 0.9, delta: float = DELTA, **kw):
        super().__init__(lr, **kw)
        self.rho = _check(rho, "rho", hi=1.0, hi_open=True)
        self.delta = _check(delta, "delta", lo_open=True)

    def update_step(self, i, theta, g, lr):
        """The lecture's eq. 16, ``r ← ρ r + (1 − ρ) g ⋆ g``, then its eq. 17 with the root,
        ``θ ← θ − ε g / √(r + δ)``, in place."""
        r = self.state["r"][i]
        t = r.dtype.type
        rho, eps, delta = t(self.rho), t(lr), t(self.delta)
        r[...] = rho * r + t(1 - self.rho) * (g * g)    # r ← ρ r + (1 − ρ) g ⋆ g    (eq. 16)
        theta -= eps * (g / np.sqrt(r + delta))         # θ ← θ − ε g / √(r + δ)    (eq. 17)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, alg. 1; Goodfellow et al. 2016, alg. 8.7) in Keras's form::

        m ← β₁ m + (1 − β₁) g                      (first moment)
        v ← β₂ v + (1 − β₂) g ⋆ g                  (second moment)
        θ ← θ − ε_t m / (√v + δ),   ε_t = ε √(1 − β₂ᵗ) / (1 − β₁ᵗ)

    The bias corrections ``m̂ = m / (1 − β₁ᵗ)``, ``v̂ = v / (1 − β₂ᵗ)`` are folded into the step
    size ``ε_t`` and δ is added to ``√v``, as Keras does (see the module docstring).

    Parameters
    ----------
    lr : learning rate ε > 0.
    beta_1, beta_2 : decay rates β₁, β₂ in [0, 1) of the two moments (Goodfellow et al.'s
        ρ₁, ρ₂).
    delta : small constant δ > 0 (:data:`DELTA`).
    """

    slots = ("m", "v")

    def __init__(self, lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 delta: float = DELTA, **kw):
        super().__init__(lr, **kw)
        self.beta_1 = _check(beta_1, "beta_1", hi=1.0, hi_open=True)
        self.beta_2 = _check(beta_2, "beta_2", hi=1.0, hi_open=True)
        self.delta = _check(delta, "delta", lo_open=True)

    def build(self, params):
        """The moments ``m``, ``v`` (zeros) and one scratch array per parameter for
        :func:`adam_step_in_place`."""
        super().build(params)
        self._scratch = [np.empty_like(p) for p in params]

    def update_step(self, i, theta, g, lr):
        """``m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g ⋆ g;  θ ← θ − ε_t m / (√v + δ)``
        with ``ε_t = ε √(1 − β₂ᵗ) / (1 − β₁ᵗ)`` (Kingma & Ba 2015, alg. 1, in Keras's form),
        in place: :func:`adam_step` as written, computed by :func:`adam_step_in_place`."""
        step = self.iterations + 1
        eps_t = lr * math.sqrt(1 - self.beta_2 ** step) / (1 - self.beta_1 ** step)
        adam_step_in_place(theta, g, self.state["m"][i], self.state["v"][i], self._scratch[i],
                           self.beta_1, self.beta_2, eps_t, self.delta)

    def set_state(self, state, params):
        """As :meth:`Optimizer.set_state`; also reads checkpoints written before the moments
        were kept as the paper's ``m`` and ``v``: their slots ``m_sum = m / (1 − β₁)`` and
        ``v_sum = v / (1 − β₂)`` are converted."""
        if any(k.startswith("m_sum/") for k in state):
            state = dict(state)
            for old, new, beta in (("m_sum", "m", self.beta_1), ("v_sum", "v", self.beta_2)):
                for k in [k for k in state if k.startswith(old + "/")]:
                    a = state.pop(k)
                    state[new + k[len(old):]] = a * a.dtype.type(1 - beta)
        super().set_state(state, params)


def adam_step(theta, g, m, v, beta_1, beta_2, eps_t, delta) -> None:
    """One Adam step on ``theta`` as its equations read (arrays updated in place)::

        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g ⋆ g
        θ ← θ − ε_t m / (√v + δ)

    ``eps_t`` is the bias-corrected step size ``ε √(1 − β₂ᵗ) / (1 − β₁ᵗ)``.
    """
    t = m.dtype.type
    m[...] = t(beta_1) * m + t(1 - beta_1) * g
    v[...] = t(beta_2) * v + t(1 - beta_2) * (g * g)
    theta -= t(eps_t) * (m / (np.sqrt(v) + t(delta)))


def adam_step_in_place(theta, g, m, v, scratch, beta_1, beta_2, eps_t, delta) -> None:
    """:func:`adam_step` without temporaries: the same operations in the same order, written
    into ``m``, ``v`` and one ``scratch`` array shaped like ``theta``, so the result is
    bit-identical (``tests/ann/test_ann_optimizers.py``). A speed trick that pays: on the
    lecture MLP's 407 050 float32 parameters it takes 2.0 ms per step against 3.0 ms for
    :func:`adam_step` (one thread, this 2-core machine), about a tenth of a training step."""
    t = m.dtype.type
    m *= t(beta_1)                          # m ← β₁ m + (1 − β₁) g
    np.multiply(g, t(1 - beta_1), out=scratch)
    m += scratch
    v *= t(beta_2)                          # v ← β₂ v + (1 − β₂) g ⋆ g
    np.multiply(g, g, out=scratch)
    scratch *= t(1 - beta_2)
    v += scratch
    np.sqrt(v, out=scratch)                 # θ ← θ − ε_t m / (√v + δ)
    scratch += t(delta)
    np.divide(m, scratch, out=scratch)
    scratch *= t(eps_t)
    theta -= scratch


#: each optimizer's own hyper-parameters (beyond ``lr`` and those of :class:`Optimizer`)
_HYPER = {"sgd": (), "momentum": ("alpha", "nesterov"), "rmsprop": ("rho", "delta"),
          "adam": ("beta_1", "beta_2", "delta")}
_CLASSES = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}


def make_optimizer(name: str, lr: float, *, alpha: float | None = None,
                   rho: float | None = None, beta_1: float | None = None,
                   beta_2: float | None = None, delta: float | None = None,
                   nesterov: bool = False, clip_norm: float | None = None,
                   weight_decay: float = 0.0) -> Optimizer:
    """The optimizer ``name`` (``sgd, momentum, rmsprop, adam``) with learning rate ``lr`` (ε).

    ``alpha`` (α) and ``nesterov`` apply to momentum, ``rho`` (ρ) to RMSProp, ``beta_1``,
    ``beta_2`` (β₁, β₂) to Adam and ``delta`` (δ) to RMSProp and Adam; left out (``None``), they
    take the class's default (α = ρ = β₁ = 0.9, β₂ = 0.999, δ = :data:`DELTA`). One given for
    an optimizer that has no such parameter is a ``ValueError`` naming it.

    :func:`ann.keras_train.make_keras_optimizer` builds the Keras optimizer that takes the same
    steps from the same arguments."""
    if name not in _CLASSES:
        raise ValueError(f"unknown optimizer {name!r}; known: sgd, momentum, rmsprop, adam")
    given = {k: v for k, v in dict(alpha=alpha, rho=rho, beta_1=beta_1, beta_2=beta_2,
                                    delta=delta, nesterov=nesterov or None).items()
             if v is not None}
    for k in given:
        if k not in _HYPER[name]:
            if k == "nesterov":
                raise ValueError(f"nesterov applies to the momentum optimizer, not {name!r}")
            raise ValueError(f"{k} does not apply to the {name} optimizer")
    return _CLASSES[name](lr, clip_norm=clip_norm, weight_decay=weight_decay, **given)
