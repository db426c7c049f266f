"""``neurosim stdp window|song``: the STDP learning window from pairings; Song et al.'s
bimodal weights under Poisson input (:mod:`.stdp_protocols`).

    neurosim stdp window [--rule additive|multiplicative] [--A-plus 0.005] [--ratio 1.05]
                         [--tau-plus 20ms] [--tau-minus 20ms] [--pairs 60] [--frequency 1Hz]
                         [--step 5ms] [--engine brian2|nest] [--json] [--plot FILE]
    neurosim stdp song [--rule additive|multiplicative] [--duration 60s] [--inputs 200]
                       [--rate 15Hz] [--A-plus 0.02] [--dt 0.5ms] [--seed S]
                       [--engine brian2|nest] [--json] [--plot FILE]

The song defaults are the tested set-up (tests/network/test_stdp_song.py): 200 inputs with
Song's total conductance reach the bimodal state in 60 s; 1000 inputs with A+ = 0.01 were still
spread between the bounds after 100 s.

Values with units are parsed strictly (``20ms``, ``1Hz``); a bad value is one error line and
exit status 2. Plots (PNG, PDF, SVG) are written atomically.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from ..checks import require_at_least, require_finite_number, require_positive

__all__ = ["register", "run_window", "run_song"]

_ENGINES = ("brian2", "nest")
_RULES = ("additive", "multiplicative")


def register(subparsers) -> None:
    """Add ``stdp`` with its ``window`` and ``song`` protocols to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "stdp", help="STDP: learning window from pairings; Song et al.'s bimodal weights",
        description="Pair-based STDP with traces (Song, Miller & Abbott 2000; window after "
                    "Bi & Poo 1998) on Brian2 or NEST.")
    sub = p.add_subparsers(dest="protocol", metavar="PROTOCOL", required=True,
                           parser_class=type(p))
    w = sub.add_parser("window", help="weight change against Δt = t_post - t_pre",
                       description="Pairings pre->post at Δt from -100 to +100 ms, one synapse "
                                   "per Δt; per-pairing change against ±A± exp(-|Δt|/τ±).")
    _common(w, a_plus="0.005")
    w.add_argument("--tau-plus", default="20ms", metavar="TIME",
                   help="potentiation time constant τ+, with a unit (default %(default)s)")
    w.add_argument("--tau-minus", default="20ms", metavar="TIME",
                   help="depression time constant τ-, with a unit (default %(default)s)")
    w.add_argument("--pairs", type=int, default=60, metavar="N",
                   help="pairings per Δt (default %(default)s)")
    w.add_argument("--frequency", default="1Hz", metavar="RATE",
                   help="pairing frequency with a unit, as Bi & Poo 1998 "
                        "(default %(default)s)")
    w.add_argument("--step", default="5ms", metavar="TIME",
                   help="spacing of the Δt grid in [-100, 100] ms, with a unit "
                        "(default %(default)s)")
    w.set_defaults(run=_missing_nest_is_one_line(run_window))
    s = sub.add_parser("song", help="Poisson inputs with STDP onto one LIF: final weights",
                       description="Song, Miller & Abbott (2000): excitatory Poisson inputs "
                                   "with STDP onto one conductance-based LIF neuron.")
    _common(s, a_plus="0.02")
    s.add_argument("--duration", default="60s", metavar="TIME",
                   help="simulated time with a unit (default %(default)s)")
    s.add_argument("--inputs", type=int, default=200, metavar="N",
                   help="Poisson inputs; w_max scales as 1000/N (default %(default)s)")
    s.add_argument("--dt", default="0.5ms", metavar="TIME",
                   help="time step with a unit (default %(default)s)")
    s.add_argument("--rate", default="15Hz", metavar="RATE",
                   help="rate of each Poisson input, with a unit (default %(default)s)")
    s.add_argument("--seed", type=int, default=0,
                   help="seed of the Poisson inputs and initial weights (default %(default)s)")
    s.set_defaults(run=_missing_nest_is_one_line(run_song))


def _missing_nest_is_one_line(run):
    """``run`` with a missing NEST (ImportError) turned into one stderr line and exit 1."""
    def wrapped(args) -> int:
        try:
            return run(args)
        except ImportError as e:
            print(f"neurosim stdp: error: {e}", file=sys.stderr)
            return 1
    wrapped.__name__ = run.__name__
    return wrapped


def _common(p, a_plus: str) -> None:
    p.add_argument("--rule", choices=_RULES, default="additive",
                   help="weight dependence: additive (hard bounds) or multiplicative "
                        "(Gütig 2003 form, μ = 1) (default %(default)s)")
    p.add_argument("--A-plus", dest="a_plus", type=float, default=float(a_plus),
                   help="potentiation per pairing, fraction of w_max (default %(default)s)")
    p.add_argument("--ratio", type=float, default=1.05,
                   help="A_minus / A_plus (default %(default)s)")
    p.add_argument("--engine", choices=_ENGINES, default="brian2",
                   help="simulator (default %(default)s)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (default: off, text)")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="write a figure (.png, .pdf, .svg) (default: none)")


def _quantity(text, unit, option, positive=True):
    from neurosim.neuron.units import parse_quantity

    q = parse_quantity(text, unit, option)
    if positive:
        require_positive(float(q), f"{option} {text!r}")
    return q


def _check_a(args):
    for name, x in (("--A-plus", args.a_plus), ("--ratio", args.ratio)):
        require_finite_number(x, f"{name} {x!r}", ">=")


def run_window(args) -> int:
    from brian2 import Hz, mV, ms

    from neurosim.neuron.cli_plots import check_plot_path

    from .plasticity import STDP
    from .stdp_protocols import pairing_window

    _check_a(args)
    if args.plot:
        check_plot_path(args.plot)
    stdp = STDP(tau_plus=_quantity(args.tau_plus, ms, "--tau-plus"),
                tau_minus=_quantity(args.tau_minus, ms, "--tau-minus"), A_plus=args.a_plus,
                A_minus=args.a_plus * args.ratio, w_max=1 * mV, rule=args.rule)
    step = float(_quantity(args.step, ms, "--step") / ms)
    freq = float(_quantity(args.frequency, Hz, "--frequency") / Hz)
    grid = np.arange(-100.0, 100.0 + step / 2, step)
    grid = grid[np.abs(grid) > 1e-9]
    if not grid.size:
        raise ValueError(f"--step {args.step!r}: leaves no Δt in [-100, 100] ms besides 0")
    r = pairing_window(stdp, grid, n_pairs=args.pairs, frequency_hz=freq, engine=args.engine)
    err = float(np.nanmax(np.abs(r.per_pair / r.theory - 1)))
    out = {"protocol": "window", "engine": args.engine, "rule": args.rule,
           "A_plus": args.a_plus, "A_minus": args.a_plus * args.ratio,
           "tau_plus_ms": stdp.tau_plus_ms, "tau_minus_ms": stdp.tau_minus_ms,
           "n_pairs": r.n_pairs, "frequency_hz": r.frequency_hz, "dt_ms": r.dt_ms.tolist(),
           "dw_rel": r.dw_rel.tolist(), "per_pair": r.per_pair.tolist(),
           "theory": r.theory.tolist(), "max_rel_error": err}
    lines = [f"STDP window ({args.rule}, {args.engine}): {r.n_pairs} pairings at "
             f"{r.frequency_hz:g} Hz, {len(grid)} Δt from {grid[0]:g} to {grid[-1]:g} ms"]
    lines += [f"  Δt {dt:+7.1f} ms   Δw/w {100 * dw:+8.3f} %   per pairing {pp:+.3e}"
              f"   A exp(-|Δt|/τ) {th:+.3e}"
              for dt, dw, pp, th in zip(r.dt_ms, r.dw_rel, r.per_pair, r.theory)]
    lines.append(f"max relative deviation from the closed form: {err:.2e}")
    return _report(args, out, "plot_window", r, lines)


def run_song(args) -> int:
    from brian2 import Hz, second

    from neurosim.neuron.cli_plots import check_plot_path

    from .stdp_protocols import song

    _check_a(args)
    if args.ratio != 1.05:
        raise ValueError(f"--ratio {args.ratio}: song uses Song et al.'s A-/A+ = 1.05")
    if args.plot:
        check_plot_path(args.plot)
    duration = _quantity(args.duration, second, "--duration")
    rate = _quantity(args.rate, Hz, "--rate")
    dt = _quantity(args.dt, second, "--dt")
    require_at_least(args.inputs, 1, f"--inputs {args.inputs}")
    require_at_least(args.seed, 0, f"--seed {args.seed}")
    r = song(duration=duration, n_inputs=args.inputs, rate=rate, rule=args.rule,
             A_plus=args.a_plus, seed=args.seed, engine=args.engine, dt=dt)
    hist = np.histogram(r.w_final, bins=10, range=(0, 1))[0]
    out = {"protocol": "song", "engine": r.engine, "rule": r.rule, "n_inputs": args.inputs,
           "duration_s": r.duration_s, "A_plus": args.a_plus, "seed": args.seed,
           "dt_ms": float(dt / second) * 1e3,
           "rate_post_hz": r.rate_hz, "frac_below_0.1": r.frac_low,
           "frac_above_0.9": r.frac_high, "w_mean": float(np.mean(r.w_final)),
           "histogram_10_bins": hist.tolist(), "wall_s": r.wall_s}
    lines = [f"Song et al. 2000 ({r.rule}, {r.engine}): {args.inputs} inputs, "
             f"{r.duration_s:g} s, post rate {r.rate_hz:.1f} Hz",
             f"  weights / w_max: {100 * r.frac_low:.1f} % below 0.1, "
             f"{100 * r.frac_high:.1f} % above 0.9, mean {np.mean(r.w_final):.3f}",
             "  histogram (10 bins 0..1): " + " ".join(map(str, hist))]
    return _report(args, out, "plot_song", r, lines)


def _report(args, out: dict, plot: str, result, lines: list) -> int:
    """Draw ``--plot`` with :mod:`.stdp_plots`'s ``plot``, print ``out`` as JSON (``--json``)
    or the text ``lines``, then ``plot: FILE`` (on stderr with --json: stdout stays JSON)."""
    if args.plot:
        from . import stdp_plots

        getattr(stdp_plots, plot)(result, args.plot)
    print(json.dumps(out) if args.json else "\n".join(lines))
    if args.plot:
        print(f"plot: {args.plot}", file=sys.stderr if args.json else sys.stdout)
    return 0
