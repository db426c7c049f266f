"""The one command line behind every figure script.

Each figure module ends with::

    if __name__ == "__main__":
        raise SystemExit(run_one(NAME))

so that ``python figures/figNN_name.py [--out DIR] [--quick] [--seed N]`` and
``python -m figures.figNN_name …`` make that one figure. The project is installed (editable)
into the virtual environment, so a figure run as a script imports ``figures``, ``ann`` and the
rest from the install: no ``sys.path`` edits. The figure is made by :func:`figures.generate`,
so figure *k* gets the same ``np.random.default_rng([seed, k])`` as under ``neurosim figures``
and the two give the same numbers. This module imports nothing heavy (no matplotlib), so that
importing a figure module for its ``compute`` stays cheap.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["run_one"]


def run_one(name: str, argv: list[str] | None = None) -> int:
    """Parse ``[--out DIR] [--quick] [--seed N]`` from ``argv`` (default: ``sys.argv[1:]``),
    make figure ``name`` (a key of :data:`figures.FIGURES`) with :func:`figures.generate` and
    print one line with the paths of its PNG and SVG. Returns the exit status, 0.

    Bad arguments exit with status 2 and argparse's usage message; an unknown ``name`` raises
    ``ValueError``.
    """
    from figures import FIGURES, generate

    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    p = argparse.ArgumentParser(description=FIGURES[name][1])
    p.add_argument("--out", type=Path, default=Path("out/figures"),
                   help="folder (default %(default)s)")
    p.add_argument("--quick", action="store_true", help="smaller settings (seconds)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    for r in generate(args.out, [name], quick=args.quick, seed=args.seed):
        print(f"{r['name']}: {r['png']}, {r['svg']} ({r['seconds']:.1f} s)")
    return 0
