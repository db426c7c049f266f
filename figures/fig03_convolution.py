"""Figure 3 — image convolution with :func:`ann.convolution.conv2d` and max-pooling with
:func:`ann.pooling.max_pool2d`.

Top: one MNIST digit under four kernels (a Sobel edge detector, a Gaussian blur, a sharpening
kernel and a Gabor kernel from :func:`neurosim.visual.gabor.gabor_kernel`), each applied with
``"same"`` padding. Bottom: a worked example on a 6×6 grid of integers — the 3×3 cross-correlation
``y[i, j] = Σ_{a,b} x[i+a, j+b] · w[a, b]`` ("valid", 4×4 out) and 2×2 max-pooling (2×2 out),
with every number shown and the first sum written out.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "convolution"


def kernels() -> dict[str, np.ndarray]:
    """The four 2-D kernels of the top row."""
    from neurosim.visual.gabor import gabor_kernel

    g = np.exp(-(np.arange(-2, 3) ** 2) / 2.0)
    blur = np.outer(g, g)
    return {"edge (Sobel x)": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float),
            "blur (Gaussian, σ = 1 px)": blur / blur.sum(),
            "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),
            "Gabor (λ = 6 px, 45°)": gabor_kernel(6.0, 45.0, 0.0)}


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ann.convolution import conv2d
    from ann.pooling import max_pool2d

    from ._common import mnist

    rng = np.random.default_rng(0) if rng is None else rng
    m = mnist()
    image = m.x_test[0].astype(np.float64) / 255.0          # a 7
    x = image[None, :, :, None]
    filtered = {name: conv2d(x, k[:, :, None, None], padding="same")[0, :, :, 0]
                for name, k in kernels().items()}
    grid = rng.integers(0, 10, (6, 6)).astype(np.float64)
    w = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], np.float64)
    conv = conv2d(grid[None, :, :, None], w[:, :, None, None])[0, :, :, 0]
    pool = max_pool2d(conv[None, :, :, None], 2)[0, :, :, 0]
    return {"image": image, "label": int(m.y_test[0]), "filtered": filtered,
            "kernels": kernels(), "grid": grid, "w": w, "conv": conv, "pool": pool}


def _table(ax, a, title, highlight=None, color="C0", fmt="{:.0f}"):
    from matplotlib.patches import Rectangle

    ax.imshow(np.zeros_like(a), cmap="Greys", vmin=0, vmax=1)
    for (i, j), v in np.ndenumerate(a):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9)
    n, m = a.shape
    ax.hlines(np.arange(-0.5, n), -0.5, m - 0.5, color="0.5", lw=0.8)
    ax.vlines(np.arange(-0.5, m), -0.5, n - 0.5, color="0.5", lw=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    if highlight is not None:
        (i, j), h, w = highlight
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), w, h, fill=False, ec=color, lw=2.5))
    ax.set_xlim(-0.5 - (6 - m) / 2, m - 0.5 + (6 - m) / 2)   # every table at one cell size
    ax.set_ylim(n - 0.5 + (6 - n) / 2, -0.5 - (6 - n) / 2)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(title, fontsize=9)


def draw(data):
    from ._common import plt

    fig = plt.figure(figsize=(13, 6.2))
    gs = fig.add_gridspec(2, 5, height_ratios=[1, 1.05], hspace=0.3, wspace=0.45)
    ax = fig.add_subplot(gs[0, 0])
    ax.imshow(data["image"], cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"input: MNIST test digit ({data['label']})")
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    for k, (name, img) in enumerate(data["filtered"].items()):
        ax = fig.add_subplot(gs[0, k + 1])
        lim = float(np.abs(img).max()) or 1.0
        im = ax.imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(name)
        ax.set_xlabel("x (pixels)")
        ax.tick_params(labelleft=False)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
        kern = data["kernels"][name]
        ins = ax.inset_axes([0.0, 0.0, 0.28, 0.28])
        kl = float(np.abs(kern).max())
        ins.imshow(kern, cmap="RdBu_r", vmin=-kl, vmax=kl)
        ins.set_xticks([])
        ins.set_yticks([])
        for s in ins.spines.values():
            s.set_color("k")
    g, w, c, p = data["grid"], data["w"], data["conv"], data["pool"]
    _table(fig.add_subplot(gs[1, 0]), g, "input x (6×6)", ((0, 0), 3, 3))
    _table(fig.add_subplot(gs[1, 1]), w, "kernel w (3×3)", ((0, 0), 3, 3), "C1")
    _table(fig.add_subplot(gs[1, 2]), c, "y = x ⋆ w (4×4, valid)", ((0, 0), 1, 1))
    ip, jp = np.unravel_index(np.argmax(c[:2, :2]), (2, 2))
    _table(fig.add_subplot(gs[1, 3]), p, "2×2 max-pool (2×2)", ((0, 0), 1, 1), "C2")
    ax = fig.add_subplot(gs[1, 4])
    ax.axis("off")
    rows = [" + ".join(f"{g[a, b]:.0f}·({w[a, b]:.0f})" for b in range(3) if w[a, b] != 0)
            for a in range(3)]
    text = ("y[0,0] = Σ_ab x[a,b]·w[a,b]\n  =   " + "\n    + ".join(rows)
            + f"\n  = {c[0, 0]:.0f}\n\n"
        f"max-pool[0,0] = max(y[0:2, 0:2])\n  = max({c[0, 0]:.0f}, {c[0, 1]:.0f}, "
        f"{c[1, 0]:.0f}, {c[1, 1]:.0f})\n  = {p[0, 0]:.0f}  (at y[{ip},{jp}])")
    ax.text(0.0, 0.95, text, va="top", ha="left", family="monospace", fontsize=8.5,
            transform=ax.transAxes)
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
