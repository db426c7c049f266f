"""Figure 15 — the phase plane: why a neuron rests, fires once, or fires repetitively.

Left: Rinzel's planar reduction of the squid Hodgkin–Huxley model (``m = m_inf(V)``,
``h = 0.89 - 1.1 n``; :func:`neurosim.dynamics.hodgkin_huxley.hh_rinzel`) at a current where
rest and repetitive firing coexist. The V-nullcline (blue) and n-nullcline (orange) cross at the
stable resting state; a kick in V below threshold (green) decays back to it, a kick above
(red) is carried around to the stable limit cycle (purple), which the flow (grey) shows
circling the rest. Right: Morris–Lecar with Rinzel & Ermentrout's class-I set below its
saddle-node on an invariant circle: the nullclines cross three times — stable node (rest),
saddle (the threshold) and unstable focus — and a supra-threshold trajectory runs once around
the invariant circle back to rest: one spike.

All of it is :func:`neurosim.dynamics.phase_plane.phase_portrait` (nullclines by ``brentq``
per column, fixed points from the I–V curve, trajectories by ``solve_ivp``, the cycle by
simulation).
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "phase_plane"
#: (model, pattern, current in the model's unit) of each panel
PANELS = (("hh-rinzel", None, 6.0), ("morris-lecar", "class1", 35.0))


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from neurosim.dynamics.models import get_model
    from neurosim.dynamics.phase_plane import phase_portrait

    panels = []
    for name, pattern, current in PANELS:
        model = get_model(name, pattern)
        pp = phase_portrait(model, current, n_field=18 if quick else 25,
                            n_nullcline=150 if quick else 400)
        panels.append({"model": model, "portrait": pp, "current": current,
                       "fixed_points": [(fp.v, fp.stability) for fp in pp.fixed_points],
                       "threshold_mV": pp.threshold,
                       "cycle_period_ms": None if pp.cycle is None else pp.cycle.period,
                       "peak_mV": {k: float(tr.v.max()) for k, tr in pp.trajectories.items()}})
    return {"panels": panels}


def draw(data):
    from neurosim.dynamics.cli_plots import draw_phase_plane

    from ._common import plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.4))
    titles = ("Hodgkin–Huxley, Rinzel's (V, n) reduction: rest and a stable cycle coexist",
              "Morris–Lecar class I: node, saddle (threshold), one spike")
    for ax, panel, title, loc in zip(axes, data["panels"], titles, ("upper right", "best")):
        draw_phase_plane(ax, panel["model"], panel["portrait"], legend=loc)
        ax.set_title(f"{title}\nI = {panel['current']:g} µA/cm²", fontsize=9.5)
    # the sub-threshold response of the HH reduction is a few mV: zoom on the rest
    panel = data["panels"][0]
    pp, rest = panel["portrait"], panel["portrait"].fixed_points[0].state
    inset = axes[0].inset_axes([0.43, 0.05, 0.45, 0.24])
    draw_phase_plane(inset, panel["model"], pp, legend=None, flow=False)
    (v0, v1), (n0, n1) = (rest[0] - 3, rest[0] + 7), (rest[1] - 0.012, rest[1] + 0.018)
    inset.set_xlim(v0, v1)
    inset.set_ylim(n0, n1)
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.tick_params(labelbottom=False, labelleft=False, length=2)
    inset.text(0.02, 0.96, f"zoom: V {v0:.0f}…{v1:.0f} mV, n {n0:.2f}…{n1:.2f}\n"
               f"threshold kick {panel['threshold_mV']:.1f} mV", transform=inset.transAxes,
               fontsize=7, va="top")
    axes[0].indicate_inset_zoom(inset, edgecolor="0.4")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
