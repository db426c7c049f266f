"""The bridge's figure: SNN accuracy vs time step against the ANN, and firing rate vs ANN
activation per layer. Used by ``neurosim convert --plot`` and ``figures/``; the simulation code
never plots."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from common.fileio import atomic_path

__all__ = ["plot_report", "save_figure"]


def plot_report(report: dict, samples: list | None = None):
    """A matplotlib Figure from :func:`bridge.report.build_report`'s dict and the
    ``(activation, rate)`` samples of :class:`~bridge.simulate.SimulationResult`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    panels = 2 if samples else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.0), squeeze=False)
    ax = axes[0, 0]
    acc = 100 * np.asarray(report["accuracy_per_step"])
    t = np.arange(1, len(acc) + 1)
    ann = 100 * report["ann_accuracy"]
    ax.plot(t, acc, color="C0", label=f"SNN ({report['encoding']} input)")
    if "accuracy_per_step_std" in report:
        sd = 100 * np.asarray(report["accuracy_per_step_std"])
        ax.fill_between(t, acc - sd, acc + sd, color="C0", alpha=0.25, lw=0,
                        label=f"± s.d. over {len(report.get('seeds', []))} seeds")
    ax.axhline(ann, color="k", ls="--", lw=1, label=f"ANN {ann:.2f} %")
    ax.axhline(0.99 * ann, color="0.5", ls=":", lw=1, label="99 % of ANN")
    first = report.get("first_step_99pct")
    if first:
        ax.plot([first], [acc[first - 1]], "o", color="C3", label=f"reached at t = {first}")
    ax.set_xlabel("time step t")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(max(0, min(acc.min(), ann) - 5), 100)
    ax.set_xlim(1, len(acc))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))     # steps are whole: no 1.5, 2.5
    ax.set_title(f"SNN vs ANN on {report['n_test']} MNIST test images", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    if samples:
        ax = axes[0, 1]
        for k, ((a, r), layer) in enumerate(zip(samples, report["layers"])):
            pearson = layer["pearson_r"]
            r_text = "undefined" if pearson is None else f"{pearson:.3f}"
            ax.scatter(a, r, s=4, alpha=0.4, color=f"C{k}",
                       label=f"{layer['name']} (r = {r_text})")
        hi = max(1.0, max(float(np.max(a)) for a, _ in samples))
        # the ideal rate: min(a/λ, 1) (at most one spike per step)
        ax.plot([0, 1, max(hi, 1)], [0, 1, 1], color="k", lw=0.8, label="ideal min(a/λ, 1)")
        ax.set_xlabel("ANN activation a / λ (normalised)")
        ax.set_ylabel("SNN firing rate (spikes per step)")
        ax.set_title(f"rate vs activation after T = {report['timesteps']} steps", fontsize=10)
        ax.legend(fontsize=7, markerscale=3, loc="upper left")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save ``fig`` atomically (:func:`common.fileio.atomic_path`); the format follows the
    suffix (``.png``, ``.svg``, ``.pdf``)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=150)
    return path
