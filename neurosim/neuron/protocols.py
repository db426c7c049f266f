"""Experiments built on :func:`~.simulate.simulate`: f–I curve, rheobase, parameter sweep.

- :func:`fi_curve` — N step currents as N neurons of one NeuronGroup: one simulation, one
  compilation (not a Python loop of networks); rate = steady-state rate (1 / mean ISI after an
  onset transient, :func:`.analysis.steady_state_rate`).
- :func:`rheobase` — smallest step current that evokes at least one spike, by bisection
  between a current that does not and one that does (each probe one short simulation).
- :func:`sweep` — one parameter takes N values in N neurons of one group, same protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import analysis
from .model import NeuronModel
from .simulate import SimResult, current_display_unit, simulate
from .stimulus import Protocol, step

__all__ = ["FICurve", "fi_curve", "rheobase", "stack_parameters", "sweep"]


@dataclass
class FICurve:
    """currents (in ``current_unit``), steady-state rates (Hz), first-step counts, raw result."""

    currents: np.ndarray
    current_unit: str
    rates_hz: np.ndarray
    n_spikes: np.ndarray
    result: SimResult


def fi_curve(model: NeuronModel, currents, duration, *, skip=None, record: bool = False,
             codegen=None, protocol: Protocol | None = None, **kwargs) -> FICurve:
    """Steady-state firing rate for each step current, all currents in one simulation.

    Parameters
    ----------
    currents : Quantity array, shape (N,)
        Step amplitudes (A or A/m² per model).
    duration : Quantity
        Step duration.
    skip : Quantity, optional
        Onset transient ignored by the rate (default: a quarter of ``duration``).
    protocol : Protocol, optional
        Another stimulus with ``currents`` as its per-neuron amplitudes (a ramp, pulses,
        noise; :mod:`.stimulus`); default ``step(currents, duration)``. The rate is taken over
        its ``window`` the same way.
    """
    from brian2 import ms

    if np.ndim(currents) != 1 or np.size(currents) < 1:
        raise ValueError(f"currents: expected a 1-D array of step currents, got {currents!r}")
    proto = step(currents, duration) if protocol is None else protocol
    res = simulate(model, proto, record=record, codegen=codegen, **kwargs)
    start, stop = res.window_ms
    skip_ms = (stop - start) / 4 if skip is None else float(skip / ms)
    rates = np.array([analysis.steady_state_rate(s, start, stop, skip_ms)
                      for s in res.spike_times_ms])
    counts = np.array([np.count_nonzero((s >= start) & (s < stop)) for s in res.spike_times_ms])
    unit, label = current_display_unit(model)
    return FICurve(np.asarray(currents / unit), label, rates, counts, res)


def rheobase(model: NeuronModel, low, high, duration, *, tol=None, codegen=None) -> object:
    """Smallest step current (Quantity) that evokes ≥ 1 spike during ``duration``, by bisection.

    ``low`` must evoke no spike and ``high`` at least one (checked first); stops when the
    bracket is narrower than ``tol`` (default 1e-3 × (high − low)); returns the upper end.
    """
    def fires(amp) -> bool:
        r = simulate(model, step(amp, duration), record=False, codegen=codegen)
        a, b = r.window_ms
        s = r.spike_times_ms[0]
        return bool(np.any((s >= a) & (s < b + 5.0)))

    if float(high) <= float(low):
        raise ValueError(f"rheobase bracket ({low!r}, {high!r}): high must exceed low")
    tol = (high - low) * 1e-3 if tol is None else tol
    if fires(low):
        raise ValueError(f"rheobase: low={low!r} already evokes a spike; lower it")
    if not fires(high):
        raise ValueError(f"rheobase: high={high!r} evokes no spike; raise it")
    while float(high - low) > float(tol):
        mid = 0.5 * (low + high)
        if fires(mid):
            high = mid
        else:
            low = mid
    return high


def sweep(model: NeuronModel, parameter: str, values, protocol: Protocol, **kwargs) -> SimResult:
    """Simulate ``protocol`` with ``parameter`` set to each of ``values`` (one neuron each),
    as one vectorized NeuronGroup."""
    if parameter not in model.parameters:
        raise ValueError(f"parameter {parameter!r}: not a parameter of {model.name!r}; known: "
                         f"{', '.join(model.parameters)}")
    if np.ndim(values) != 1:
        raise ValueError(f"values: expected a 1-D array for {parameter!r}")
    return simulate(model, protocol, params={parameter: values}, **kwargs)


def stack_parameters(models) -> tuple[NeuronModel, dict]:
    """Several parameter sets of one model (e.g. all AdEx patterns) as one population.

    Returns the first model and a ``params`` dict of per-neuron arrays for :func:`simulate`,
    so that N variants run as N neurons of one group (same equations, one compilation).
    """
    from brian2 import Quantity, get_dimensions

    models = list(models)
    if not models:
        raise ValueError("models: need at least one model")
    base = models[0]
    for m in models[1:]:
        if m.equations != base.equations or set(m.parameters) != set(base.parameters):
            raise ValueError(f"model {m.name!r}: equations differ from {base.name!r}; only "
                             "parameter sets of one model can share a group")
    params = {}
    for k, v0 in base.parameters.items():
        params[k] = Quantity(np.array([float(m.parameters[k]) for m in models]),
                             dim=get_dimensions(v0))
    return base, params
