"""Raster + population-rate figure of ``neurosim network`` (matplotlib, Agg backend).

Written atomically (:func:`common.fileio.atomic_path`): a temporary file in the target's folder,
then ``os.replace``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from common.fileio import atomic_path

from .analysis import population_rate
from .result import NetworkResult

__all__ = ["plot_raster", "RASTER_NEURONS"]

#: neurons drawn per population in the raster (the first ones: indices are random anyway)
RASTER_NEURONS = 100


def plot_raster(result: NetworkResult, path, title: str = "", bin_ms: float = 1.0) -> None:
    """Raster of the first :data:`RASTER_NEURONS` neurons of each population (stacked) and
    every population's rate in ``bin_ms`` bins, over the measured window."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurosim.neuron.cli_plots import check_plot_path

    path = Path(path)
    fmt = check_plot_path(path)
    colors = ["tab:blue", "tab:red", "tab:green", "tab:purple"]
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(8, 5), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
    offset = 0
    for k, pop in enumerate(result.spikes):
        t, i = result.spikes[pop]
        shown = min(RASTER_NEURONS, result.sizes[pop])
        keep = np.asarray(i) < shown
        c = colors[k % len(colors)]
        ax.plot(np.asarray(t)[keep], np.asarray(i)[keep] + offset, ".", ms=1.5, color=c,
                label=pop)
        offset += shown
        tr, rate = population_rate(result, pop, bin_ms)
        axr.plot(tr, rate, color=c, lw=0.8, label=pop)
    ax.set_ylabel("neuron")
    ax.set_xlim(result.t_start_ms, result.t_stop_ms)
    ax.legend(loc="upper right", fontsize=7, markerscale=5)
    if title:
        ax.set_title(title, fontsize=9)
    axr.set_xlabel("time (ms)")
    axr.set_ylabel(f"rate (Hz, {bin_ms:g} ms bins)", fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=120)
    plt.close(fig)
