"""Matplotlib figures of the ``neuron``, ``fi`` and ``morphology`` subcommands (Agg backend).

Files are written atomically: a temporary file in the same folder, then ``os.replace``
(:func:`common.fileio.atomic_path`).
"""

from __future__ import annotations

from pathlib import Path

from common.fileio import atomic_path

__all__ = ["plot_trace", "plot_fi", "plot_morphology", "check_plot_path"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check_plot_path(path) -> str:
    """Validate a ``--plot`` file name before any simulation; return the format."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"--plot {path}: folder {path.parent} does not exist")
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"--plot {path}: use a .png, .pdf or .svg file name")
    return fmt


def _write_figure(fig, path: Path) -> None:
    path = Path(path)
    fmt = check_plot_path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=120)


def plot_trace(res, phases, names, summary, path):
    import numpy as np

    plt = _pyplot()

    fig, (ax, axi) = plt.subplots(2, 1, figsize=(8, 5), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
    t, v = res.t_ms, res.v_mV[0]
    if phases is None:
        ax.plot(t, v, color="k", lw=1)
    else:
        colors = ["0.5", "tab:orange", "tab:red", "tab:purple", "tab:blue", "tab:green"]
        for k, name in enumerate(names):
            vk = np.where(phases == k, v, np.nan)
            ax.plot(t, vk, color=colors[k], lw=1.2, label=name)
        ax.legend(fontsize=7, ncol=3, loc="upper right")
    ax.axhline(summary["rest_mV"], color="0.7", ls=":", lw=0.8)
    ax.set_ylabel("V (mV)")
    ax.set_title(f"{res.model}: {summary['n_spikes']} spikes, {summary['rate_hz']:.1f} Hz")
    axi.plot(t, res.current[0], color="tab:blue", lw=1)
    axi.set_ylabel(f"I ({res.current_unit})")
    axi.set_xlabel("t (ms)")
    fig.tight_layout()
    try:
        _write_figure(fig, path)
    finally:
        plt.close(fig)


def plot_fi(fi, name, path):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(fi.currents, fi.rates_hz, "o-", ms=3)
    ax.set_xlabel(f"I ({fi.current_unit})")
    ax.set_ylabel("steady-state rate (Hz)")
    ax.set_title(f"f–I curve: {name}")
    fig.tight_layout()
    try:
        _write_figure(fig, path)
    finally:
        plt.close(fig)


def plot_morphology(sh, res, path):
    from matplotlib.patches import Circle

    plt = _pyplot()

    from .morphology import segments

    fig, (ax, axv) = plt.subplots(1, 2, figsize=(10, 4.5), gridspec_kw={"width_ratios": [1, 1.4]})
    colors = {"dendrite": "tab:blue", "axon": "tab:red", "soma": "k"}
    for s in segments(sh):
        if s["kind"] == "soma":
            ax.add_patch(Circle((s["x"], s["y"]), s["diameter"] / 2, color="k"))
        else:
            ax.plot([s["x0"], s["x1"]], [s["y0"], s["y1"]], color=colors[s["kind"]],
                    lw=max(0.8, 1.2 * s["diameter"]), solid_capstyle="round")
    ax.set_aspect("equal")
    ax.set_title(f"{sh.name} (blue dendrites, red axon)")
    ax.set_xlabel("µm")
    for name, k in res.sites.items():
        axv.plot(res.t_ms, res.v_mV[k], lw=1, label=name)
    axv.set_xlabel("t (ms)")
    axv.set_ylabel("V (mV)")
    axv.legend(fontsize=6)
    fig.tight_layout()
    try:
        _write_figure(fig, path)
    finally:
        plt.close(fig)
