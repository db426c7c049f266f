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


def check_plot_path(path, option: str = "--plot") -> str:
    """Check a ``--plot`` file name before any simulation (:func:`common.paths.check_output_file`:
    missing folders are created later, a folder or a file in the way is refused); return the
    format (``png``, ``pdf`` or ``svg``)."""
    from common.paths import check_output_file

    path = check_output_file(path, option, suffixes=(".png", ".pdf", ".svg"))
    return path.suffix.lstrip(".").lower()


def _write_figure(fig, path: Path) -> None:
    path = Path(path)
    fmt = check_plot_path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=120)


#: colour of each phase of :data:`.analysis.PHASES` (the same for every model)
PHASE_COLORS = ("0.55", "tab:orange", "tab:red", "tab:purple", "tab:blue", "tab:green")


def plot_trace(res, phases, names, summary, path, current_factor: float = 1.0):
    """V(t) coloured by phase (:func:`.analysis.label_phases`) above the injected current.

    The legend sits above the axes, so it never covers a spike; the current is drawn in the
    unit the user typed (``summary["current_unit"]``; ``current_factor`` converts to it).
    """
    import numpy as np

    plt = _pyplot()

    fig, (ax, axi) = plt.subplots(2, 1, figsize=(8, 5.4), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
    t, v = res.t_ms, res.v_mV[0]
    if phases is None:
        ax.plot(t, v, color="k", lw=1)
    else:
        for k, name in enumerate(names):
            vk = np.where(phases == k, v, np.nan)
            # join each coloured run to the next sample, so the trace has no gaps
            vk[1:] = np.where(np.isnan(vk[1:]) & (phases[:-1] == k), v[1:], vk[1:])
            ax.plot(t, vk, color=PHASE_COLORS[k % len(PHASE_COLORS)], lw=1.2, label=name)
        ax.legend(fontsize=7, ncol=len(names), loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  frameon=False, handlelength=1.5, columnspacing=1.0)
    ax.axhline(summary["rest_mV"], color="0.7", ls=":", lw=0.8)
    lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    ax.set_ylim(lo - 0.05 * (hi - lo + 1), hi + 0.08 * (hi - lo + 1))
    ax.set_ylabel("V (mV)")
    n, after = summary["n_spikes_stimulus"], summary["n_spikes_after"]
    counts = f"{n} spike{'' if n == 1 else 's'} during the stimulus ({summary['rate_hz']:.1f} Hz)"
    if after:
        counts += f", {after} after it"
    fig.suptitle(f"{res.model}: {summary['stimulus']} {summary['current']:g} "
                 f"{summary['current_unit']}: {counts}; {summary['firing_pattern']}",
                 fontsize=10)
    axi.plot(t, res.current[0] * current_factor, color="tab:blue", lw=1)
    axi.set_ylabel(f"I ({summary['current_unit']})")
    axi.set_xlabel("t (ms)")
    fig.tight_layout()
    try:
        _write_figure(fig, path)
    finally:
        plt.close(fig)


def plot_fi(fi, name, path, currents=None, unit=None):
    """The f–I curve as markers; a line joins neighbours only where both fire, so a jump from
    0 Hz (class II onset) is drawn as a jump, not a slope."""
    import numpy as np

    plt = _pyplot()
    x = np.asarray(fi.currents if currents is None else currents, dtype=float)
    r = np.asarray(fi.rates_hz, dtype=float)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    firing = r > 0
    ax.plot(x[~firing], r[~firing], "o", ms=4, color="0.5", label="no repetitive firing")
    y = np.where(firing, r, np.nan)
    ax.plot(x, y, "-", lw=1, color="tab:red")
    ax.plot(x[firing], r[firing], "o", ms=4, color="tab:red", label="steady-state rate")
    ax.set_xlabel(f"I ({fi.current_unit if unit is None else unit})")
    ax.set_ylabel("steady-state rate (Hz)")
    ax.set_title(f"f–I curve: {name}")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    try:
        _write_figure(fig, path)
    finally:
        plt.close(fig)


def plot_morphology(sh, res, path, current_text=None, duration_text=None, current=None,
                    unit="nA", duration_ms=None, delay_ms=10.0):
    """The shape (left), V at each recorded site over time (right, top) and the injected
    somatic current (right, bottom), with a title naming the shape and the stimulus."""
    from matplotlib.patches import Circle
    from matplotlib.ticker import MaxNLocator

    from .site_events import SPIKE_CRITERION_MV

    plt = _pyplot()

    from .morphology import segments

    fig = plt.figure(figsize=(11, 5))
    grid = fig.add_gridspec(2, 2, width_ratios=[1, 1.4], height_ratios=[3, 1])
    ax = fig.add_subplot(grid[:, 0])
    axv = fig.add_subplot(grid[0, 1])
    axi = fig.add_subplot(grid[1, 1], sharex=axv)
    colors = {"dendrite": "tab:blue", "axon": "tab:red", "soma": "k"}
    for s in segments(sh):
        if s["kind"] == "soma":
            ax.add_patch(Circle((s["x"], s["y"]), s["diameter"] / 2, color="k"))
        else:
            ax.plot([s["x0"], s["x1"]], [s["y0"], s["y1"]], color=colors[s["kind"]],
                    lw=max(0.8, 1.2 * s["diameter"]), solid_capstyle="round")
    # equal scales in a box of fixed size: a slender cell (bipolar) widens the x range
    # instead of shrinking the panel to a sliver
    ax.set_aspect("equal", adjustable="datalim")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set_title("shape (blue dendrites, red axon, black soma)", fontsize=9)
    ax.set_xlabel("µm")
    for name, k in res.sites.items():
        line, = axv.plot(res.t_ms, res.v_mV[k], lw=1, label=name)
        for e in getattr(res, "events", {}).get(name, []):  # the events the text counts
            axv.plot(e["t_ms"], e["peak_mV"], "o", ms=4, color=line.get_color(),
                     mfc=line.get_color() if e["spike"] else "none")
    axv.axhline(SPIKE_CRITERION_MV, color="0.6", ls=":", lw=0.8,
                label=f"spike: crosses {SPIKE_CRITERION_MV:g} mV (filled dot)\n"
                      "open dot: smaller event")
    axv.set_ylabel("V (mV)")
    axv.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # never on a trace
    axv.tick_params(labelbottom=False)
    if current is not None and duration_ms is not None:
        import numpy as np

        t = res.t_ms
        on = (t >= delay_ms - 1e-9) & (t < delay_ms + duration_ms - 1e-9)
        axi.plot(t, np.where(on, current, 0.0), color="tab:blue", lw=1)
        axi.set_ylabel(f"I soma ({unit})")
    axi.set_xlabel("t (ms)")
    stim = "" if current_text is None else f": {current_text} into the soma for {duration_text}"
    fig.suptitle(f"{sh.name}{stim}", fontsize=11)
    fig.tight_layout()
    try:
        _write_figure(fig, path)
    finally:
        plt.close(fig)
