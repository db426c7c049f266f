"""Figure 6 — momentum vs plain gradient descent on an ill-conditioned quadratic.

Loss ``f(θ) = ½ (a θ₁² + b θ₂²)`` with ``a = 1``, ``b = 10`` (condition number κ = 10), minimum at
the origin. Both runs use the same learning rate ε = 0.18 (just below GD's stability limit
``2/b = 0.2``): plain GD (:class:`ann.optimizers.SGD`, ``θ ← θ − ε∇f``) zig-zags across the
steep direction (factor ``1 − εb = −0.8`` per step) and crawls along the shallow one (factor
``1 − εa = 0.82``); momentum (:class:`ann.optimizers.Momentum`, ``v ← αv − ε∇f, θ ← θ + v``,
α = 0.5) damps the zig-zag and contracts both directions by ``√α ≈ 0.71`` per step (the roots
of ``z² − (1 + α − ελ) z + α`` are complex for both eigenvalues λ here). The figure counts the
steps each needs to bring the loss below ``10⁻⁶`` of its start.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "momentum"
A, B = 1.0, 10.0
LR, ALPHA = 0.18, 0.5
START = (-4.0, 1.5)
TOL = 1e-6


def loss(p: np.ndarray) -> np.ndarray:
    p = np.atleast_2d(p)
    return 0.5 * (A * p[:, 0] ** 2 + B * p[:, 1] ** 2)


def descend(optimizer, steps: int) -> np.ndarray:
    """Positions ``(steps + 1, 2)`` from :data:`START` under ``optimizer``."""
    th = np.array(START, float)
    path = [th.copy()]
    for _ in range(steps):
        optimizer.apply([th], [np.array([A, B]) * th])
        path.append(th.copy())
    return np.array(path)


def steps_to(path: np.ndarray, tol: float = TOL) -> int | None:
    """First step whose loss is below ``tol`` times the starting loss (``None``: never)."""
    f = loss(path)
    hit = np.flatnonzero(f < tol * f[0])
    return int(hit[0]) if len(hit) else None


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ann.optimizers import SGD, Momentum

    steps = 60
    gd = descend(SGD(lr=LR), steps)
    mom = descend(Momentum(lr=LR, alpha=ALPHA), steps)
    X, Y = np.meshgrid(np.linspace(-4.5, 4.5, 181), np.linspace(-2, 2, 121))
    Z = loss(np.stack([X.ravel(), Y.ravel()], 1)).reshape(X.shape)
    return {"X": X, "Y": Y, "Z": Z, "gd_path": gd, "momentum_path": mom,
            "gd_loss": loss(gd), "momentum_loss": loss(mom), "lr": LR, "alpha": ALPHA,
            "gd_steps": steps_to(gd), "momentum_steps": steps_to(mom), "tol": TOL}


def draw(data):
    from ._common import plt

    fig, (ax, axl) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    ax.contour(data["X"], data["Y"], data["Z"], levels=np.geomspace(0.02, 40, 14),
               colors="0.6", linewidths=0.7)
    n = 25
    for key, color, label in (("gd_path", "C3", "plain GD"),
                              ("momentum_path", "C0", f"momentum α = {data['alpha']}")):
        p = data[key][:n + 1]
        ax.plot(p[:, 0], p[:, 1], "-o", color=color, ms=3, lw=1.3, label=label)
    ax.plot(0, 0, "k*", ms=12, label="minimum")
    ax.set_aspect("equal")
    ax.set_xlabel("parameter θ₁ (shallow direction, a = 1)")
    ax.set_ylabel("θ₂ (steep, b = 10)")
    ax.set_title(f"first {n} steps, same learning rate ε = {data['lr']}")
    ax.legend(loc="upper right", fontsize=8)
    for key, color, steps_key, label in (("gd_loss", "C3", "gd_steps", "plain GD"),
                                         ("momentum_loss", "C0", "momentum_steps", "momentum")):
        f = data[key]
        k = data[steps_key]
        axl.semilogy(np.arange(len(f)), f, color=color,
                     label=f"{label}: {k} steps to {data['tol']:g}·f₀" if k else label)
    axl.axhline(data["tol"] * data["gd_loss"][0], color="0.5", ls=":", lw=1)
    axl.set_xlabel("step")
    axl.set_ylabel("loss f(θ)")
    axl.set_title("loss per step")
    axl.legend(fontsize=8)
    axl.grid(alpha=0.3)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
