"""Run a protocol on N neurons of one model: one NeuronGroup, one network, one compilation.

``simulate(model, protocol, n=..., params=...)`` builds a NeuronGroup named ``neuron`` (fixed
names keep the generated code identical between calls, so Brian2's Cython cache is hit), sets
per-neuron parameters (arrays sweep them), runs the protocol's segments and returns plain NumPy
arrays in ms / mV. Noise segments are fed by a ``NetworkOperation`` that copies pre-drawn
Ornstein–Uhlenbeck samples into ``I_noise`` every ``noise_dt``, at the start of the time step
and before the trace is recorded. The returned current is Brian2's own ``I_inj`` recorded with
``v``: ``current[:, k]`` is what the neuron integrates from ``t[k]`` to ``t[k] + dt``, so
``v[:, k + 1]`` is the first sample it moves.

Before a run, parameters are checked (:meth:`.model.NeuronModel.check_parameters`) and so is dt
(:func:`neurosim.codegen.check_dt`: positive, finite, no longer than the shortest protocol
segment); the integration method follows dt (:meth:`.model.NeuronModel.method_for`). After it,
the trace and every state variable must be finite (:func:`neurosim.codegen.check_finite`); a
diverged run, including the Cython target's ``ZeroDivisionError`` in a rate function, is one
``ValueError``: ``integration diverged at t = … ms in v; use a smaller dt (…)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..codegen import check_dt, check_finite, guarded_run, root_cause, select_target
from .model import NeuronModel
from .stimulus import Protocol, ou_noise

__all__ = ["SimResult", "simulate", "current_display_unit"]


@dataclass
class SimResult:
    """What a simulation returns (plain arrays; times in ms, voltages in mV).

    Attributes
    ----------
    model : str
    t_ms : ndarray, shape (T,)
        Sample times (empty when traces were not recorded).
    v_mV : ndarray, shape (n, T) or None
        Membrane potential; for reset models the spike apex (``model.spike_peak``) is drawn
        at each spike's sample, as in Brian2's AdEx example.
    current : ndarray, shape (n, T) or None
        Injected current in ``current_unit``, as integrated over the step that starts at
        ``t_ms`` (recorded from the model's ``I_inj``).
    current_unit : str
        ``"uA/cm2"`` or ``"nA"``.
    spike_times_ms : list of ndarray
        Spike times of each neuron (the model's threshold rule, Brian2 SpikeMonitor).
    window_ms : (float, float)
        Start and end of the stimulus proper.
    duration_ms, dt_ms : float
    target : str
        Code-generation target used.
    method : str
        Brian2 integration method used (it depends on dt for some models).
    """

    model: str
    t_ms: np.ndarray
    v_mV: np.ndarray | None
    current: np.ndarray | None
    current_unit: str
    spike_times_ms: list
    window_ms: tuple
    duration_ms: float
    dt_ms: float
    target: str
    method: str = ""

    @property
    def n(self) -> int:
        return len(self.spike_times_ms)


def current_display_unit(model: NeuronModel):
    """(Brian2 unit, label) used to report a model's current: µA/cm² or nA."""
    from brian2 import cm, nA, uA

    return (uA / cm ** 2, "uA/cm2") if model.current == "density" else (nA, "nA")


def _one_line(e: BaseException) -> str:
    e = root_cause(e)
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _check_current(model, name, value):
    from brian2 import second
    from brian2.units.fundamentalunits import have_same_dimensions

    unit = model.current_unit / second if name == "slope" else model.current_unit
    from brian2 import get_dimensions

    if get_dimensions(value).is_dimensionless and not np.any(np.asarray(value)):
        return  # a plain 0 is zero in any unit
    if not have_same_dimensions(value, unit):
        want = "a current density (e.g. 10*uA/cm**2)" if model.current == "density" \
            else "a current (e.g. 0.5*nA)"
        if name == "slope":
            want += " per second"
        raise ValueError(f"stimulus {name} {value!r}: model {model.name!r} expects {want}")


def simulate(model: NeuronModel, protocol: Protocol, *, n: int | None = None,
             params: dict | None = None, record: bool = True, record_dt=None, dt=None,
             noise_dt=None, codegen: str | None = None) -> SimResult:
    """Simulate ``n`` neurons of ``model`` under ``protocol``.

    Parameters
    ----------
    model : NeuronModel
    protocol : Protocol
        Amplitudes may be arrays of length ``n`` (one per neuron).
    n : int, optional
        Number of neurons; default from array amplitudes / parameters, else 1.
    params : dict, optional
        Parameter overrides, scalar or arrays of length ``n`` (a sweep), with units.
    record : bool
        Record ``v`` traces (False for f–I curves: spikes only).
    record_dt, dt, noise_dt : Quantity, optional
        Trace sampling step (default ``dt``), integration step (default ``model.dt``), update
        step of noisy current (default 0.1 ms).
    codegen : {"cython", "numpy", None}
        Passed to :func:`neurosim.codegen.select_target`.

    Returns
    -------
    SimResult

    Raises
    ------
    TypeError
        ``model``/``protocol`` of the wrong type, a time step without a unit.
    ValueError
        One line: a bad parameter (unknown, wrong dimension, NaN, sign), a stimulus of the wrong
        dimension, a dt that is not positive and finite or longer than the shortest segment,
        or an integration that diverged (``integration diverged at t = … ms in v; …``).
    """
    from brian2 import Network, SpikeMonitor, StateMonitor, ms

    if not isinstance(model, NeuronModel):
        raise TypeError(f"model={model!r}: expected a NeuronModel")
    if not isinstance(protocol, Protocol):
        raise TypeError(f"protocol={protocol!r}: expected a Protocol")
    params = dict(params or {})
    model.check_parameters(params)
    n = _population_size(protocol, n, params)
    for seg in protocol.segments:
        _check_current(model, "amplitude", seg.amp)
        _check_current(model, "slope", seg.slope)
        if seg.noise_sigma is not None:
            _check_current(model, "noise sigma", seg.noise_sigma)
    dt = check_dt(model.dt if dt is None else dt, [s.duration for s in protocol.segments])
    if record_dt is not None:
        check_dt(record_dt, [protocol.duration], "record_dt")
    noise_dt = check_dt(0.1 * ms if noise_dt is None else noise_dt, (), "noise_dt")
    method = model.method_for(dt)

    target = select_target(codegen)
    group = _neuron_group(model, n, params, method, dt)
    objects = [group]
    spikes = None
    if model.threshold is not None:  # a model without a spike rule (passive) has no spikes
        spikes = SpikeMonitor(group, record=True, name="neuron_spikes")
        objects.append(spikes)
    trace = None
    if record:
        trace = StateMonitor(group, ["v", "I_inj"], record=True, name="neuron_trace",
                             dt=dt if record_dt is None else record_dt)
        objects.append(trace)
    if any(s.noise_sigma is not None for s in protocol.segments):
        objects.append(_noise_feed(group, protocol, n, noise_dt))

    net = Network(*objects)
    steps = dict(dt_ms=float(dt / ms), default_dt_ms=float(model.dt / ms))
    _run_segments(net, group, model, protocol, steps)
    if trace is not None:
        check_finite({"v": trace.v_}, trace.t / ms, **steps)
    check_finite({name: group.state(name, use_units=False)
                  for name in group.equations.diff_eq_names},
                 t_end_ms=float(net.t / ms), **steps)

    spike_times = [np.asarray(spikes.spike_trains()[i] / ms) for i in range(n)] \
        if spikes is not None else [np.empty(0) for _ in range(n)]
    t_ms, v_mV, current = _traces(trace, model, params, spike_times, dt)
    return SimResult(model=model.name, t_ms=t_ms, v_mV=v_mV, current=current,
                     current_unit=current_display_unit(model)[1], spike_times_ms=spike_times,
                     window_ms=(float(protocol.window[0] / ms), float(protocol.window[1] / ms)),
                     duration_ms=float(protocol.duration / ms), dt_ms=float(dt / ms),
                     target=target, method=method)


def _population_size(protocol: Protocol, n, params: dict) -> int:
    """The one length of ``n``, the protocol's array amplitudes and the array parameters."""
    sizes = {np.size(v) for v in params.values() if np.ndim(v) > 0}
    if protocol.size() is not None:
        sizes.add(protocol.size())
    if n is not None:
        sizes.add(int(n))
    if len(sizes) > 1:
        raise ValueError(f"population sizes disagree: {sorted(sizes)} (n, array amplitudes, "
                         "array parameters must have one length)")
    n = sizes.pop() if sizes else 1
    if n < 1:
        raise ValueError(f"n={n}: need at least one neuron")
    return n


def _neuron_group(model: NeuronModel, n: int, params: dict, method: str, dt):
    """The NeuronGroup ``neuron`` of ``n`` neurons, parameters and initial state set."""
    from brian2 import NeuronGroup
    from brian2.units.fundamentalunits import DimensionMismatchError

    try:
        group = NeuronGroup(n, model.full_equations(), threshold=model.threshold,
                            reset=model.reset, refractory=model.refractory,
                            method=method, dt=dt, name="neuron", namespace={})
        for name, default in model.parameters.items():
            setattr(group, name, params.get(name, default))
        for name, value in model.initial.items():
            setattr(group, name, value)
    except (DimensionMismatchError, SyntaxError, KeyError, TypeError, ValueError,
            AttributeError) as e:
        raise ValueError(f"model {model.name!r}: {_one_line(e)}") from None
    return group


def _noise_feed(group, protocol: Protocol, n: int, noise_dt):
    """A NetworkOperation copying pre-drawn OU noise (zeros outside noise segments, SI units)
    into ``group.I_noise`` every ``noise_dt``."""
    from brian2 import NetworkOperation

    h = float(noise_dt)
    total = int(round(float(protocol.duration) / h)) + 1
    noise = np.zeros((total, n))
    start = 0.0
    for s in protocol.segments:
        k0, k1 = int(round(start / h)), int(round((start + float(s.duration)) / h))
        if s.noise_sigma is not None and k1 > k0:
            noise[k0:k1] = ou_noise(k1 - k0, n, float(s.noise_sigma), float(s.noise_tau),
                                    h, s.rng)
        start += float(s.duration)
    values = group.variables["I_noise"].get_value()

    def feed(t):
        values[:] = noise[min(int(round(float(np.asarray(t)) / h)), total - 1)]

    # order -1: the new sample is in place before the trace (order 0) records I_inj
    return NetworkOperation(feed, dt=noise_dt, when="start", order=-1, name="neuron_noise")


def _run_segments(net, group, model: NeuronModel, protocol: Protocol, steps: dict) -> None:
    """Run the protocol's segments in turn, each with its amplitude, slope and start time."""
    try:
        with guarded_run(group, **steps):
            for seg in protocol.segments:
                group.I_amp = seg.amp
                group.I_slope = seg.slope
                group.t_start = net.t
                net.run(seg.duration, namespace={})
    except Exception as e:  # Brian2 wraps model errors in BrianObjectException
        if type(e).__module__.startswith("brian2"):
            raise ValueError(f"model {model.name!r}: {_one_line(e)}") from None
        raise


def _traces(trace, model: NeuronModel, params: dict, spike_times: list, dt):
    """``(t_ms, v_mV, current)`` of the trace monitor (empty, None, None without one); the
    spike apex ``model.spike_peak`` drawn at each spike's sample."""
    from brian2 import ms, mV

    if trace is None:
        return np.empty(0), None, None
    n = len(spike_times)
    t_ms = np.asarray(trace.t / ms)
    v_mV = np.asarray(trace.v / mV)
    if model.spike_peak is not None:
        peak = float(model.parameters[model.spike_peak] / mV) if model.spike_peak not in \
            params else np.broadcast_to(np.asarray(params[model.spike_peak] / mV), (n,))
        peaks = np.broadcast_to(np.asarray(peak, dtype=float), (n,))
        step_ms = t_ms[1] - t_ms[0] if len(t_ms) > 1 else float(dt / ms)
        for i, st in enumerate(spike_times):
            idx = np.clip(np.round((st - t_ms[0]) / step_ms).astype(int), 0, len(t_ms) - 1)
            v_mV[i, idx] = peaks[i]
    unit, _ = current_display_unit(model)
    return t_ms, v_mV, np.asarray(trace.I_inj_) / float(unit / model.current_unit)
