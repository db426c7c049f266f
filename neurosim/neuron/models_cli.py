"""``neurosim models``: what can be simulated — models, patterns, stimuli, shapes, parameters.

    neurosim models            every model (one line each), patterns, stimuli, shapes
    neurosim models MODEL      one model: source, current unit, patterns, every parameter with
                               its default and unit (as ``--param NAME=VALUE`` reads it)
    neurosim models [MODEL] --json

The data come from :func:`.catalog.catalog`.
"""

from __future__ import annotations

import json

__all__ = ["register", "run_models"]


def register(subparsers) -> None:
    """Add ``models`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "models", help="list the neuron models, patterns, stimuli and parameters (units, sources)",
        description="List what `neurosim neuron`, `fi`, `morphology`, `phase` and "
                    "`bifurcation` simulate: models with their sources, patterns, current "
                    "unit and parameters (default and unit), stimuli, shapes.")
    p.add_argument("model", nargs="?", default=None, metavar="MODEL",
                   help="show one model in full: lif | hh | traub | izhikevich | adex "
                        "(default: list everything)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: text)")
    p.set_defaults(run=run_models)


def _print_model(m: dict) -> None:
    print(f"{m['name']}: {m['description']}")
    print(f"  source: {m['source']}")
    print(f"  current: {m['current']}, e.g. --current {m['example']}")
    print(f"  dt: default {m['dt_ms']['default']:g} ms, validated up to "
          f"{m['dt_ms']['validated_max']:g} ms")
    if m["patterns"]:
        print(f"  --pattern (default {m['default_pattern']}):")
        for p in m["patterns"]:
            extra = f"; paper's current {p['paper_current']}" if "paper_current" in p else ""
            print(f"    {p['name']:26s} {p['description']}{extra}")
    print("  --param NAME=VALUE (defaults" + (" of the default pattern" if m["patterns"]
                                             else "") + "):")
    for p in m["parameters"]:
        print(f"    {p['name']:8s} {p['default']:>12s}  {p['quantity']}")


def run_models(args) -> int:
    from .catalog import catalog, model_entry

    if args.model is not None:
        entry = model_entry(args.model)
        if args.json:
            print(json.dumps(entry))
        else:
            _print_model(entry)
        return 0
    data = catalog()
    if args.json:
        print(json.dumps(data))
        return 0
    print("models (neurosim neuron / fi MODEL; `neurosim models MODEL` for parameters):")
    for m in data["models"]:
        pats = f"; --pattern {', '.join(p['name'] for p in m['patterns'])}" \
            if m["patterns"] else ""
        print(f"  {m['name']:11s} {m['description']}; {m['current']}{pats}")
        print(f"  {'':11s} source: {m['source']}")
    print("stimuli (--stimulus):")
    for s in data["stimuli"]:
        opts = f" [{', '.join(s['options'])}]" if s["options"] else ""
        print(f"  {s['name']:8s} {s['description']}{opts}")
    print(f"shapes (neurosim morphology SHAPE; {data['shapes_source']}):")
    for s in data["shapes"]:
        alias = f" (alias of {s['alias_of']})" if "alias_of" in s else ""
        print(f"  {s['name']:16s} {s['description']}{alias}")
    print("phase-plane and bifurcation models (neurosim phase / bifurcation MODEL):")
    for m in data["dynamics_models"]:
        pats = f"; --pattern {', '.join(m['patterns'])}" if m["patterns"] else ""
        only = "" if "phase" in m["commands"] else " (bifurcation only: 4-D)"
        unit = "a plain number" if m["current_unit"] == "1" else m["current_unit"]
        print(f"  {m['name']:13s} current in {unit}{pats}{only}")
        print(f"  {'':13s} source: {m['source']}")
    return 0
