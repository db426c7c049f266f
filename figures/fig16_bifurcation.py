"""Figure 16 — the Hodgkin–Huxley bifurcation diagram: where repetitive firing begins.

The squid HH model that ``neurosim neuron hh`` simulates, analysed by :mod:`neurosim.dynamics`.
Top: the resting equilibrium against the injected current (solid while stable, dashed once
unstable) with its Hopf point, where a complex pair of eigenvalues crosses into the right half
plane (9.78 µA/cm², subcritical); the min and max V of the stable cycle found by simulation.
Bottom: the rate of that cycle and the f–I curve of current steps from rest. Between the fold
of cycles (~6.26 µA/cm²) and the Hopf current the stable rest and the stable cycle coexist
(shaded: bistable), so repetitive firing starts at the onset (dotted) with a jump to ~50 Hz —
class II excitability — well before the rest loses stability.

Computed by :func:`neurosim.dynamics.excitability.fi_curve` / ``fi_onset`` and
:func:`neurosim.dynamics.diagram.bifurcation_diagram`; ``quick`` uses 9 currents, shorter
steps and one round of onset refinement.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "bifurcation"


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from neurosim.dynamics.diagram import bifurcation_diagram
    from neurosim.dynamics.excitability import bifurcation_class, fi_curve, fi_onset
    from neurosim.dynamics.models import get_model

    model = get_model("hh")
    currents = np.linspace(0.0, 16.0, 9) if quick else np.linspace(0.0, 20.0, 41)
    steps = {"t_settle": 100.0, "t_measure": 200.0} if quick else {}
    fi = fi_curve(model, currents, **steps)
    onset = fi_onset(model, fi, rounds=1 if quick else 2, **steps)
    dg = bifurcation_diagram(model, currents, refine=not quick, from_rest=fi.cycles,
                             extra_cycles=(onset.cycle,))
    bif = bifurcation_class(model)
    return {"model": model, "diagram": dg, "fi": fi, "onset": onset,
            "hopf_current": dg.hopf_currents[0], "bistable_ranges": dg.bistable_ranges,
            "onset_current": onset.current, "onset_rate_hz": onset.rate * 1e3,
            "fi_rates_hz": fi.rates * 1e3, "currents": currents,
            "criticality": dg.criticality.get(dg.hopf_currents[0]),
            "class_from_fi": onset.excitability_class, "class_from_bifurcation":
            bif.excitability_class, "bifurcation_kind": bif.kind}


def draw(data):
    from neurosim.dynamics.cli_plots import draw_bifurcation

    from ._common import plt

    fig, (ax_v, ax_f) = plt.subplots(2, 1, figsize=(9, 7.2), sharex=True,
                                     gridspec_kw={"height_ratios": [3, 2]})
    draw_bifurcation(ax_v, ax_f, data["model"], data["diagram"], data["fi"], data["onset"])
    hopf, onset = data["hopf_current"], data["onset_current"]
    v_hopf = data["diagram"].points[0].v
    crit = f" ({data['criticality']})" if data["criticality"] else ""
    ax_v.annotate(f"Hopf {hopf:.2f} µA/cm²{crit}:\nrest loses stability", (hopf, v_hopf),
                  xytext=(hopf - 3.3, v_hopf + 22), fontsize=8.5,
                  arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 0.8})
    ax_v.annotate(f"onset of repetitive firing\n{onset:.2f} µA/cm² (f–I from rest)",
                  (onset, 0), xytext=(0.6, 8), fontsize=8.5,
                  arrowprops={"arrowstyle": "->", "color": "tab:green", "lw": 0.8})
    ax_v.set_ylim(-85, 45)
    kind = data["bifurcation_kind"].replace("hopf", "Hopf bifurcation")
    ax_v.set_title(f"Hodgkin–Huxley squid axon: class {data['class_from_fi']} from the f–I "
                   f"curve (jump to {data['onset_rate_hz']:.0f} Hz), class "
                   f"{data['class_from_bifurcation']} from the {kind}", fontsize=9.5)
    ax_v.legend(loc="center right", fontsize=7, framealpha=0.9)
    ax_f.legend(loc="lower right", fontsize=7, framealpha=0.9)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
