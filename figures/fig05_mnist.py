"""Figure 5 — MNIST training samples, one row per class, with the class counts of the training
set (data: :func:`ann.data.load_mnist`, the verified local copy). The samples of each row are
drawn at random (``rng``) among the training images of that class."""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "mnist"


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from ._common import mnist

    rng = np.random.default_rng(0) if rng is None else rng
    m = mnist()
    per_class = 10 if quick else 12
    idx = np.stack([np.sort(rng.choice(np.flatnonzero(m.y_train == c), per_class, replace=False))
                    for c in range(10)])
    return {"indices": idx, "images": m.x_train[idx], "labels": m.y_train[idx],
            "counts": np.bincount(m.y_train, minlength=10), "n_train": len(m.y_train)}


def draw(data):
    from ._common import plt

    imgs = data["images"]
    rows, cols = imgs.shape[:2]
    fig, ax = plt.subplots(figsize=(8, 7.2))
    mosaic = np.zeros((rows * 30, cols * 30))           # white separators
    for r in range(rows):
        for c in range(cols):
            mosaic[r * 30 + 1:r * 30 + 29, c * 30 + 1:c * 30 + 29] = imgs[r, c]
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=255)
    counts = data["counts"]
    ax.set_yticks(np.arange(rows) * 30 + 15,
                  [f"{k}  ({counts[k]:,} images)" for k in range(rows)])
    ax.set_xticks([])
    ax.set_ylabel("class label (training images of that class)")
    ax.set_title(f"MNIST: {cols} random training images per class, 28×28 pixels each "
                 f"(N = {data['n_train']:,})")
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
