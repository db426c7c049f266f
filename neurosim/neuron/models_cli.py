"""``neurosim models``: what can be simulated — models, patterns, stimuli, shapes, parameters.

    neurosim models            every model (one line each), patterns, stimuli, shapes
    neurosim models MODEL      one model: source, current unit, a table of its patterns'
                               parameters, every parameter with its default and unit (as
                               ``--param NAME=VALUE`` reads it); the models of ``phase`` and
                               ``bifurcation`` (fhn, morris-lecar, hh-rinzel) too
    neurosim models MODEL --pattern P   the parameters of pattern P
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
                   help="show one model in full: lif | hh | traub | izhikevich | adex | "
                        "fhn | morris-lecar | hh-rinzel (default: list everything)")
    p.add_argument("--pattern", default=None, metavar="NAME",
                   help="with MODEL: list the parameters of this pattern, e.g. "
                        "`neurosim models izhikevich --pattern IB` (default: the model's "
                        "default pattern)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: text)")
    p.set_defaults(run=run_models)


def _print_model(m: dict) -> None:
    print(f"{m['name']}: {m['description']}")
    print(f"  source: {m['source']}")
    print(f"  commands: neurosim {', '.join(m['commands'])}")
    print(f"  current: {m['current']}, e.g. --current {m['example']}")
    if "dt_ms" in m:
        print(f"  dt: default {m['dt_ms']['default']:g} ms, validated up to "
              f"{m['dt_ms']['validated_max']:g} ms")
    if "state" in m:
        print("  state: " + ", ".join(f"{s} ({u})" for s, u in zip(m["state"],
                                                                   m["state_units"])))
    if m["patterns"]:
        _print_patterns(m)
    which = f" of pattern {m['pattern']}" if m["pattern"] else ""
    print(f"  --param NAME=VALUE (defaults{which}):")
    for p in m["parameters"]:
        print(f"    {p['name']:8s} {p['default']:>12s}  {p['quantity']}")


def _print_patterns(m: dict) -> None:
    """The patterns as a table: name, the parameters that differ, what it models."""
    keys = list(m["patterns"][0]["parameters"])
    cols = {k: max(len(k), *(len(p["parameters"][k]) for p in m["patterns"])) for k in keys}
    paper = "paper_current" in m["patterns"][0]
    print(f"  --pattern (default {m['default_pattern']}):")
    print(f"    {'':24s} " + " ".join(f"{k:>{cols[k]}s}" for k in keys)
          + ("  paper's I" if paper else ""))
    for p in m["patterns"]:
        row = " ".join(f"{p['parameters'][k]:>{cols[k]}s}" for k in keys)
        extra = f"  {p['paper_current']:>9s}" if paper else ""
        print(f"    {p['name']:24s} {row}{extra}  {p['description']}")


def run_models(args) -> int:
    from .catalog import catalog, model_entry

    if args.model is None and args.pattern is not None:
        raise ValueError(f"--pattern {args.pattern}: name a model too, e.g. "
                         f"`neurosim models izhikevich --pattern {args.pattern}`")
    if args.model is not None:
        entry = model_entry(args.model, args.pattern)
        if args.json:
            print(json.dumps(entry))
        else:
            _print_model(entry)
        return 0
    data = catalog()
    if args.json:
        print(json.dumps(data))
        return 0
    print("models (neurosim neuron / fi MODEL; `neurosim models MODEL` for every pattern's "
          "parameters):")
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
