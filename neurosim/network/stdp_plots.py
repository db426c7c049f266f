"""Figures of the STDP protocols (matplotlib Agg, atomic writes): the learning window against
its closed form, and Song et al.'s weight histogram. Used by :mod:`.stdp_cli` only."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_window", "plot_song"]


def _save(fig, path) -> None:
    from common.fileio import atomic_path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".").lower(), dpi=120)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_window(r, path) -> None:
    """Per-pairing change against Δt (dots) and ±A± exp(−|Δt|/τ±) (line)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    from .plasticity import window

    for lo, hi in ((min(r.dt_ms.min(), -1e-3), -1e-3), (1e-3, max(r.dt_ms.max(), 1e-3))):
        fine = np.linspace(lo, hi, 400)
        ax.plot(fine, window(r.stdp, fine), "k-", lw=1,
                label="A± exp(-|Δt|/τ±)" if lo > 0 else None)
    ax.plot(r.dt_ms, r.per_pair, "o", ms=4, color="tab:red", label=f"{r.engine}, "
            f"{r.n_pairs} pairings at {r.frequency_hz:g} Hz")
    ax.axhline(0, color="0.7", lw=0.5)
    ax.axvline(0, color="0.7", lw=0.5)
    ax.set(xlabel="Δt = t_post - t_pre (ms)", ylabel="Δw per pairing / f(w)",
           title="STDP learning window (Bi & Poo 1998; Song et al. 2000)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def plot_song(r, path) -> None:
    """Histogram of the final weights (units of w_max)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(r.w_final, bins=25, range=(0, 1), color="tab:blue")
    ax.axvline(float(np.mean(r.w_initial)), color="k", ls="--", lw=1, label="initial")
    ax.set(xlabel="w / w_max", ylabel="synapses",
           title=f"Song et al. 2000: {r.rule} STDP after {r.duration_s:g} s ({r.engine})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
