"""Figure 4 — LeNet-5 drawn from its specification.

Every box is one layer of :func:`ann.spec.lenet5_spec`; its output shape comes from
:func:`ann.spec.output_shapes` and its trainable-parameter count from the weights of a
:class:`ann.network.Network` built from the same spec (so the drawing cannot disagree with the
model that is trained). Box heights grow with the logarithm of the layer's size.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "lenet"
COLORS = {"Input": "0.85", "Conv2D": "#8ecae6", "MaxPool2D": "#ffb703", "AvgPool2D": "#ffb703",
          "Flatten": "#d9d9d9", "Dense": "#90be6d", "Dropout": "#f4a261", "BatchNorm": "#cdb4db",
          "Activation": "#e5e5e5"}


def _describe(lay) -> str:
    p = lay.params
    if lay.type == "Conv2D":
        return (f"Conv {p['filters']}@{p['kernel_size']}×{p['kernel_size']}\n"
                f"{p['padding']}, {p['activation']}")
    if lay.type in ("MaxPool2D", "AvgPool2D"):
        return f"{lay.type[:-2]} {p['pool_size']}×{p['pool_size']}"
    if lay.type == "Dense":
        return f"Dense {p['units']}\n{p['activation']}"
    return lay.type


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ann.network import Network
    from ann.spec import lenet5_spec, output_shapes

    rng = np.random.default_rng(0) if rng is None else rng
    spec = lenet5_spec()
    shapes = output_shapes(spec)
    net = Network.from_spec(spec, rng)
    params = [int(sum(a.size for a in w.values())) for w in net.get_weights()]
    layers = [{"type": "Input", "label": "input", "shape": tuple(spec.input_shape), "params": 0}]
    for lay, shp, n in zip(spec.layers, shapes, params):
        layers.append({"type": lay.type, "label": _describe(lay), "shape": tuple(shp),
                       "params": n})
    return {"name": spec.name, "layers": layers, "total_params": net.count_params()}


def draw(data):
    from matplotlib.patches import FancyBboxPatch

    from ._common import plt

    layers = data["layers"]
    fig, ax = plt.subplots(figsize=(14, 3.6))
    x = 0.0
    width, gap = 1.55, 0.3
    for k, lay in enumerate(layers):
        size = int(np.prod(lay["shape"]))
        h = 0.6 + 0.35 * np.log10(size)
        ax.add_patch(FancyBboxPatch((x, -h / 2), width, h,
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    fc=COLORS.get(lay["type"], "0.9"), ec="k", lw=1))
        ax.text(x + width / 2, 0.12, lay["label"], ha="center", va="center", fontsize=8)
        shape = "×".join(str(d) for d in lay["shape"])
        ax.text(x + width / 2, -0.32, shape, ha="center", va="center", fontsize=8.5,
                fontweight="bold")
        ax.text(x + width / 2, -h / 2 - 0.18, f"{lay['params']:,} params" if lay["params"] else "",
                ha="center", va="top", fontsize=7.5, color="0.3")
        if k + 1 < len(layers):
            ax.annotate("", (x + width + gap, 0), (x + width, 0),
                        arrowprops={"arrowstyle": "->", "lw": 1.2})
        x += width + gap
    ax.set_xlim(-0.2, x)
    ax.set_ylim(-1.9, 1.6)
    ax.axis("off")
    ax.set_title(f"LeNet-5 as built by ann.spec.lenet5_spec(): output shape (H×W×C or units) "
                 f"after each layer; {data['total_params']:,} trainable parameters",
                 fontsize=10)
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
