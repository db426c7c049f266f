"""``neurosim neuron`` and ``neurosim fi``: one neuron under a stimulus; an f–I curve.

    neurosim neuron MODEL [--pattern NAME] --current 10uA/cm2 --duration 200ms
                    [--stimulus step|ramp|pulses|noise ...] [--dt 0.05ms]
                    [--param NAME=VALUE_WITH_UNIT ...] [--plot F] [--csv F] [--json]
    neurosim fi MODEL [--pattern NAME] --currents 6uA/cm2:6.5uA/cm2:6 --duration 500ms
                [--stimulus ...] [--dt 0.05ms] [--param ...] [--plot F] [--json]

(``neurosim morphology`` is registered here too, from :mod:`.cli_morphology`.) MODEL is
``lif``, ``hh``, ``traub``, ``izhikevich`` or ``adex``; HH-type models take a current density
(uA/cm2), the others a current (nA, pA); values are echoed in the unit typed. Negative values
are values (``--current -5uA/cm2``: a hyperpolarizing step). Stimuli: :mod:`.cli_stimulus`;
``--dt``/``--param``: :mod:`.cli_options`; physical checks (a dt beyond the validated range, a
reset that fires every step, a voltage outside −150..+100 mV): :mod:`.sanity`; wording, JSON
rounding and CSV: :mod:`.cli_output`. Bad input and refused runs are one line, exit status 2;
warnings are one line each on stderr (``neurosim neuron: warning: …``).

``neurosim fi`` runs in :mod:`.cli_fi`.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

from ..checks import require_positive
from .cli_fi import parse_current_range, run_fi
from .cli_options import add_reproduction_options, check_dt_option, parse_params
from .cli_stimulus import add_stimulus_options, build_protocol, in_typed_unit, ramp_note

try:  # Brian2 2.9 uses pyparsing names deprecated in pyparsing 3.3: keep stderr to one line
    from pyparsing.warnings import PyparsingDeprecationWarning

    warnings.filterwarnings("ignore", category=PyparsingDeprecationWarning)
except ImportError:  # pragma: no cover - older pyparsing has no such warning
    pass

__all__ = ["register", "run_neuron", "run_fi", "parse_current_range", "MODEL_CHOICES"]

MODEL_CHOICES = ("lif", "hh", "traub", "izhikevich", "adex")
_PATTERN_HELP = ("izhikevich: RS (default), IB, CH, FS, LTS, TC, RZ (Izhikevich 2003 Fig. 2); "
                 "adex: tonic (default), adapting, initial_burst, regular_bursting, "
                 "delayed_accelerating, delayed_regular_bursting, transient, irregular "
                 "(Naud et al. 2008); none for lif, hh, traub (default: the model's)")
_OUTPUT_HELP = "write the figure, a .png, .pdf or .svg file; missing folders are created"


def register(subparsers) -> None:
    """Add ``neuron``, ``fi`` and ``morphology`` to the ``neurosim`` parser."""
    from .cli_morphology import register_morphology

    p = subparsers.add_parser(
        "neuron", help="simulate one neuron under a current step; rest, spikes, AP shape",
        description="Simulate one neuron (Brian2): 20 ms rest, the stimulus for --duration, "
                    "30 ms tail. Prints rest, spikes during and after the stimulus, rate, "
                    "firing pattern, AP threshold, peak, width, AHP minimum. `neurosim models` "
                    "lists the models, patterns, stimuli and parameters.")
    _add_model(p)
    p.add_argument("--current", required=True, metavar="VALUE_WITH_UNIT",
                   help="stimulus amplitude (required), negative = hyperpolarizing: a current "
                        "density for hh, traub (10uA/cm2), a current for lif (0.5nA), "
                        "izhikevich (10pA), adex (500pA)")
    _add_run_options(p, "200ms")
    p.add_argument("--csv", type=Path, default=None, metavar="FILE",
                   help="write the trace as CSV: '#' comment lines (command, model, "
                        "spike_times_ms), then t_ms,V_mV,I_<unit of --current> per sample; "
                        "missing folders are created (default: none)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: text)")
    p.set_defaults(run=run_neuron)

    f = subparsers.add_parser(
        "fi", help="f–I curve: steady-state rate for N step currents (one simulation)",
        description="Steady-state firing rate (1 / mean ISI after the first quarter of the "
                    "stimulus) for N currents START..STOP, simulated as N neurons in one group.")
    _add_model(f)
    f.add_argument("--currents", required=True, metavar="START:STOP:N",
                   help="N currents from START to STOP, both included, START < STOP (or N = 1 "
                        "and START = STOP), 1 <= N <= 10000; units as for `neuron --current`, "
                        "e.g. 6uA/cm2:6.5uA/cm2:6 (hh) or -2nA:2nA:5 (lif) (required)")
    _add_run_options(f, "500ms")
    f.add_argument("--json", action="store_true", help="print one JSON object (default: text)")
    f.set_defaults(run=run_fi)

    register_morphology(subparsers)


def _add_model(p) -> None:
    """MODEL and ``--pattern``, shared by ``neuron`` and ``fi``."""
    p.add_argument("model", choices=MODEL_CHOICES, metavar="MODEL",
                   help=" | ".join(MODEL_CHOICES))
    p.add_argument("--pattern", default=None, help=_PATTERN_HELP)


def _add_run_options(p, duration_example: str) -> None:
    """``--duration``, the stimulus and reproduction options and ``--plot``, shared by
    ``neuron`` and ``fi``."""
    p.add_argument("--duration", required=True, metavar="VALUE_WITH_UNIT",
                   help=f"stimulus duration (required), a time, e.g. {duration_example}")
    add_stimulus_options(p)
    add_reproduction_options(p)
    p.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help=_OUTPUT_HELP + " (default: none)")


def _warn(args, text: str | None) -> None:
    if text:
        print(f"neurosim {args.command}: warning: {text}", file=sys.stderr)


def _model_and_units(args):
    """The model with ``--param`` applied and checked, the current's unit, duration, dt and
    the ``--param`` texts."""
    from brian2 import amp, meter, ms, second

    from .library import get_model
    from .sanity import check_reset
    from .units import parse_quantity

    model = get_model(args.model, args.pattern)
    values, texts = parse_params(args.param, model)
    model = model.with_parameters(**values)
    check_reset(model, texts)
    expected = amp / meter ** 2 if model.current == "density" else amp
    duration = parse_quantity(args.duration, second, "--duration")
    require_positive(float(duration), f"--duration {args.duration!r}")
    dt = model.dt if args.dt is None else parse_quantity(args.dt, second, "--dt")
    return model, expected, duration, dt, texts


def _check_dt(args, model, protocol, dt) -> None:
    from brian2 import ms

    from .sanity import dt_verdict

    check_dt_option(protocol, dt)
    _warn(args, dt_verdict(model, float(dt / ms)))


def _reset_phases(model) -> dict:
    """:func:`.analysis.label_phases` options of an integrate-and-fire model: the spike ends
    in a reset; the refractory period is the model's (LIF's ``t_ref``), else none."""
    from brian2 import ms

    t_ref = model.parameters.get("t_ref")
    return {"reset": True, "refractory_ms": 0.0 if t_ref is None else float(t_ref / ms)}


def _command_text(args) -> str:
    """The ``neurosim neuron`` command line that reproduces ``args`` (for the CSV header)."""
    parts = ["neurosim", "neuron", args.model]
    for dest in ("pattern", "current", "duration", "stimulus", "ramp_start", "pulse_width",
                 "period", "noise_sigma", "noise_tau", "seed", "dt"):
        value = getattr(args, dest, None)
        if value is not None:
            parts += ["--" + dest.replace("_", "-"), str(value)]
    for spec in args.param:
        parts += ["--param", spec]
    return " ".join(parts)


def _check_outputs(args) -> None:
    from common.paths import check_output_file

    if args.plot is not None:
        check_output_file(args.plot, "--plot", suffixes=(".png", ".pdf", ".svg"))
    if getattr(args, "csv", None) is not None:
        check_output_file(args.csv, "--csv", suffixes=(".csv",))


def run_neuron(args) -> int:
    from .analysis import trace_summary
    from .cli_output import pattern_label, round_json, spike_counts
    from .sanity import check_hyperpolarization, check_voltage_range, rate_warning
    from .simulate import simulate
    from .units import parse_quantity

    _check_outputs(args)
    model, expected, duration, dt, params = _model_and_units(args)
    current = parse_quantity(args.current, expected, "--current")
    protocol = build_protocol(args, current, duration, expected)
    _check_dt(args, model, protocol, dt)
    strict = model.v_detect is not None  # conductance-based: refuse (see .sanity)
    _warn(args, check_hyperpolarization(model, current, f"--current {args.current}", strict))
    res = simulate(model, protocol, dt=dt)
    _warn(args, check_voltage_range(res.v_mV[0], f"--current {args.current}", strict=strict))
    shaped = model.spike_peak is None and model.v_detect is not None
    s = trace_summary(res.t_ms, res.v_mV[0], res.spike_times_ms[0], res.window_ms,
                      spike_shape=shaped or model.spike_peak is not None)
    if model.spike_peak is not None:  # drawn spikes: the apex is the model's cut-off, no width
        s["width_ms"] = None
    counts = spike_counts(res.spike_times_ms[0], res.window_ms)
    value, unit = in_typed_unit(current, args.current)
    out = {"model": args.model, "pattern": args.pattern, "source": model.source,
           "stimulus": args.stimulus, "current": value, "current_unit": unit,
           "duration_ms": float(duration) * 1e3, "dt_ms": res.dt_ms, "method": res.method,
           "params": params, "codegen": res.target, **s, **counts,
           "firing_pattern": pattern_label(s["pattern"], counts, float(current),
                                           args.stimulus)}
    out["pattern"] = args.pattern
    _warn(args, rate_warning(counts["rate_hz"], f"--current {args.current}"))
    _write_files(args, model, res, out, shaped, unit)
    note = ramp_note(args, model, current, duration, dt) if not counts["n_spikes_stimulus"] \
        else None
    if note:
        out["note"] = note
    out = round_json(out)
    if args.json:
        print(json.dumps(out))
        return 0
    _print_summary(args, model, res, out, counts, params, note)
    return 0


def _write_files(args, model, res, out: dict, shaped: bool, unit: str) -> None:
    """Write ``--plot`` (the trace, phases coloured) and ``--csv``; note their paths in
    ``out``. ``unit`` is the unit typed for ``--current``."""
    from .analysis import PHASES, label_phases
    from .cli_output import write_trace_csv
    from .cli_plots import plot_trace
    from .simulate import current_display_unit
    from .units import parse_quantity

    disp_unit, _ = current_display_unit(model)
    factor = float(disp_unit / parse_quantity("1" + unit))
    if args.plot is not None:
        phases = label_phases(res.t_ms, res.v_mV[0], res.spike_times_ms[0], out["rest_mV"],
                              **({} if shaped else _reset_phases(model)))
        plot_trace(res, phases, PHASES, out, args.plot, current_factor=factor)
        out["plot"] = str(args.plot)
    if args.csv is not None:
        write_trace_csv(args.csv, res, factor, unit, [
            _command_text(args), f"model {model.name} ({model.source})",
            f"stimulus window {res.window_ms[0]:g}-{res.window_ms[1]:g} ms; dt {res.dt_ms:g} ms "
            f"({res.method})"])
        out["csv"] = str(args.csv)


def _print_summary(args, model, res, out: dict, counts: dict, params: dict, note) -> None:
    """The text report of ``neurosim neuron``: stimulus, dt, rest and spikes, AP shape."""
    from .cli_output import plural

    where = "the step" if args.stimulus == "step" else "the stimulus"
    print(f"{model.name}: {args.stimulus} {args.current} for {args.duration} ({model.source})")
    print(f"  dt {res.dt_ms:g} ms ({res.method})"
          + "".join(f", {k}={v}" for k, v in params.items()))
    fmt = lambda x, u: "n/a" if x is None else f"{x:.2f} {u}"  # noqa: E731
    line = f"  rest {fmt(out['rest_mV'], 'mV')}, {plural(counts['n_spikes_stimulus'], 'spike')}" \
           f" during {where} ({counts['rate_hz']:.1f} Hz)"
    if counts["n_spikes_before"]:
        line += f", {counts['n_spikes_before']} before it"
    if counts["n_spikes_after"]:
        word = "rebound spike" if out["firing_pattern"] == "rebound" else "spike"
        line += f", {plural(counts['n_spikes_after'], word)} after it"
    print(f"{line}; pattern {out['firing_pattern']}")
    if note:
        print(f"  note: {note}")
    if counts["n_spikes"]:
        print(f"  AP threshold {fmt(out['threshold_mV'], 'mV')}, peak {fmt(out['peak_mV'], 'mV')}"
              f", width {fmt(out['width_ms'], 'ms')}, AHP min {fmt(out['ahp_min_mV'], 'mV')}")
    if args.plot is not None:
        print(f"  plot: {args.plot}")
    if args.csv is not None:
        print(f"  csv: {args.csv}")
