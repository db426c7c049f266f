"""Figure 7 — gradient clipping on a loss with a cliff (after Goodfellow, Bengio & Courville,
*Deep Learning*, fig. 10.17; Pascanu et al. 2013).

Loss over ``θ = (θ₁, θ₂)``: a gentle bowl centred at ``c = (3, 0)`` plus a step of height ``H``
along ``θ₁ = 0`` whose edge is only ``s`` wide::

    f(θ) = 0.05 |θ − c|² + H σ(−θ₁ / s),     σ the logistic function

Starting on the high plateau (``θ₁ < 0``), gradient descent walks towards the edge; there the
gradient is of order ``H/(4s)`` and one unclipped step (:class:`ann.optimizers.SGD`) throws the
parameters far across the landscape. With ``clip_norm = c``
(``g ← g · c / max(‖g‖, c)``, the same optimizer with ``clip_norm`` set) no step is longer than
``ε c``, so it steps down the cliff and continues to the minimum.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "clipping"
CENTRE = np.array([3.0, 0.0])
H, S = 20.0, 0.2
BOWL = 0.05
START = (-2.5, 1.5)
LR, CLIP = 0.5, 1.0


def _sig(z):
    return 0.5 * (1 + np.tanh(z / 2))


def loss(p: np.ndarray) -> np.ndarray:
    p = np.atleast_2d(p)
    return BOWL * ((p - CENTRE) ** 2).sum(1) + H * _sig(-p[:, 0] / S)


def grad(p: np.ndarray) -> np.ndarray:
    s = _sig(-p[0] / S)
    return 2 * BOWL * (p - CENTRE) + np.array([-H * s * (1 - s) / S, 0.0])


def descend(clip_norm, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(steps + 1, 2)`` and gradient norms ``(steps,)`` (before clipping)."""
    from ann.optimizers import SGD

    th, opt = np.array(START, float), SGD(lr=LR, clip_norm=clip_norm)
    path, norms = [th.copy()], []
    for _ in range(steps):
        g = grad(th)
        norms.append(float(np.linalg.norm(g)))
        opt.apply([th], [g])
        path.append(th.copy())
    return np.array(path), np.array(norms)


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    steps = 60
    plain, g_plain = descend(None, steps)
    clipped, g_clip = descend(CLIP, steps)
    X, Y = np.meshgrid(np.linspace(-4, 14, 361), np.linspace(-4, 4, 161))
    Z = loss(np.stack([X.ravel(), Y.ravel()], 1)).reshape(X.shape)
    step = lambda p: np.linalg.norm(np.diff(p, axis=0), axis=1)  # noqa: E731
    return {"X": X, "Y": Y, "Z": Z, "plain_path": plain, "clipped_path": clipped,
            "plain_steps": step(plain), "clipped_steps": step(clipped),
            "plain_grad_norm": g_plain, "clipped_grad_norm": g_clip,
            "plain_loss": loss(plain), "clipped_loss": loss(clipped),
            "lr": LR, "clip_norm": CLIP, "max_grad_norm": float(H / (4 * S))}


def draw(data):
    from ._common import plt

    fig, (ax, axs) = plt.subplots(1, 2, figsize=(12.5, 4.4), gridspec_kw={"width_ratios": [1.5, 1]})
    cs = ax.contourf(data["X"], data["Y"], data["Z"], levels=30, cmap="cividis")
    fig.colorbar(cs, ax=ax, label="loss f(θ)")
    ax.axvline(0, color="w", ls=":", lw=0.8)
    ax.text(0.1, 3.6, "cliff", color="w", fontsize=9)
    xl, yl = (data["X"].min(), data["X"].max()), (data["Y"].min(), data["Y"].max())
    for key, color, label in (("plain_path", "C3", "no clipping"),
                              ("clipped_path", "w", f"clip_norm = {data['clip_norm']}")):
        p = data[key]
        ax.plot(p[:, 0], p[:, 1], "-o", color=color, ms=3, lw=1.3, label=label)
    far = data["plain_path"][np.argmax(data["plain_steps"]) + 1]
    if not (xl[0] <= far[0] <= xl[1] and yl[0] <= far[1] <= yl[1]):
        ax.annotate(f"unclipped step lands at\nθ = ({far[0]:.0f}, {far[1]:.1f}), off the map",
                    (xl[1], 0.5), xytext=(3.0, 2.6), color="C3", fontsize=8,
                    arrowprops={"arrowstyle": "->", "color": "C3"})
    ax.plot(*CENTRE, "w*", ms=12)
    ax.set_xlim(*xl)
    ax.set_ylim(*yl)
    ax.set_xlabel("parameter θ₁")
    ax.set_ylabel("parameter θ₂")
    ax.set_title(f"gradient descent from the plateau, ε = {data['lr']}")
    ax.legend(loc="lower left", fontsize=8, facecolor="0.7")
    k = np.arange(1, len(data["plain_steps"]) + 1)
    axs.semilogy(k, data["plain_steps"], "-o", ms=2.5, color="C3", label="no clipping")
    axs.semilogy(k, data["clipped_steps"], "-o", ms=2.5, color="k", label="clipped")
    axs.axhline(data["lr"] * data["clip_norm"], color="0.5", ls=":",
                label=f"bound ε·c = {data['lr'] * data['clip_norm']:g}")
    axs.set_xlabel("step")
    axs.set_ylabel("step length ‖Δθ‖")
    axs.set_title("length of each update")
    axs.legend(fontsize=8)
    axs.grid(alpha=0.3)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
