"""Figure 10 — neuron morphologies: the multi-compartment shapes of
:mod:`neurosim.neuron.morphology` (pyramidal, bipolar, pseudo-unipolar, multipolar).

Each shape is drawn from :func:`neurosim.neuron.morphology.segments`, the same branch tree that
:func:`~neurosim.neuron.morphology.build_morphology` turns into the Brian2 ``SpatialNeuron``
that ``neurosim morphology`` simulates, so what is drawn is what is simulated. Line widths grow
with the process diameter (not to scale); lengths are to scale (bar: 100 µm). The panel titles
give the compartment count and the total dendritic and axonal length of each tree.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "morphology"
SHAPES = ("pyramidal", "bipolar", "pseudo-unipolar", "multipolar")


def _walk(branches):
    for b in branches:
        yield b
        yield from _walk(b.children)


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from neurosim.neuron.morphology import segments, shape

    out = {}
    for name in SHAPES:
        sh = shape(name)
        branches = list(_walk(sh.branches))
        out[name] = {
            "segments": segments(sh), "description": sh.description,
            "soma_diameter": sh.soma_diameter,
            "compartments": sum(b.n for b in branches) + (1 if sh.soma_diameter > 0 else 0),
            "dendrite_um": float(sum(b.length for b in branches if b.kind == "dendrite")),
            "axon_um": float(sum(b.length for b in branches if b.kind == "axon"))}
    return {"shapes": out, "order": SHAPES}


def draw(data):
    from matplotlib.patches import Circle

    from ._common import plt

    fig, axes = plt.subplots(1, 4, figsize=(14, 5.2))
    colors = {"dendrite": "tab:blue", "axon": "tab:red"}
    for ax, name in zip(axes, data["order"]):
        d = data["shapes"][name]
        xs, ys = [], []
        for s in d["segments"]:
            if s["kind"] == "soma":
                ax.add_patch(Circle((s["x"], s["y"]), s["diameter"] / 2, color="k", zorder=3))
                continue
            ax.plot([s["x0"], s["x1"]], [s["y0"], s["y1"]], color=colors[s["kind"]],
                    lw=0.8 + 1.0 * s["diameter"], solid_capstyle="round")
            xs += [s["x0"], s["x1"]]
            ys += [s["y0"], s["y1"]]
        ax.set_aspect("equal")
        pad = 60
        x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.plot([x0 + 20, x0 + 120], [y0 + 25, y0 + 25], "k", lw=2)
        ax.text(x0 + 70, y0 + 35, "100 µm", ha="center", va="bottom", fontsize=8)
        ax.set_title(f"{name}\n{d['compartments']} compartments; dendrites "
                     f"{d['dendrite_um']:.0f} µm, axon {d['axon_um']:.0f} µm", fontsize=9)
        ax.axis("off")
    axes[0].plot([], [], color="tab:blue", lw=2, label="dendrite")
    axes[0].plot([], [], color="tab:red", lw=2, label="axon")
    axes[0].plot([], [], "ko", label="soma")
    fig.legend(loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.suptitle("neurosim.neuron.morphology shapes (Kandel et al., Fig. 2-4 classes)",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
