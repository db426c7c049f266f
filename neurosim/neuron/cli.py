"""``neurosim neuron`` and ``neurosim fi``: one neuron under a current step; an f–I curve.

    neurosim neuron MODEL [--pattern NAME] --current 10uA/cm2 --duration 200ms
                    [--dt 0.05ms] [--param NAME=VALUE_WITH_UNIT ...] [--plot F] [--json]
    neurosim fi MODEL [--pattern NAME] --currents 6uA/cm2:6.5uA/cm2:6 --duration 500ms
                [--dt 0.05ms] [--param NAME=VALUE_WITH_UNIT ...] [--plot F] [--json]

MODEL is ``lif``, ``hh``, ``traub``, ``izhikevich`` or ``adex``; HH-type models take a current
density (uA/cm2), the others a current (nA, pA). Units are parsed strictly; a wrong unit or
dimension is one error line and exit status 2. Plots use matplotlib's Agg backend and are
written atomically (temporary file in the same folder, then ``os.replace``).

Reproducing a run:

- ``--dt VALUE_WITH_UNIT`` — integration time step (default: the model's, 0.01ms). Positive,
  finite, at most the shortest stretch of the protocol (the 20 ms rest before the step). HH and
  Traub–Miles switch from RK4 to exponential Euler above 0.025 ms (the JSON says ``method``).
- ``--param NAME=VALUE_WITH_UNIT`` (repeatable) — overrides one parameter of the model's set,
  e.g. ``--param DeltaT=0.5mV`` (AdEx; ``DeltaT=0mV`` is its LIF limit), ``--param
  gNa=100mS/cm2`` (hh, traub). The value must have the default's dimension; an unknown name
  lists the valid ones; the model's sign constraints hold (capacitances, time constants and
  AdEx's gL > 0; HH conductances, DeltaT and t_ref >= 0).

Every bad value is one line ``neurosim neuron: error: --param DeltaT=0.5nA: DeltaT needs a
voltage (e.g. 2mV)`` and exit status 2, as is a run that diverged (``integration diverged at
t = … ms in v; use a smaller dt (…)``). The JSON output repeats ``dt_ms``, ``method`` and the
``params`` given.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from .cli_options import add_reproduction_options, check_dt_option, parse_params
from .cli_plots import check_plot_path, plot_fi, plot_morphology, plot_trace

try:  # Brian2 2.9 uses pyparsing names deprecated in pyparsing 3.3: keep stderr to one line
    from pyparsing.warnings import PyparsingDeprecationWarning

    warnings.filterwarnings("ignore", category=PyparsingDeprecationWarning)
except ImportError:  # pragma: no cover - older pyparsing has no such warning
    pass

__all__ = ["register", "run_neuron", "run_fi", "run_morphology", "parse_current_range"]

_MODELS = ("lif", "hh", "traub", "izhikevich", "adex")


def register(subparsers) -> None:
    """Add ``neuron`` and ``fi`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "neuron", help="simulate one neuron under a current step; rest, spikes, AP shape",
        description="Simulate one neuron (Brian2) under a current step: 20 ms rest, the step, "
                    "30 ms tail. Prints rest, spike count, rate, AP peak, AHP minimum.")
    p.add_argument("model", choices=_MODELS, metavar="MODEL", help=" | ".join(_MODELS))
    p.add_argument("--pattern", default=None, help="Izhikevich type (RS, IB, CH, FS, LTS, TC, "
                   "RZ) or AdEx pattern (tonic, adapting, initial_burst, ...)")
    p.add_argument("--current", required=True, metavar="VALUE_WITH_UNIT",
                   help="step amplitude, e.g. 10uA/cm2 (hh, traub), 0.5nA (lif), 10pA")
    p.add_argument("--duration", required=True, metavar="VALUE_WITH_UNIT",
                   help="step duration, e.g. 200ms")
    add_reproduction_options(p)
    p.add_argument("--plot", type=Path, default=None, metavar="FILE", help="write a PNG/PDF/SVG")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run_neuron)

    f = subparsers.add_parser(
        "fi", help="f–I curve: steady-state rate for N step currents (one simulation)",
        description="Steady-state firing rate (1 / mean ISI after the first quarter of the "
                    "step) for N currents START..STOP, simulated as N neurons in one group.")
    f.add_argument("model", choices=_MODELS, metavar="MODEL", help=" | ".join(_MODELS))
    f.add_argument("--pattern", default=None, help="Izhikevich type or AdEx pattern")
    f.add_argument("--currents", required=True, metavar="START:STOP:N",
                   help="e.g. 6uA/cm2:6.5uA/cm2:6 (N currents, both ends included)")
    f.add_argument("--duration", required=True, metavar="VALUE_WITH_UNIT",
                   help="step duration, e.g. 500ms")
    add_reproduction_options(f)
    f.add_argument("--plot", type=Path, default=None, metavar="FILE", help="write a PNG/PDF/SVG")
    f.add_argument("--json", action="store_true", help="print one JSON object")
    f.set_defaults(run=run_fi)

    m = subparsers.add_parser(
        "morphology", help="draw a multi-compartment neuron and simulate soma/dendrite voltages",
        description="Draw a neuron shape (pyramidal, bipolar, unipolar, multipolar) and inject "
                    "a current step into its soma (HH soma and axon, passive dendrites).")
    m.add_argument("shape", choices=("pyramidal", "bipolar", "unipolar", "multipolar"),
                   metavar="SHAPE", help="pyramidal | bipolar | unipolar | multipolar")
    m.add_argument("--current", default="1nA", metavar="VALUE_WITH_UNIT",
                   help="somatic step (default 1nA)")
    m.add_argument("--duration", default="30ms", metavar="VALUE_WITH_UNIT",
                   help="step duration (default 30ms)")
    m.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help="shape + voltage traces (PNG/PDF/SVG)")
    m.add_argument("--json", action="store_true", help="print one JSON object")
    m.set_defaults(run=run_morphology)


def _model_and_units(args):
    """The model with ``--param`` applied, the current's unit, duration, dt and params."""
    from brian2 import amp, meter, second

    from .library import get_model
    from .units import parse_quantity

    model = get_model(args.model, args.pattern)
    values, texts = parse_params(args.param, model)
    model = model.with_parameters(**values)
    expected = amp / meter ** 2 if model.current == "density" else amp
    duration = parse_quantity(args.duration, second, "--duration")
    if float(duration) <= 0:
        raise ValueError(f"--duration {args.duration!r}: must be positive")
    dt = model.dt if args.dt is None else parse_quantity(args.dt, second, "--dt")
    return model, expected, duration, dt, texts


def parse_current_range(text: str, expected):
    """``START:STOP:N`` -> Quantity array of N currents from START to STOP inclusive."""
    import numpy as np

    from .units import parse_quantity

    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"--currents {text!r}: expected START:STOP:N, e.g. 0nA:1nA:11")
    start = parse_quantity(parts[0], expected, "--currents START")
    stop = parse_quantity(parts[1], expected, "--currents STOP")
    try:
        n = int(parts[2])
    except ValueError:
        raise ValueError(f"--currents {text!r}: N={parts[2]!r} is not an integer") from None
    if not 1 <= n <= 10000:
        raise ValueError(f"--currents {text!r}: N={n} must be between 1 and 10000")
    frac = np.linspace(0.0, 1.0, n)
    return start + (stop - start) * frac


def run_neuron(args) -> int:
    from .analysis import PHASES, label_phases, trace_summary
    from .simulate import current_display_unit, simulate
    from .stimulus import step
    from .units import parse_quantity

    if args.plot is not None:
        check_plot_path(args.plot)
    model, expected, duration, dt, params = _model_and_units(args)
    current = parse_quantity(args.current, expected, "--current")
    protocol = step(current, duration)
    check_dt_option(protocol, dt)
    res = simulate(model, protocol, dt=dt)
    unit, label = current_display_unit(model)
    shaped = model.spike_peak is None and model.v_detect is not None
    s = trace_summary(res.t_ms, res.v_mV[0], res.spike_times_ms[0], res.window_ms,
                      spike_shape=shaped or model.spike_peak is not None)
    if model.spike_peak is not None:  # drawn spikes: the apex is the model's cut-off, no width
        s["width_ms"] = None
    out = {"model": args.model, "pattern": args.pattern, "source": model.source,
           "current": float(f"{float(current / unit):.12g}"), "current_unit": label,
           "duration_ms": float(duration) * 1e3, "dt_ms": res.dt_ms, "method": res.method,
           "params": params, "codegen": res.target, **s}
    out["firing_pattern"] = out.pop("pattern")
    out["pattern"] = args.pattern
    if args.plot is not None:
        phases = label_phases(res.t_ms, res.v_mV[0], res.spike_times_ms[0], s["rest_mV"]) \
            if shaped else None
        plot_trace(res, phases, PHASES, out, args.plot)
        out["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{model.name}: {args.current} for {args.duration} ({model.source})")
        print(f"  dt {res.dt_ms:g} ms ({res.method})"
              + "".join(f", {k}={v}" for k, v in params.items()))
        fmt = lambda x, u: "n/a" if x is None else f"{x:.2f} {u}"  # noqa: E731
        print(f"  rest {fmt(out['rest_mV'], 'mV')}, {out['n_spikes']} spikes, "
              f"{out['rate_hz']:.1f} Hz, pattern {out['firing_pattern']}")
        print(f"  AP threshold {fmt(out['threshold_mV'], 'mV')}, peak {fmt(out['peak_mV'], 'mV')}"
              f", width {fmt(out['width_ms'], 'ms')}, AHP min {fmt(out['ahp_min_mV'], 'mV')}")
        if args.plot is not None:
            print(f"  plot: {args.plot}")
    return 0


def run_fi(args) -> int:
    from .protocols import fi_curve

    if args.plot is not None:
        check_plot_path(args.plot)
    from .stimulus import step

    model, expected, duration, dt, params = _model_and_units(args)
    currents = parse_current_range(args.currents, expected)
    check_dt_option(step(currents, duration), dt)
    fi = fi_curve(model, currents, duration, dt=dt)
    out = {"model": args.model, "pattern": args.pattern, "current_unit": fi.current_unit,
           "currents": [float(f"{c:.12g}") for c in fi.currents], "rates_hz": fi.rates_hz.tolist(),
           "n_spikes": fi.n_spikes.tolist(), "duration_ms": float(duration) * 1e3,
           "rate_definition": "1 / mean ISI after the first quarter of the step (0 if < 2)",
           "dt_ms": fi.result.dt_ms, "method": fi.result.method, "params": params,
           "codegen": fi.result.target}
    if args.plot is not None:
        plot_fi(fi, model.name, args.plot)
        out["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(out))
    else:
        print(f"f–I curve of {model.name} ({len(fi.currents)} currents, one simulation; dt "
              f"{fi.result.dt_ms:g} ms, {fi.result.method})"
              + "".join(f", {k}={v}" for k, v in params.items()))
        for c, r in zip(fi.currents, fi.rates_hz):
            print(f"  {c:10.4g} {fi.current_unit:7s} {r:8.2f} Hz")
    return 0


def run_morphology(args) -> int:
    from brian2 import amp, second

    from .morphology import segments, shape, simulate_morphology
    from .units import parse_quantity

    if args.plot is not None:
        check_plot_path(args.plot)
    current = parse_quantity(args.current, amp, "--current")
    duration = parse_quantity(args.duration, second, "--duration")
    if float(duration) <= 0:
        raise ValueError(f"--duration {args.duration!r}: must be positive")
    sh = shape(args.shape)
    res = simulate_morphology(sh, current, duration)
    out = {"shape": sh.name, "description": sh.description, "current_nA": float(current) * 1e9,
           "duration_ms": float(duration) * 1e3, "segments": segments(sh),
           "sites": {name: {"peak_mV": float(res.v_mV[k].max()),
                            "spike_times_ms": res.spike_times_ms[name].tolist()}
                     for name, k in res.sites.items()}}
    if args.plot is not None:
        plot_morphology(sh, res, args.plot)
        out["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{sh.name}: {sh.description}")
        for name, site in out["sites"].items():
            print(f"  {name:22s} peak {site['peak_mV']:7.1f} mV, "
                  f"{len(site['spike_times_ms'])} spikes")
        if args.plot is not None:
            print(f"  plot: {args.plot}")
    return 0
