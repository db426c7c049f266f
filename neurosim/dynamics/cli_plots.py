"""Drawings of a phase portrait and a bifurcation diagram (matplotlib, Agg backend).

``draw_phase_plane(ax, model, portrait)`` and ``draw_bifurcation(ax_v, ax_f, model, diagram,
fi, onset)`` draw onto given axes (also used by ``figures/``); ``plot_phase`` and
``plot_bifurcation`` write the ``--plot`` file of the CLI atomically.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_phase_plane", "draw_bifurcation", "plot_phase", "plot_bifurcation",
           "axis_label", "current_label"]

_STYLE = {"stable node": ("o", "k", "k"), "stable focus": ("o", "k", "k"),
          "unstable node": ("o", "w", "k"), "unstable focus": ("o", "w", "k"),
          "saddle": ("X", "tab:gray", "k"), "saddle-focus": ("X", "tab:gray", "k"),
          "non-hyperbolic": ("D", "tab:olive", "k")}


def axis_label(model, k: int) -> str:
    """``V (mV)``, ``w``, ``u (pA)``."""
    name = "V" if k == 0 and model.state_units[0] != "1" else model.state[k]
    unit = model.state_units[k]
    return name if unit == "1" else f"{name} ({unit})"


def current_label(model) -> str:
    unit = {"uA/cm2": "µA/cm²", "pA": "pA", "1": ""}[model.current_unit]
    return f"I ({unit})" if unit else "I"


def _unit_text(model) -> str:
    return {"uA/cm2": "µA/cm²", "pA": "pA", "1": ""}[model.current_unit]


def draw_phase_plane(ax, model, pp, *, legend: str | None = "best", flow: bool = True) -> None:
    """Flow (light streamlines), nullclines, fixed points, trajectories and the cycle.

    ``legend``: a matplotlib legend location, or ``None`` for none."""
    (a, b), (c, d) = pp.window
    f = pp.field
    if flow:
        ax.streamplot(f.v, f.y, f.dv / (b - a), f.dy / (d - c), color="0.8", density=1.1,
                      linewidth=0.6, arrowsize=0.7)
    v_name = "V" if model.state_units[0] != "1" else model.state[0]
    for null, color, name in ((pp.nullclines[0], "tab:blue", f"d{v_name}/dt = 0"),
                              (pp.nullclines[1], "tab:orange", f"d{model.state[1]}/dt = 0")):
        for r in range(null.y.shape[1]):
            ax.plot(null.v, null.y[:, r], color=color, lw=1.8, label=name if r == 0 else None)
    colors = {"subthreshold": "tab:green", "suprathreshold": "tab:red"}
    for k, (label, tr) in enumerate(pp.trajectories.items()):
        ax.plot(tr.x[0], tr.x[1], color=colors.get(label, f"C{(k + 4) % 10}"), lw=1.1,
                label=f"{label} trajectory" if label in colors else label)
        ax.plot(tr.x[0][0], tr.x[1][0], marker=">", color=colors.get(label, "0.3"), ms=5)
    if pp.cycle is not None:
        loop = np.column_stack([pp.cycle.x, pp.cycle.x[:, :1]])     # close the orbit
        ax.plot(loop[0], loop[1], color="tab:purple", lw=2.4, alpha=0.75,
                label=f"limit cycle ({_period_text(model, pp.cycle.period)})")
    for fp in pp.fixed_points:
        marker, face, edge = _STYLE.get(fp.stability, ("o", "w", "k"))
        ax.plot(fp.state[0], fp.state[1], marker=marker, mfc=face, mec=edge, ms=8, ls="none",
                zorder=5, label=fp.stability)
    ax.set_xlim(a, b)
    ax.set_ylim(c, d)
    ax.set_xlabel(axis_label(model, 0))
    ax.set_ylabel(axis_label(model, 1))
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        seen = dict(zip(labels, handles))
        ax.legend(seen.values(), seen.keys(), loc=legend, fontsize=7, framealpha=0.9)


def _period_text(model, period) -> str:
    if model.time_unit == "ms":
        return f"{period:.1f} ms, {1e3 / period:.1f} Hz"
    return f"period {period:.1f}"


def _rate_scale(model):
    return (1e3, "rate (Hz)") if model.time_unit == "ms" else (1.0, "frequency (1/time unit)")


def draw_bifurcation(ax_v, ax_f, model, dg, fi=None, onset=None) -> None:
    """V against I (equilibria solid where stable, dashed where not; cycle min/max; Hopf and
    saddle-node points; bistable ranges shaded) and the rate against I."""
    br, i = dg.branch, dg.currents
    inside = (br.current >= i[0]) & (br.current <= i[-1])
    for mask, style, label in ((br.stable, "-", "stable equilibrium"),
                               (~br.stable, "--", "unstable equilibrium")):
        ax_v.plot(br.current, np.where(inside & mask, br.v, np.nan), style, color="k", lw=1.4,
                  label=label)
    cyc = [(c.current, c.v_min, c.v_max, c.frequency) for c in dg.cycles if c is not None]
    if cyc:
        ci, lo, hi, fr = map(np.asarray, zip(*cyc))
        ax_v.plot(ci, hi, "o", color="tab:blue", ms=3.5, label="stable cycle: max V")
        ax_v.plot(ci, lo, "o", color="tab:cyan", ms=3.5, label="stable cycle: min V")
        scale, _ = _rate_scale(model)
        ax_f.plot(ci, fr * scale, "o", color="tab:blue", ms=3.5, label="stable cycle")
    for p in dg.points:
        hopf = p.kind == "hopf"
        ax_v.plot(p.current, p.v, "o" if hopf else "s", ms=8, mfc="tab:red" if hopf else "w",
                  mec="tab:red" if hopf else "k", zorder=5,
                  label=f"{'Hopf' if hopf else 'saddle-node'} {p.current:.4g}")
    for k, (a, b) in enumerate(dg.bistable_ranges):
        for ax in (ax_v, ax_f):
            ax.axvspan(a, b, color="gold", alpha=0.25, lw=0,
                       label=f"bistable {a:.3g}–{b:.3g}" if (k == 0 and ax is ax_v) else None)
    scale, rate_label = _rate_scale(model)
    if fi is not None:
        ci, fr = fi.currents, fi.rates
        if onset is not None:      # draw the jump (or the rise) where it was located
            ci = np.concatenate([ci, [onset.below, onset.current]])
            fr = np.concatenate([fr, [0.0, onset.rate]])
            order = np.argsort(ci, kind="stable")
            ci, fr = ci[order], fr[order]
        ax_f.plot(ci, fr * scale, "-", color="tab:orange", lw=1.3,
                  label=f"f–I, steps from rest at I = {fi.i_rest:g}")
    if onset is not None:
        if onset.cycle is not None:
            ax_v.plot([onset.current] * 2, [onset.cycle.v_min, onset.cycle.v_max], "o",
                      color="tab:green", ms=3.5)
        for ax in (ax_v, ax_f):
            ax.axvline(onset.current, color="tab:green", ls=":", lw=1.5)
        ax_f.plot(onset.current, onset.rate * scale, "v", color="tab:green", ms=8,
                  label=f"onset {onset.current:.4g} {_unit_text(model)} "
                        f"(class {onset.excitability_class})")
    ax_v.set_ylabel(axis_label(model, 0))
    ax_f.set_ylabel(rate_label)
    ax_f.set_xlabel(current_label(model))
    ax_v.set_xlim(i[0], i[-1])
    ax_f.set_xlim(i[0], i[-1])
    ax_f.set_ylim(bottom=0)
    ax_v.legend(loc="best", fontsize=7, framealpha=0.85)
    ax_f.legend(loc="lower right", fontsize=7, framealpha=0.85)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path) -> None:
    from pathlib import Path

    from common.fileio import atomic_path
    from neurosim.neuron.cli_plots import check_plot_path

    try:
        fmt = check_plot_path(path)
        with atomic_path(Path(path)) as tmp:
            fig.savefig(tmp, format=fmt, dpi=130)
    finally:
        _pyplot().close(fig)


def plot_phase(model, pp, path) -> None:
    """The phase portrait as a file (PNG, PDF, SVG), written atomically."""
    fig, ax = _pyplot().subplots(figsize=(7, 5.2))
    draw_phase_plane(ax, model, pp)
    unit = _unit_text(model)
    ax.set_title(f"{model.name}: phase plane at I = {pp.current:g} {unit}".rstrip())
    fig.tight_layout()
    _save(fig, path)


def plot_bifurcation(model, dg, fi, onset, path) -> None:
    """The bifurcation diagram and rates as a file, written atomically."""
    fig, (ax_v, ax_f) = _pyplot().subplots(2, 1, figsize=(8, 7), sharex=True,
                                           gridspec_kw={"height_ratios": [3, 2]})
    draw_bifurcation(ax_v, ax_f, model, dg, fi, onset)
    ax_v.set_title(f"{model.name}: bifurcation diagram in the injected current")
    fig.tight_layout()
    _save(fig, path)
