"""What ``neurosim neuron`` / ``fi`` print and write: counted spikes, wording, rounded JSON, CSV.

- **Spikes are counted by where they fall**: before the stimulus (spontaneous), during it
  (these give ``rate_hz`` = count / stimulus duration), after it (e.g. the rebound spike of a
  hyperpolarizing step, or the tail spike of a fast cell). ``n_spikes`` is all of them.
- **Pattern**: the firing-pattern label of the spikes during the stimulus
  (:func:`.analysis.firing_pattern`); when the cell fires only *after* the stimulus it is
  ``rebound`` (a hyperpolarizing stimulus: anode-break excitation, Hodgkin & Huxley 1952) or
  ``offset``, not ``silent``.
- **JSON numbers** are rounded to 12 significant digits (float noise such as
  28.950000000000003 becomes 28.95), so the text is what the number means.
- **CSV** (``--csv FILE``): comment lines starting with ``#`` (the command, the model, the spike
  times in ms), then a header ``t_ms,V_mV,I_<unit>`` and one row per sample; read it with
  ``numpy.loadtxt(FILE, delimiter=",", skiprows=…)`` or ``pandas.read_csv(FILE, comment="#")``.
"""

from __future__ import annotations


import numpy as np

from common.jsonout import rounded

__all__ = ["plural", "round_json", "spike_counts", "pattern_label", "write_trace_csv"]


def plural(n: int, word: str) -> str:
    """``"1 spike"``, ``"2 spikes"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def round_json(x, digits: int = 12):
    """``x`` with every float rounded to ``digits`` significant digits (dicts, lists, tuples
    recursively); NaN and infinities become ``None``."""
    return rounded(x, digits, nonfinite_to_none=True)


def spike_counts(spike_times_ms, window_ms) -> dict:
    """Spikes before, during and after the stimulus window [start, stop) (ms), and the rate
    during it (Hz)."""
    s = np.asarray(spike_times_ms, dtype=float)
    start, stop = window_ms
    during = int(np.count_nonzero((s >= start) & (s < stop)))
    return {"n_spikes": int(len(s)), "n_spikes_before": int(np.count_nonzero(s < start)),
            "n_spikes_stimulus": during, "n_spikes_after": int(np.count_nonzero(s >= stop)),
            "rate_hz": during / (stop - start) * 1e3}


def pattern_label(label: str, counts: dict, amplitude: float, stimulus: str = "step") -> str:
    """The firing-pattern label, corrected for a cell that fires only after the stimulus.

    The labels (tonic, adapting, bursting, ...; Naud et al. 2008) are defined for a step
    current; for another stimulus a cell that fires gets ``n/a (STIMULUS stimulus)``, and only
    ``silent`` (no spike at all) is kept."""
    if stimulus != "step":
        return "silent" if counts["n_spikes"] == 0 else f"n/a ({stimulus} stimulus)"
    if counts["n_spikes_stimulus"] == 0 and counts["n_spikes_after"] > 0:
        return "rebound" if amplitude < 0 else "offset"
    return label


def write_trace_csv(path, res, current_factor: float, current_label: str, header: list[str]):
    """Write ``res``'s first trace as CSV (module docstring), atomically."""
    from common.fileio import atomic_path

    t, v = res.t_ms, res.v_mV[0]
    current = res.current[0] * current_factor
    spikes = " ".join(f"{x:.6g}" for x in res.spike_times_ms[0])
    lines = [f"# {h}" for h in header]
    lines.append(f"# spike_times_ms: {spikes}" if spikes else "# spike_times_ms: (none)")
    lines.append(f"t_ms,V_mV,I_{current_label}")
    body = "\n".join(f"{a:.6g},{b:.8g},{c:.8g}" for a, b, c in zip(t, v, current))
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n" + body + "\n", encoding="utf-8")
