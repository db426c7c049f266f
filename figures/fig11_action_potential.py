"""Figure 11 — a membrane-potential trace computed with the Hodgkin–Huxley model
(:func:`neurosim.neuron.library.hh`, simulated by :func:`neurosim.neuron.simulate.simulate` on
Brian2), its phases labelled by :func:`neurosim.neuron.analysis.label_phases`.

Protocol (current density): rest for 10 ms; a weak 1 ms pulse of 3 µA/cm² that only depolarizes
the membrane; 14 ms later a 1 ms pulse of 20 µA/cm² that triggers one action potential; 23 ms
of recovery, during which the afterhyperpolarization (the potassium conductance still open, V
approaching E_K = −77 mV) and the return to rest are seen. Threshold, peak and AHP minimum are
those of :func:`neurosim.neuron.analysis.spike_shapes`.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "action_potential"
#: (duration ms, current µA/cm²) of each stretch of the protocol
PROTOCOL = ((10.0, 0.0), (1.0, 3.0), (14.0, 0.0), (1.0, 20.0), (23.0, 0.0))


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from brian2 import cm, ms, uA

    from neurosim.neuron.analysis import (PHASES, label_phases, resting_potential,
                                          spike_shapes)
    from neurosim.neuron.library import hh
    from neurosim.neuron.simulate import simulate
    from neurosim.neuron.stimulus import Protocol, Segment

    segs = tuple(Segment(d * ms, a * uA / cm ** 2) for d, a in PROTOCOL)
    start = sum(d for d, _ in PROTOCOL[:1])
    proto = Protocol(segs, (start * ms, sum(d for d, _ in PROTOCOL) * ms), "two pulses")
    res = simulate(hh(), proto)
    t, v, spikes = res.t_ms, res.v_mV[0], np.asarray(res.spike_times_ms[0])
    rest = resting_potential(t, v, (0.0, start))
    phases = label_phases(t, v, spikes, rest)
    shp = spike_shapes(t, v, spikes) if len(spikes) else {}
    after = t > (spikes[0] if len(spikes) else t[-1])
    return {"t_ms": t, "v_mV": v, "current": res.current[0], "current_unit": res.current_unit,
            "spike_times_ms": spikes, "rest_mV": float(rest), "phases": phases,
            "phase_names": PHASES, "peak_mV": float(v.max()),
            "ahp_min_mV": float(v[after].min()) if after.any() else float("nan"),
            "threshold_mV": float(shp["threshold_mV"][0]) if len(spikes) else float("nan"),
            "codegen": res.target}


def draw(data):
    from ._common import plt

    t, v, ph, names = data["t_ms"], data["v_mV"], data["phases"], data["phase_names"]
    fig, (ax, axi) = plt.subplots(2, 1, figsize=(9, 5.6), sharex=True,
                                  gridspec_kw={"height_ratios": [3.2, 1]})
    colors = {"rest": "0.45", "depolarization": "tab:orange", "rising": "tab:red",
              "repolarization": "tab:purple", "hyperpolarization": "tab:blue",
              "refractory": "tab:green"}
    for k, name in enumerate(names):
        if np.any(ph == k):
            ax.plot(t, np.where(ph == k, v, np.nan), color=colors.get(name, "k"), lw=2,
                    label=name)
    ax.axhline(data["rest_mV"], color="0.6", ls=":", lw=1)
    ax.axhline(0, color="0.85", lw=0.8)
    i_sub = int(np.argmax(np.where(t < 20, v, -np.inf)))
    i_peak = int(np.argmax(v))
    after = t > t[i_peak]
    i_ahp = int(np.flatnonzero(after)[np.argmin(v[after])])
    notes = [((3.0, data["rest_mV"] + 6), f"resting potential\n{data['rest_mV']:.1f} mV", None),
             ((t[i_sub] + 1.5, v[i_sub] + 14), "subthreshold\ndepolarization", i_sub),
             ((t[i_peak] + 3.5, v[i_peak] - 8), f"action potential\npeak {v[i_peak]:+.1f} mV",
              i_peak),
             ((t[i_ahp] + 4, v[i_ahp] + 22),
              f"afterhyperpolarization\n{v[i_ahp]:.1f} mV (below rest)", i_ahp)]
    if np.isfinite(data["threshold_mV"]):
        below = np.flatnonzero((t < t[i_peak]) & (v < data["threshold_mV"]))
        i_thr = int(below[-1]) if len(below) else i_peak
        notes.append(((t[i_peak] - 9, data["threshold_mV"] + 18),
                      f"threshold\n≈ {data['threshold_mV']:.0f} mV", i_thr))
    for xy, text, i in notes:
        if i is None:
            ax.text(*xy, text, fontsize=8.5)
        else:
            ax.annotate(text, (t[i], v[i]), xytext=xy, fontsize=8.5,
                        arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 0.8})
    ax.set_ylabel("membrane potential V (mV)")
    ax.set_ylim(-85, 55)
    ax.set_title(f"Hodgkin–Huxley squid axon (Brian2, {data['codegen']}): the phases of "
                 "an action potential")
    ax.legend(loc="center right", fontsize=7.5, ncol=2, title="phase", title_fontsize=8)
    axi.plot(t, data["current"], color="k", lw=1.2)
    axi.set_ylabel(f"I ({data['current_unit'].replace('uA', 'µA').replace('cm2', 'cm²')})")
    axi.set_xlabel("time t (ms)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
