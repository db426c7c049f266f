"""``neurosim figures``: regenerate the lecture's figures (PNG + SVG) into a folder."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["register", "run_figures"]


def register(subparsers) -> None:
    from . import FIGURES

    p = subparsers.add_parser(
        "figures", help="regenerate the lecture's figures (PNG + SVG)",
        description="Compute every lecture figure with the project's own packages and save "
                    "NAME.png and NAME.svg. Figures: " + ", ".join(FIGURES) + ".")
    p.add_argument("--out", type=Path, default=Path("out/figures"),
                   help="output folder (default %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="smaller data and shorter trainings (about a minute for all)")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=list(FIGURES),
                   help="only these figures")
    p.add_argument("--seed", type=int, default=0, help="seed of every random draw (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")
    p.set_defaults(run=run_figures)


def run_figures(args) -> int:
    from common.paths import check_output_dir

    from . import generate

    args.out = check_output_dir(args.out, "--out")   # before any work: one line, exit 2

    def show(r):
        if not args.json:
            print(f"  {r['name']:17s} {r['seconds']:6.1f} s  {r['png']}", flush=True)

    if not args.json:
        print(f"figures -> {args.out}{' (quick)' if args.quick else ''}", flush=True)
    results = generate(args.out, args.only, quick=args.quick, seed=args.seed, progress=show)
    total = sum(r["seconds"] for r in results)
    if args.json:
        print(json.dumps({"out": str(args.out), "quick": args.quick, "figures": results,
                          "seconds": total}))
    else:
        print(f"{len(results)} figures (PNG + SVG) in {args.out}, {total:.1f} s")
    return 0
