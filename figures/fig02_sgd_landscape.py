"""Figure 2 — a non-convex loss with several local minima; full-batch gradient descent stays in
the poor minimum it starts in, mini-batch SGD's noise lets it escape.

Loss (two parameters ``θ = (x, y)``), three Gaussian wells and a weak bowl::

    f(θ) = Σ_k −a_k exp(−|θ − m_k|² / (2 s_k²)) + 0.02 |θ|²

A "data set" of ``N`` points ``ξ_i ~ N(0, σ² I)``, centred so that ``Σ ξ_i = 0``, defines the
per-example loss ``ℓ_i(θ) = f(θ) + ξ_i · θ``; the training loss ``(1/N) Σ ℓ_i = f`` exactly,
and the gradient of a mini-batch ``B`` is ``∇f(θ) + mean_{i∈B} ξ_i`` — the true gradient plus
noise whose variance shrinks as ``σ²/|B|`` (without replacement, times ``(N−|B|)/(N−1)``).
Every path is driven by :class:`ann.optimizers.SGD`; the same learning rate and step count are
used for the full-batch and the mini-batch runs.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "sgd_landscape"
#: wells: centre (x, y), depth a, width s
WELLS = (((-1.6, 1.2), 0.9, 0.45),    # poor minimum (shallow, narrow): the start
         ((1.5, -0.8), 2.0, 0.9),     # the best minimum (deep, wide)
         ((-1.2, -1.6), 1.2, 0.6))    # a middling one
START = (-1.75, 1.35)
BOWL = 0.02


def loss(p: np.ndarray) -> np.ndarray:
    """``f`` at points ``p (M, 2)``."""
    p = np.atleast_2d(p)
    out = BOWL * (p ** 2).sum(axis=1)
    for (m, a, s) in WELLS:
        out = out - a * np.exp(-((p - m) ** 2).sum(axis=1) / (2 * s * s))
    return out


def grad(p: np.ndarray) -> np.ndarray:
    """``∇f`` at one point ``p (2,)``."""
    g = 2 * BOWL * p
    for (m, a, s) in WELLS:
        d = p - np.asarray(m)
        g = g + a * np.exp(-(d @ d) / (2 * s * s)) * d / (s * s)
    return g


def local_minima() -> np.ndarray:
    """The three minima, found by running full-batch gradient descent from each well centre."""
    from ann.optimizers import SGD

    out = []
    for (m, _, _) in WELLS:
        th, opt = np.array(m, float), SGD(lr=0.05)
        for _ in range(3000):
            opt.apply([th], [grad(th)])
        out.append(th.copy())
    return np.array(out)


def run_path(theta0, steps: int, lr: float, xi: np.ndarray | None, batch: int,
             rng: np.random.Generator) -> np.ndarray:
    """Positions ``(steps + 1, 2)`` of SGD from ``theta0``; ``xi=None`` is full-batch GD.
    One epoch = one pass over ``xi`` in a random order, in mini-batches of ``batch``. The
    learning rate is ``lr`` for the first half, then decays geometrically to ``lr/20`` (so
    that the noisy runs settle in the minimum they found)."""
    from ann.optimizers import SGD

    th, opt = np.array(theta0, float), SGD(lr=lr)
    path = [th.copy()]
    order = np.empty(0, int)
    half = steps // 2
    for k in range(steps):
        opt.lr = lr * (0.05 ** (max(0, k - half) / max(1, steps - half)))
        g = grad(th)
        if xi is not None:
            if len(order) < batch:
                order = np.concatenate([order, rng.permutation(len(xi))])
            idx, order = order[:batch], order[batch:]
            g = g + xi[idx].mean(axis=0)
        opt.apply([th], [g])
        path.append(th.copy())
    return np.array(path)


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    rng = np.random.default_rng(0) if rng is None else rng
    n_data, sigma, batch, lr = 1000, 10.0, 4, 0.05
    steps, n_runs = (1500, 16) if quick else (1500, 40)
    xi = rng.normal(0.0, sigma, (n_data, 2))
    xi -= xi.mean(axis=0)                     # the full-batch loss is exactly f
    minima = local_minima()
    gd = run_path(START, steps, lr, None, batch, rng)
    sgd = np.stack([run_path(START, steps, lr, xi, batch, rng) for _ in range(n_runs)])
    ends = sgd[:, -1]
    basin = np.argmin(((ends[:, None, :] - minima[None]) ** 2).sum(-1), axis=1)
    X, Y = np.meshgrid(np.linspace(-3.2, 3.2, 161), np.linspace(-3.2, 3.2, 161))
    Z = loss(np.stack([X.ravel(), Y.ravel()], 1)).reshape(X.shape)
    return {"X": X, "Y": Y, "Z": Z, "minima": minima, "minima_loss": loss(minima),
            "start": np.array(START), "gd_path": gd, "sgd_paths": sgd, "sgd_basin": basin,
            "lr": lr, "batch": batch, "sigma": sigma, "n_data": n_data,
            "gd_final_loss": float(loss(gd[-1])[0]),
            "sgd_final_loss": loss(ends)}


def draw(data):
    from matplotlib import patheffects

    from ._common import plt

    fig, (ax, axh) = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [1.2, 1]})
    cs = ax.contourf(data["X"], data["Y"], data["Z"], levels=30, cmap="viridis")
    fig.colorbar(cs, ax=ax, label="training loss f(θ)")
    best = int(np.argmin(data["minima_loss"]))
    for k, path in enumerate(data["sgd_paths"][:2]):
        ax.plot(path[:, 0], path[:, 1], color="w", lw=0.5, alpha=0.55,
                label=f"mini-batch SGD (|B| = {data['batch']})" if k == 0 else None)
    gd = data["gd_path"]
    ax.plot(gd[:, 0], gd[:, 1], color="C3", lw=2.5, label="full-batch GD")
    ax.plot(*data["start"], "o", color="C3", ms=7, mec="k", label="start")
    for k, m in enumerate(data["minima"]):
        ax.plot(*m, "*", ms=13, color="gold" if k == best else "0.9", mec="k", zorder=4)
        ax.annotate(str(k + 1), m, xytext=(8, 6), textcoords="offset points", color="k",
                    fontsize=11, fontweight="bold", zorder=5,
                    path_effects=[patheffects.withStroke(linewidth=3, foreground="w")])
    ax.set_xlabel("parameter θ₁")
    ax.set_ylabel("parameter θ₂")
    ax.set_title(f"same schedule (ε = {data['lr']}, then decay), {gd.shape[0] - 1} steps")
    ax.legend(loc="lower left", fontsize=7, facecolor="0.75", framealpha=0.9)
    ax.set_xlim(data["X"].min(), data["X"].max())
    ax.set_ylim(data["Y"].min(), data["Y"].max())
    ax.set_aspect("equal")
    n = len(data["sgd_basin"])
    counts = np.bincount(data["sgd_basin"], minlength=len(data["minima"]))
    labels = [f"minimum {k + 1}\nf = {v:.2f}" for k, v in enumerate(data["minima_loss"])]
    gd_basin = int(np.argmin(((data["minima"] - gd[-1]) ** 2).sum(1)))
    axh.bar(np.arange(len(counts)) - 0.2, 100 * counts / n, width=0.4, color="0.4",
            label=f"SGD ({n} runs)")
    axh.bar([gd_basin + 0.2], [100], width=0.4, color="C3", label="full-batch GD")
    axh.set_xticks(np.arange(len(counts)), labels)
    axh.set_ylabel("runs ending there (%)")
    axh.set_title("where the runs end (start: minimum 1)")
    axh.set_ylim(0, 110)
    axh.legend()
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
