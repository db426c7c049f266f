"""``neurosim phase`` and ``neurosim bifurcation``: why a neuron rests, fires, or fires again.

    neurosim phase MODEL [--pattern SET] [--current I] [--param NAME=VALUE_WITH_UNIT ...]
                   [--start V,Y ...] [--plot FILE] [--json]
    neurosim bifurcation MODEL [--pattern SET] --currents A:B:N [--param ...] [--quick]
                   [--plot FILE] [--json]

MODEL is ``fhn``, ``morris-lecar`` (``--pattern class1`` SNIC set or ``class2`` Hopf set),
``izhikevich`` (``--pattern RS``...), ``adex`` (``--pattern tonic``...), ``hh-rinzel`` or
``hh`` (4-D; ``bifurcation`` only). Currents in the model's unit: µA/cm² for ``hh``,
``hh-rinzel`` and ``morris-lecar`` (``10uA/cm2``), pA for ``izhikevich`` and ``adex``
(``250pA``), plain numbers for ``fhn`` (``0.5``). ``--param`` takes the strict units of
``neurosim neuron`` (:mod:`neurosim.neuron.cli_options`).

Currents must lie within the model's accepted range (:data:`CURRENT_LIMITS`, about 10x the
range where its dynamics change: ``fhn`` ±5, ``morris-lecar`` ±500 µA/cm², ``hh-rinzel`` and
``hh`` ±150 µA/cm², ``izhikevich`` ±2000 pA, ``adex`` ±5000 pA); far outside it the analysis
would take minutes or never end (``phase fhn --current 1e4`` took > 20 s, ``1e300`` hung,
``phase hh-rinzel --current -500uA/cm2`` ran > 4 min) and says nothing about a neuron. Measured
at the limits (shared 2-core machine): ``phase fhn`` ±5: 7–9 s; ``phase morris-lecar`` 500:
8 s; ``phase hh-rinzel`` −100: 20 s, +200: 49 s.
Bad input (unknown model or set, a wrong unit, a current outside the accepted range, a current
range that is empty or reversed, a 4-D model for ``phase``) is one error line and exit status
2; ``--plot`` follows :func:`common.paths.check_output_file` (missing folders are created).
No fixed point in the searched voltage range is a result, stated in the output.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from ..checks import require_finite

try:  # Brian2 2.9 uses pyparsing names deprecated in pyparsing 3.3: keep stderr to one line
    from pyparsing.warnings import PyparsingDeprecationWarning

    warnings.filterwarnings("ignore", category=PyparsingDeprecationWarning)
except ImportError:  # pragma: no cover - older pyparsing has no such warning
    pass

__all__ = ["register", "run_phase", "run_bifurcation", "parse_current", "parse_currents",
           "check_current", "CURRENT_LIMITS"]

MODEL_NAMES = ("fhn", "morris-lecar", "izhikevich", "adex", "hh-rinzel", "hh")
#: model -> largest accepted |current| in the model's unit
CURRENT_LIMITS = {"fhn": 5.0, "morris-lecar": 500.0, "izhikevich": 2000.0, "adex": 5000.0,
                  "hh-rinzel": 150.0, "hh": 150.0}
_PATTERNS = ("morris-lecar: class1 (SNIC, default) or class2 (Hopf); izhikevich: RS (default), "
             "IB, CH, FS, LTS, TC, RZ; adex: tonic (default), adapting, initial_burst, "
             "regular_bursting, delayed_accelerating, delayed_regular_bursting, transient, "
             "irregular; none for fhn, hh-rinzel, hh")
_UNIT_HELP = "µA/cm² (hh, hh-rinzel: 10uA/cm2, at most ±150uA/cm2; morris-lecar: at most " \
             "±500uA/cm2), pA " \
             "(izhikevich: 10pA, at most ±2000pA; adex: 250pA, at most ±5000pA), a plain " \
             "number (fhn: 0.5, at most ±5)"


def _common(p) -> None:
    p.add_argument("model", choices=MODEL_NAMES, metavar="MODEL", help=" | ".join(MODEL_NAMES))
    p.add_argument("--pattern", default=None, metavar="SET", help=_PATTERNS)
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE_WITH_UNIT",
                   help="override one parameter, repeatable, with the default's unit: e.g. "
                        "gCa=4.4mS/cm2, phi=0.04kHz (morris-lecar), gNa=100mS/cm2 (hh), "
                        "tau=10 (fhn) (default: the model's set; `neurosim models MODEL` "
                        "lists its parameters, e.g. `neurosim models morris-lecar`)")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help="write the figure, a .png, .pdf or .svg file; missing folders are "
                        "created (default: none)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: text)")


def register(subparsers) -> None:
    """Add ``phase`` and ``bifurcation`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "phase", help="phase plane of a 2-D neuron model: nullclines, fixed points, cycle",
        description="Phase plane at one current: every fixed point with V in the model's "
                    "range (eigenvalues, type), nullclines, flow, a sub- and a supra-"
                    "threshold trajectory, the limit cycle; Hopf and saddle-node currents.")
    _common(p)
    p.add_argument("--current", default=None, metavar="I",
                   help=f"injected current, negative = hyperpolarizing: {_UNIT_HELP} "
                        "(default: 0)")
    p.add_argument("--start", action="append", default=[], metavar="V,Y",
                   help="extra trajectory from this state, repeatable: two plain numbers in "
                        "the state's units (V in mV, the second variable in its own unit; fhn "
                        "dimensionless), e.g. -60,0.1 (default: none)")
    p.set_defaults(run=run_phase)
    b = subparsers.add_parser(
        "bifurcation", help="bifurcation diagram in the current: equilibria, Hopf, cycles",
        description="Equilibria and their stability, saddle-node and Hopf points, stable "
                    "cycles (min/max V, frequency), bistable ranges, the f-I curve and the "
                    "excitability class decided from both, for N currents START..STOP.")
    _common(b)
    b.add_argument("--currents", required=True, metavar="START:STOP:N",
                   help=f"N currents from START to STOP, both included, START < STOP, "
                        f"2 <= N <= 10000 (required): {_UNIT_HELP}")
    b.add_argument("--quick", action="store_true",
                   help="grid resolution only: no refinement of the bistable range's fold "
                        "and one round (not two) for the f-I onset (default: off)")
    b.set_defaults(run=run_bifurcation)


def _model(args):
    from neurosim.neuron.cli_options import parse_params

    from .models import get_model

    model = get_model(args.model, args.pattern)
    values, texts = parse_params(args.param, model)
    return (model.with_parameters(**values) if values else model), texts


def parse_current(text: str, model, what: str = "--current") -> float:
    """One current in the model's unit (``ValueError`` naming ``what`` on bad input)."""

    if model.current_unit == "1":
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{what} {text!r}: model {model.name!r} takes a plain number "
                             "(dimensionless current), e.g. 0.5") from None
        require_finite(value, f"{what} {text!r}")
        return check_current(value, model, text, what)
    from brian2 import amp, cm, meter, pA, uA

    from neurosim.neuron.units import parse_quantity

    density = model.current_unit == "uA/cm2"
    q = parse_quantity(text, amp / meter ** 2 if density else amp, what)
    return check_current(float(q / (uA / cm ** 2 if density else pA)), model, text, what)


def check_current(value: float, model, text: str, what: str = "--current") -> float:
    """``value`` (model's unit) if within ±:data:`CURRENT_LIMITS` of the model, else one
    ``ValueError`` line naming the value and the accepted range."""
    family = model.name.split(":")[0]
    limit = CURRENT_LIMITS.get(family)
    if limit is not None and not abs(value) <= limit:
        unit = "" if model.current_unit == "1" else model.current_unit
        raise ValueError(f"{what} {text}: outside the accepted range of {family}, "
                         f"-{limit:g}{unit} to {limit:g}{unit} (about 10x the range where its "
                         "dynamics change; beyond it the analysis can take minutes)")
    return value


def parse_currents(text: str, model):
    """``START:STOP:N`` -> N currents (model's unit), START < STOP, 2 <= N <= 10000."""
    import numpy as np

    from neurosim.neuron.cli_options import split_range

    start, stop, n = split_range(text, lambda part, what: parse_current(part, model, what),
                                 _example_range(model), n_min=2)
    if not start < stop:
        raise ValueError(f"--currents {text!r}: the range is empty or reversed "
                         "(need START < STOP)")
    return np.linspace(start, stop, n)


def _example_range(model) -> str:
    return {"uA/cm2": "0uA/cm2:20uA/cm2:41", "pA": "0pA:400pA:41", "1": "0:1:41"}[
        model.current_unit]


def _starts(specs, model):
    import numpy as np

    rows = []
    for spec in specs:
        try:
            row = [float(x) for x in spec.split(",")]
        except ValueError:
            row = []
        if len(row) != 2 or not all(np.isfinite(row)):
            raise ValueError(f"--start {spec!r}: expected two numbers V,Y in "
                             f"{', '.join(model.state_units)}, e.g. -60,0.1")
        rows.append(row)
    return np.array(rows) if rows else None


def _header(args, model, texts) -> dict:
    return {"model": args.model, "pattern": args.pattern, "name": model.name,
            "source": model.source, "equations": model.equations, "params": texts,
            "state": list(model.state), "state_units": list(model.state_units),
            "current_unit": model.current_unit, "time_unit": model.time_unit}


def run_phase(args) -> int:
    from neurosim.neuron.cli_plots import check_plot_path

    from .cli_output import phase_json, print_phase
    from .phase_plane import phase_portrait, require_planar

    if args.plot is not None:
        check_plot_path(args.plot)
    model, texts = _model(args)
    require_planar(model)
    current = 0.0 if args.current is None else parse_current(args.current, model)
    pp = phase_portrait(model, current, starts=_starts(args.start, model))
    out = {**_header(args, model, texts), **phase_json(model, pp)}
    if args.plot is not None:
        from .cli_plots import plot_phase

        plot_phase(model, pp, args.plot)
        out["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(out, allow_nan=False))
    else:
        print_phase(out)
    return 0


def run_bifurcation(args) -> int:
    from neurosim.neuron.cli_plots import check_plot_path

    from .cli_output import bifurcation_json, print_bifurcation
    from .diagram import bifurcation_diagram, rest_state
    from .excitability import excitability, fi_curve

    if args.plot is not None:
        check_plot_path(args.plot)
    model, texts = _model(args)
    currents = parse_currents(args.currents, model)
    i_rest = 0.0 if rest_state(model, 0.0) is not None else float(currents[0])
    fi = fi_curve(model, currents, i_rest=i_rest) \
        if rest_state(model, i_rest) is not None else None
    exc = excitability(model, currents, i_rest=i_rest, fi=fi, rounds=1 if args.quick else 2) \
        if fi is not None else None
    onset = None if exc is None else exc["from_fi"]
    dg = bifurcation_diagram(model, currents, refine=not args.quick,
                             from_rest=None if fi is None else fi.cycles,
                             extra_cycles=() if onset is None else (onset.cycle,))
    out = {**_header(args, model, texts), **bifurcation_json(model, dg, fi, exc)}
    if args.plot is not None:
        from .cli_plots import plot_bifurcation

        plot_bifurcation(model, dg, fi, exc and exc["from_fi"], args.plot)
        out["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(out, allow_nan=False))
    else:
        print_bifurcation(out)
    return 0
