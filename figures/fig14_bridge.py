"""Figure 14 — the bridge: a small LeNet-5 trained with :mod:`ann`, converted to rate-coded
integrate-and-fire neurons by :func:`bridge.convert.convert` (data-based normalisation,
reset by subtraction) and simulated by :func:`bridge.simulate.simulate`, all through
:func:`bridge.evaluate.evaluate`; drawn by :func:`bridge.plot.plot_report`.

Left: test accuracy of the spiking network after each time step (constant input current, the
output layer's membrane potential read out) against the ANN's accuracy on the same images (the
dashed line) — the SNN approaches it as spikes accumulate. Right: each spiking neuron's firing
rate (spikes per step) against its ANN activation divided by the layer's scale λ, per layer —
points on the diagonal ``min(a/λ, 1)`` are neurons whose rate codes their activation exactly.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "bridge"


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ann.optimizers import Adam
    from ann.spec import lenet5_spec

    from bridge.evaluate import EvalConfig, evaluate

    from ._common import mnist
    from ._training import subset, train_with_curves

    rng = np.random.default_rng(0) if rng is None else rng
    n_train, epochs, n_test, T = (4000, 1, 500, 48) if quick else (20000, 2, 2000, 64)
    data = subset(n_train, 1000, rng)
    net, curves = train_with_curves(lenet5_spec(), data, Adam(lr=2e-3), epochs, 32, rng)
    cfg = EvalConfig(timesteps=T, n_test=n_test, norm_samples=2000, batch_size=250,
                     seed=int(rng.integers(2 ** 31)), workers=1 if quick else 2)
    ev = evaluate(net, mnist(), cfg)
    return {"report": ev.report, "samples": ev.samples, "n_train": n_train, "epochs": epochs,
            "train_val_acc": float(curves["val_acc"][-1])}


def draw(data):
    from bridge.plot import plot_report

    fig = plot_report(data["report"], data["samples"])
    fig.suptitle(f"LeNet-5 trained with ann on {data['n_train']:,} images "
                 f"({data['epochs']} epoch{'s' if data['epochs'] > 1 else ''}), converted "
                 "to integrate-and-fire neurons", fontsize=10)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
