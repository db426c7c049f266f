"""Figure 8 — dropout: training and validation curves of the same MLP trained with and without
dropout (real trainings with :func:`ann.training.fit`).

A wide MLP (``784 → 512 → 512 → 10``, ReLU; :func:`ann.spec.mlp_spec`) is trained with Adam on a
small random subset of MNIST, so that it can memorise it; validation uses test images. Both
networks start from the same seed and see the same batches. Without dropout the training loss
goes towards zero while the validation loss turns up (overfitting); with dropout (inverted
dropout, :class:`ann.layers.Dropout`, as Srivastava et al. 2014, JMLR 15:1929: rate 0.2 on the
input pixels and 0.5 after each hidden layer) the gap between the two stays smaller. Losses and
accuracies are measured in inference mode on both sets after every epoch.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "dropout"
RATE = 0.5
INPUT_RATE = 0.2


def dropout_spec(hidden_rate: float, input_rate: float):
    """:func:`ann.spec.mlp_spec` 512-512 ReLU with dropout ``hidden_rate`` after each hidden
    layer and ``input_rate`` on the flattened input (none when 0)."""
    from ann.spec import LayerSpec, ModelSpec, mlp_spec

    s = mlp_spec(hidden=(512, 512), activation="relu", dropout=hidden_rate)
    if not input_rate:
        return s
    layers = (s.layers[0], LayerSpec("Dropout", {"rate": input_rate})) + tuple(s.layers[1:])
    return ModelSpec(s.input_shape, layers, name=s.name)


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ann.optimizers import Adam

    from ._training import subset, train_with_curves

    rng = np.random.default_rng(0) if rng is None else rng
    n_train, n_val, epochs = (1000, 2000, 12) if quick else (3000, 5000, 30)
    data = subset(n_train, n_val, rng)
    seed = int(rng.integers(2 ** 31))
    out = {"n_train": n_train, "n_val": n_val, "epochs": epochs, "rate": RATE,
           "input_rate": INPUT_RATE}
    for key, rate, rate_in in (("plain", 0.0, 0.0), ("dropout", RATE, INPUT_RATE)):
        spec = dropout_spec(rate, rate_in)
        _, curves = train_with_curves(spec, data, Adam(lr=1e-3), epochs, 50,
                                      np.random.default_rng(seed))
        out[key] = curves
        out[f"{key}_gap"] = float(curves["val_loss"][-1] - curves["train_loss"][-1])
    return out


def draw(data):
    from ._common import plt

    fig, (axl, axa) = plt.subplots(1, 2, figsize=(11, 4.2))
    ep = np.arange(data["epochs"] + 1)
    for key, color, label in (("plain", "C3", "no dropout"),
                              ("dropout", "C0",
                               f"dropout {data['input_rate']}/{data['rate']}")):
        c = data[key]
        axl.plot(ep, c["train_loss"], "--", color=color, label=f"{label}: training")
        axl.plot(ep, c["val_loss"], "-", color=color, label=f"{label}: validation")
        axa.plot(ep, 100 * c["train_acc"], "--", color=color, label=f"{label}: training")
        axa.plot(ep, 100 * c["val_acc"], "-", color=color, label=f"{label}: validation")
    axl.set_yscale("log")
    axl.set_ylabel("cross-entropy loss (nats per image)")
    axl.set_title(f"validation − training loss at the end: {data['plain_gap']:.2f} without, "
                  f"{data['dropout_gap']:.2f} with dropout")
    axa.set_ylabel("accuracy (%)")
    axa.set_ylim(max(0, 100 * min(data["plain"]["val_acc"][1], data["dropout"]["val_acc"][1]) - 5),
                 100.5)
    axa.set_title(f"MLP 512-512 ReLU, Adam, {data['n_train']:,} training images")
    for ax in (axl, axa):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
