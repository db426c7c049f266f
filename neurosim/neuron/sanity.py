"""Is a single-neuron run physically meaningful? Checks made before and after a simulation.

Each check returns data (a message, or ``None``) or raises one ``ValueError`` line; the CLI
decides what to print. Three kinds:

- **time step** (:func:`dt_verdict`): every model has a *validated* largest dt, the largest
  at which the project's tests and README measurements hold (HH and Traub–Miles: 0.2 ms,
  where HH at 10 µA/cm² for 200 ms still gives 13 of the 14 spikes of dt = 0.01 ms; LIF,
  Izhikevich, AdEx: 0.1 ms, ten times the default 0.01 ms and twice the README's 0.05 ms
  AdEx example). Above it the result may be wrong (missed spikes); above
  :data:`REFUSE_FACTOR` times it, it *is* wrong (an HH spike lasts about 1 ms: at dt = 10 ms
  HH gives 0 spikes) and the run is refused.
- **a reset that fires every step** (:func:`check_reset`): a reset model whose reset value is
  at or above its spike condition fires again on the very next step, without any input:
  AdEx with ``DeltaT = 0`` (hard threshold at ``VT``) and ``Vr >= VT`` (the ``regular_bursting``
  and ``irregular`` patterns have Vr above VT, so ``--param DeltaT=0mV`` does this);
  AdEx with ``v_cut <= max(EL, Vr)`` (the cut below rest); Izhikevich with ``c >= v_peak``;
  LIF with ``v_reset >= v_th``.
- **voltage range** (:func:`check_voltage_range`): a membrane potential outside
  :data:`PHYSIOLOGICAL_MV` (−150 to +100 mV; the reversal potentials of real cells lie within
  about −100 to +60 mV, Hille 2001, *Ion Channels of Excitable Membranes*, ch. 1) means the
  injected current is far beyond what the cell could carry (``morphology --current 1mA``
  reaches 1.8 million mV). Conductance-based models (HH, Traub–Miles, the morphologies) are
  refused there (``strict``): their channel kinetics are fitted to the physiological range, and
  far below it the gate rates explode and the integration diverges. Integrate-and-fire models
  (LIF, Izhikevich, AdEx) get a warning: their answer stays the model's exact one (e.g. a LIF
  at ``E_L + R I``), just not a cell's. A rate above :data:`MAX_RATE_HZ` (1 kHz,
  above any neuron's maximal firing rate, limited by its refractory period of about 1 ms)
  gets a warning.
"""

from __future__ import annotations

import numpy as np

__all__ = ["VALIDATED_MAX_DT_MS", "REFUSE_FACTOR", "PHYSIOLOGICAL_MV", "MAX_RATE_HZ",
           "validated_max_dt_ms", "dt_verdict", "check_reset", "check_voltage_range",
           "rate_warning"]

#: largest validated dt (ms) by model family (the part of the name before ``:``)
VALIDATED_MAX_DT_MS = {"hh": 0.2, "traub": 0.2, "lif": 0.1, "izhikevich": 0.1, "adex": 0.1}
#: a dt above this many times the validated one is refused
REFUSE_FACTOR = 10.0
#: (lowest, highest) membrane potential (mV) accepted as physiological
PHYSIOLOGICAL_MV = (-150.0, 100.0)
#: firing rates above this (Hz) are flagged
MAX_RATE_HZ = 1000.0


def validated_max_dt_ms(model) -> float:
    """The largest validated time step (ms) of a :class:`~.model.NeuronModel` (0.1 ms for a
    model not in :data:`VALIDATED_MAX_DT_MS`)."""
    return VALIDATED_MAX_DT_MS.get(model.name.split(":")[0], 0.1)


def dt_verdict(model, dt_ms: float, option: str = "--dt") -> str | None:
    """``None`` if ``dt_ms`` is validated for ``model``; a warning text if it is above the
    validated limit; ``ValueError`` (one line) above :data:`REFUSE_FACTOR` times the limit."""
    limit = validated_max_dt_ms(model)
    if dt_ms <= limit * (1 + 1e-9):
        return None
    text = (f"{option} {dt_ms:g}ms is beyond the validated range of {model.name} "
            f"(0 < dt <= {limit:g} ms)")
    if dt_ms > REFUSE_FACTOR * limit:
        raise ValueError(f"{text}; at more than {REFUSE_FACTOR:g}x that the result is wrong "
                         f"(spikes are missed): use {option} {limit:g}ms or less")
    return f"{text}; spikes may be missed or shifted"


def _mV(q) -> float:
    from brian2 import mV

    return float(q / mV)


def check_reset(model, texts: dict | None = None) -> None:
    """Refuse (``ValueError``, one line) a reset model that would fire on every time step.

    ``texts`` maps the ``--param`` names the user gave to their text, to name them in the
    message (the model's own values are named otherwise).
    """
    p, name = model.parameters, model.name
    given = texts or {}

    def said(*keys):
        shown = [f"{k}={given[k]}" if k in given else f"{k}={_mV(p[k]):g}mV" for k in keys]
        return ", ".join(shown)

    family = name.split(":")[0]
    if family == "adex":
        if _mV(p["DeltaT"]) == 0 and _mV(p["Vr"]) >= _mV(p["VT"]):
            raise ValueError(f"{name} with {said('DeltaT', 'Vr', 'VT')}: with DeltaT = 0 the "
                             "spike rule is v >= VT, and the reset Vr is not below VT, so the "
                             "neuron fires on every time step; set --param Vr below VT (or "
                             "DeltaT > 0)")
        floor = max(_mV(p["EL"]), _mV(p["Vr"]))
        if _mV(p["v_cut"]) <= floor:
            raise ValueError(f"{name} with {said('v_cut', 'EL', 'Vr')}: the spike cut-off v_cut "
                             "is not above rest and reset, so the neuron fires on every time "
                             "step; set --param v_cut above VT (default 0mV)")
    elif family == "izhikevich":
        if _mV(p["c"]) >= _mV(p["v_peak"]):
            raise ValueError(f"{name} with {said('c', 'v_peak')}: the reset c is not below the "
                             "spike peak v_peak, so the neuron fires on every time step")
    elif family == "lif":
        if _mV(p["v_reset"]) >= _mV(p["v_th"]):
            raise ValueError(f"{name} with {said('v_reset', 'v_th')}: the reset is not below "
                             "the threshold, so the neuron fires on every time step")


def check_voltage_range(v_mV, option_text: str, where: str = "the membrane",
                        strict: bool = True) -> str | None:
    """A run whose voltage left :data:`PHYSIOLOGICAL_MV`: refused (``ValueError``, one line
    naming ``option_text``) when ``strict``, else the same text returned as a warning."""
    v = np.asarray(v_mV, dtype=float)
    if v.size == 0:
        return
    lo, hi = PHYSIOLOGICAL_MV
    vmin, vmax = float(np.min(v)), float(np.max(v))
    if vmin >= lo and vmax <= hi:
        return None
    reached = vmax if vmax > hi else vmin
    text = (f"{option_text}: {where} reached {reached:.4g} mV, outside the physiological "
            f"range {lo:g} to +{hi:g} mV: the current is far beyond what a cell can carry")
    if strict:
        raise ValueError(text + "; use a smaller magnitude")
    return text


def rate_warning(rate_hz: float, option_text: str) -> str | None:
    """A warning text when ``rate_hz`` exceeds :data:`MAX_RATE_HZ`, else ``None``."""
    if rate_hz > MAX_RATE_HZ:
        return (f"{option_text}: {rate_hz:.0f} Hz is faster than any neuron fires (about "
                f"{MAX_RATE_HZ:g} Hz at most); the current is far above this model's range")
    return None


def check_hyperpolarization(model, amplitude, option_text: str,
                            strict: bool = True) -> str | None:
    """Refuse, before simulating, a hyperpolarizing current that would drive the membrane below
    :data:`PHYSIOLOGICAL_MV`: far below rest the voltage-gated channels are closed and the cell
    is its leak, so the steady state is ``EL + I / gL`` (``E_L + R I`` for LIF). (Run anyway,
    the HH gates' rates grow like exp(-V/18 mV) there and the integration diverges: at
    −40 µA/cm² HH would sit near −188 mV.) Models without a leak parameter pass. Refused when
    ``strict``, else the text is returned as a warning."""
    from brian2 import mV

    p = model.parameters
    i_min = float(np.min(np.asarray(amplitude, dtype=float)))
    if i_min >= 0:
        return None
    if "gL" in p and "EL" in p:
        floor = float(p["EL"] / mV) + i_min / float(p["gL"]) * 1e3
    elif "R" in p and "E_L" in p:
        floor = float(p["E_L"] / mV) + i_min * float(p["R"]) * 1e3
    else:
        return None
    if floor >= PHYSIOLOGICAL_MV[0]:
        return None
    text = (f"{option_text}: would drive the membrane to about {floor:.0f} mV (rest + I / gL), "
            f"below the physiological range {PHYSIOLOGICAL_MV[0]:g} to "
            f"+{PHYSIOLOGICAL_MV[1]:g} mV")
    if strict:
        raise ValueError(text + "; use a smaller hyperpolarizing current")
    return text
