"""``neurosim morphology``: draw a multi-compartment neuron and inject a current into its soma.

    neurosim morphology SHAPE [--current 1nA] [--duration 30ms] [--plot FILE] [--json]

SHAPE is ``pyramidal``, ``bipolar``, ``pseudo-unipolar`` (alias ``unipolar``) or
``multipolar`` (:mod:`.morphology`). A run whose membrane potential leaves the physiological
range (:func:`.sanity.check_voltage_range`, −150..+100 mV; ``--current 1mA`` reached 1.8
million mV) is refused with one line, exit status 2.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..checks import require_positive

__all__ = ["register_morphology", "run_morphology", "SHAPE_CHOICES"]

SHAPE_CHOICES = ("pyramidal", "bipolar", "pseudo-unipolar", "unipolar", "multipolar")


def register_morphology(subparsers) -> None:
    """Add ``morphology`` to the ``neurosim`` parser."""
    m = subparsers.add_parser(
        "morphology", help="draw a multi-compartment neuron and simulate soma/dendrite voltages",
        description="Draw a neuron shape and inject a current step into its soma (HH soma "
                    "and axon, passive dendrites): 10 ms rest, the step, 20 ms tail. Prints "
                    "each recorded site's peak voltage, spikes (upward crossings of 0 mV) and "
                    "smaller depolarizing events (peaks rising >= 10 mV that stay below).")
    m.add_argument("shape", choices=SHAPE_CHOICES, metavar="SHAPE",
                   help="pyramidal | bipolar | pseudo-unipolar (alias: unipolar) | multipolar")
    m.add_argument("--current", default="1nA", metavar="VALUE_WITH_UNIT",
                   help="somatic step, a current, e.g. 1nA or 500pA; negative = "
                        "hyperpolarizing (default: %(default)s)")
    m.add_argument("--duration", default="30ms", metavar="VALUE_WITH_UNIT",
                   help="step duration, a time (default: %(default)s)")
    m.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help="write shape + voltage traces + current, a .png, .pdf or .svg file; "
                        "missing folders are created (default: none)")
    m.add_argument("--json", action="store_true", help="print one JSON object (default: text)")
    m.set_defaults(run=run_morphology)


def run_morphology(args) -> int:
    from brian2 import amp, second

    from common.paths import check_output_file

    from .cli_output import plural, round_json
    from .cli_plots import plot_morphology
    from .cli_stimulus import in_typed_unit
    from .morphology import segments, shape, simulate_morphology
    from .sanity import check_voltage_range
    from .site_events import EVENT_PROMINENCE_MV, SPIKE_CRITERION_MV
    from .units import parse_quantity

    if args.plot is not None:
        check_output_file(args.plot, "--plot", suffixes=(".png", ".pdf", ".svg"))
    current = parse_quantity(args.current, amp, "--current")
    duration = parse_quantity(args.duration, second, "--duration")
    require_positive(float(duration), f"--duration {args.duration!r}")
    sh = shape(args.shape)
    res = simulate_morphology(sh, current, duration)
    check_voltage_range(res.v_mV, f"--current {args.current}", "the membrane potential")
    value, unit = in_typed_unit(current, args.current)
    out = {"shape": sh.name, "description": sh.description, "current": value,
           "current_unit": unit, "duration_ms": float(duration) * 1e3,
           "segments": segments(sh),
           "spike_criterion_mV": SPIKE_CRITERION_MV,
           "sites": {name: {"peak_mV": float(res.v_mV[k].max()),
                            "spike_times_ms": res.spike_times_ms[name].tolist(),
                            "events": res.events[name]}
                     for name, k in res.sites.items()}}
    if args.plot is not None:
        plot_morphology(sh, res, args.plot, current_text=args.current,
                        duration_text=args.duration, current=value, unit=unit,
                        duration_ms=float(duration) * 1e3)
        out["plot"] = str(args.plot)
    out = round_json(out)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"{sh.name}: {sh.description}")
    print(f"  step {args.current} into the soma for {args.duration}")
    for name, site in out["sites"].items():
        small = [e["peak_mV"] for e in site["events"] if not e["spike"]]
        more = "" if not small else f", {plural(len(small), 'smaller event')} (peak " + \
            ", ".join(f"{p:.1f}" for p in small) + " mV)"
        print(f"  {name:22s} peak {site['peak_mV']:7.1f} mV, "
              f"{plural(len(site['spike_times_ms']), 'spike')}{more}")
    print(f"  (a spike crosses {SPIKE_CRITERION_MV:g} mV; a smaller event is a peak rising "
          f">= {EVENT_PROMINENCE_MV:g} mV that does not)")
    if args.plot is not None:
        print(f"  plot: {args.plot}")
    return 0
