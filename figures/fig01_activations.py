"""Figure 1 — activation functions and their derivatives, computed by :mod:`ann.functional`.

``sigmoid h = 1/(1+e^{-u})``, ``h' = h(1-h)``; ``tanh``, ``h' = 1 - h²``; ``ReLU h = max(0, u)``,
``h' = [u > 0]`` with the subgradient ``[0, 1]`` at ``u = 0``. The derivatives are what
:func:`ann.functional.activation_backward` returns for an upstream gradient of ones. The softmax
of the 2-vector ``(u, 0)`` has first component ``e^u/(e^u + 1) = σ(u)``: the two-class softmax is
the sigmoid.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "activations"
ACTS = ("sigmoid", "tanh", "relu")


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ann.functional import activation_backward, activation_forward, softmax

    u = np.linspace(-5.0, 5.0, 201 if quick else 1001)
    data = {"u": u}
    for name in ACTS:
        y = activation_forward(name, u.copy())
        data[name] = y
        data[f"d_{name}"] = activation_backward(name, np.ones_like(u), y)
    data["softmax_2"] = softmax(np.stack([u, np.zeros_like(u)], axis=1), axis=1)[:, 0]
    return data


def draw(data):
    from ._common import plt

    u = data["u"]
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2))
    colors = {"sigmoid": "C0", "tanh": "C1", "relu": "C2"}
    titles = {"sigmoid": "sigmoid σ(u)", "tanh": "tanh(u)", "relu": "ReLU max(0, u)"}
    for ax, name in zip(axes, ACTS):
        ax.plot(u, data[name], color=colors[name], lw=2, label="h(u)")
        d = data[f"d_{name}"]
        if name == "relu":  # the subgradient: any value in [0, 1] at u = 0
            ax.plot(u[u < 0], d[u < 0], "k--", lw=1.3, label="h'(u)")
            ax.plot(u[u > 0], d[u > 0], "k--", lw=1.3)
            ax.plot([0, 0], [0, 1], color="C3", lw=2.5, label="subgradient [0, 1]")
            ax.set_ylim(-0.3, 5.2)
        else:
            ax.plot(u, d, "k--", lw=1.3, label="h'(u)")
        ax.axhline(0, color="0.8", lw=0.6, zorder=0)
        ax.axvline(0, color="0.8", lw=0.6, zorder=0)
        ax.set_title(titles[name])
        ax.set_xlabel("pre-activation u")
        ax.legend(loc="upper left")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("output h(u) (dimensionless)")
    ax = axes[3]
    ax.plot(u, data["softmax_2"], color="C4", lw=4, alpha=0.5, label="softmax(u, 0)₁")
    ax.plot(u, data["sigmoid"], "k:", lw=1.5, label="σ(u)")
    ax.set_title("two-class softmax = sigmoid")
    ax.set_xlabel("logit u (other logit 0)")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
