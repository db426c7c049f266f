"""Figure 9 — batch normalization (Ioffe & Szegedy 2015, their MNIST experiment): a
784 → 100 → 100 → 100 → 10 sigmoid MLP trained with plain SGD, with and without BatchNorm before
each sigmoid (:func:`ann.spec.mlp_spec` with ``batch_norm=True``: Dense without bias →
BatchNorm → sigmoid).

Left: the distribution of the input to one sigmoid of the last hidden layer over a fixed batch
of validation images, as its 15th, 50th and 85th percentiles along training (in training mode,
i.e. with the batch's own statistics for the BN network — what the next layer sees during
training). Without BN it drifts; with BN it stays put. Right: validation accuracy per epoch —
the BN network trains faster at the same learning rate.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "batchnorm"
LR = 0.5
UNIT = 0


def last_hidden_input(net, x: np.ndarray) -> np.ndarray:
    """Input ``(N, units)`` to the last hidden layer's sigmoid for images ``x``; BatchNorm uses
    the statistics of ``x`` itself (training-mode normalisation) without touching its running
    averages."""
    from ann.layers.batchnorm import BatchNorm
    from ann.layers.dense import Dense

    dense_idx = [i for i, lay in enumerate(net.layers) if isinstance(lay, Dense)]
    last_hidden = dense_idx[-2]
    h = net.check_input(x)
    for lay in net.layers[:last_hidden]:
        h = lay.forward(h, training=False)
    u = net.layers[last_hidden].forward(h, training=False, activate=False)
    nxt = net.layers[last_hidden + 1]
    if isinstance(nxt, BatchNorm):
        g, b = nxt.params["gamma"], nxt.params["beta"]
        u = g * (u - u.mean(0)) / np.sqrt(u.var(0) + nxt.eps) + b
    return u


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ann.optimizers import SGD
    from ann.spec import mlp_spec

    from ._training import subset, train_with_curves

    rng = np.random.default_rng(0) if rng is None else rng
    n_train, n_val, epochs, every = (3000, 2000, 3, 10) if quick else (20000, 5000, 6, 50)
    data = subset(n_train, n_val, rng)
    probe = data[2][:500]
    seed = int(rng.integers(2 ** 31))
    out = {"n_train": n_train, "epochs": epochs, "lr": LR, "unit": UNIT, "batch": 60}
    for key, bn in (("plain", False), ("bn", True)):
        steps, pct, count = [], [], [0]

        def on_batch(net, ev, steps=steps, pct=pct, count=count):
            count[0] += 1                       # fit runs one epoch at a time: count here
            k = count[0]
            if k % every == 0:
                u = last_hidden_input(net, probe)[:, UNIT]
                steps.append(k)
                pct.append(np.percentile(u, [15, 50, 85]))

        spec = mlp_spec(hidden=(100, 100, 100), activation="sigmoid", dropout=0.0, batch_norm=bn)
        net, curves = train_with_curves(spec, data, SGD(lr=LR), epochs, 60,
                                        np.random.default_rng(seed), on_batch)
        out[key] = curves
        out[f"{key}_steps"] = np.array(steps)
        out[f"{key}_percentiles"] = np.array(pct)
        out[f"{key}_final_input"] = last_hidden_input(net, probe)
    return out


def draw(data):
    from ._common import plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.0))
    for ax, key, title in ((axes[0], "plain", "without BN"), (axes[1], "bn", "with BN")):
        s, p = data[f"{key}_steps"], data[f"{key}_percentiles"]
        ax.fill_between(s, p[:, 0], p[:, 2], color="C0" if key == "bn" else "C3", alpha=0.25,
                        label="15th–85th percentile")
        ax.plot(s, p[:, 1], color="C0" if key == "bn" else "C3", lw=1.5, label="median")
        ax.set_xlabel("training step (mini-batch of 60)")
        ax.set_title(f"{title}: input to sigmoid #{data['unit']} of hidden layer 3", fontsize=9)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("pre-activation u (dimensionless)")
    lo = min(axes[0].get_ylim()[0], axes[1].get_ylim()[0])
    hi = max(axes[0].get_ylim()[1], axes[1].get_ylim()[1])
    for ax in axes[:2]:
        ax.set_ylim(lo, hi)
    ax = axes[2]
    ep = np.arange(data["epochs"] + 1)
    ax.plot(ep, 100 * data["plain"]["val_acc"], "-o", color="C3", ms=4, label="without BN")
    ax.plot(ep, 100 * data["bn"]["val_acc"], "-o", color="C0", ms=4, label="with BN")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_xticks(ep)
    ax.set_title(f"3×100 sigmoid MLP, SGD ε = {data['lr']}, {data['n_train']:,} images",
                 fontsize=9)
    ax.set_ylim(0, 100)
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
