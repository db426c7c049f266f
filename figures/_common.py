"""Shared plumbing for the figure modules: the Agg backend and the house style, atomic PNG + SVG
saving, and the cached MNIST. (The command line of a figure run alone is
:func:`figures.runner.run_one`.)"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bridge.plot import save_figure  # noqa: E402  (atomic: temp file, then os.replace)

__all__ = ["plt", "save", "mnist"]

plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
                     "legend.fontsize": 8, "savefig.bbox": "tight", "svg.fonttype": "none"})


def save(fig, out: Path, name: str) -> tuple[Path, Path]:
    """Write ``out/name.png`` and ``out/name.svg`` (each to a temp file, then ``os.replace``)
    and close ``fig``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / f"{name}.png", out / f"{name}.svg")
    try:
        for p in paths:
            save_figure(fig, p)
    finally:
        plt.close(fig)
    return paths


_MNIST = None


def mnist():
    """The cached, verified MNIST (loaded once per process; :func:`ann.data.load_mnist`)."""
    global _MNIST
    if _MNIST is None:
        from ann.data import load_mnist

        _MNIST = load_mnist(download=False)
    return _MNIST

