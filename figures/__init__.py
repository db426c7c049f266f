"""The lecture's figures, each computed by the project's own packages.

One module per figure (``fig01_activations`` … ``fig16_bifurcation``), each with

- ``compute(quick: bool, rng: np.random.Generator) -> dict`` — the numbers behind the figure
  (plain arrays and scalars; what ``tests/figures`` checks);
- ``draw(data) -> matplotlib.figure.Figure`` — the drawing, nothing computed there;
- a closing ``raise SystemExit(run_one(NAME))`` (:func:`figures.runner.run_one`), so that
  ``python figures/figNN_name.py [--out DIR] [--quick] [--seed N]`` makes that figure alone.

:data:`FIGURES` maps a short name to its module; :func:`generate` runs any of them and writes
``NAME.png`` and ``NAME.svg`` atomically (``neurosim figures`` is a thin wrapper around it).
``quick=True`` uses smaller data and shorter trainings so that the tests and the demo stay fast;
the figures are then noisier but show the same effects.
"""

from __future__ import annotations

import importlib

__all__ = ["FIGURES", "figure_module", "generate"]

#: short name -> (module, one-line caption)
FIGURES: dict[str, tuple[str, str]] = {
    "activations": ("fig01_activations",
                    "sigmoid, tanh, ReLU and their derivatives; softmax of (u, 0) = sigmoid"),
    "sgd_landscape": ("fig02_sgd_landscape",
                      "mini-batch noise lets SGD escape a poor local minimum"),
    "convolution": ("fig03_convolution",
                    "an image under edge, blur, sharpen and Gabor kernels; a worked example"),
    "lenet": ("fig04_lenet", "LeNet-5 drawn from ann.spec.lenet5_spec() with its shapes"),
    "mnist": ("fig05_mnist", "MNIST training samples, one row per class"),
    "momentum": ("fig06_momentum", "momentum vs plain gradient descent, ill-conditioned"),
    "clipping": ("fig07_clipping", "gradient clipping on a loss with a cliff"),
    "dropout": ("fig08_dropout", "dropout narrows the gap between training and validation"),
    "batchnorm": ("fig09_batchnorm",
                  "batch normalization: stable activation distributions, faster training"),
    "morphology": ("fig10_morphology", "neuron morphologies of neurosim.neuron.morphology"),
    "action_potential": ("fig11_action_potential",
                         "a Hodgkin–Huxley trace with its phases labelled"),
    "retina": ("fig12_retina", "photoreceptor, bipolar and ON/OFF ganglion responses"),
    "hierarchy": ("fig13_hierarchy", "V1 to IT-like responses; V1 orientation tuning"),
    "bridge": ("fig14_bridge", "spiking network: accuracy vs time step, rate vs activation"),
    "phase_plane": ("fig15_phase_plane",
                    "phase planes: nullclines, flow, sub/supra-threshold trajectories, cycle"),
    "bifurcation": ("fig16_bifurcation",
                    "Hodgkin–Huxley bifurcation diagram; onset of repetitive firing marked"),
}


def figure_module(name: str):
    """The module of figure ``name`` (a key of :data:`FIGURES`)."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    return importlib.import_module(f"{__name__}.{FIGURES[name][0]}")


def generate(out, names=None, quick: bool = False, seed: int = 0, progress=None) -> list[dict]:
    """Compute, draw and save the figures ``names`` (default: all) into ``out``.

    Parameters
    ----------
    out : folder (created) for ``NAME.png`` and ``NAME.svg``.
    names : iterable of keys of :data:`FIGURES`, or ``None`` for all.
    quick : smaller settings (see the module docstring).
    seed : each figure gets ``np.random.default_rng([seed, index])``, so one figure's numbers
        do not depend on which others were made.
    progress : called with each result dict as soon as that figure is written.

    Returns
    -------
    list of ``{"name", "png", "svg", "seconds"}``, one per figure, in the order asked.
    """
    import time
    from pathlib import Path

    import numpy as np

    from ._common import save

    names = list(FIGURES) if names is None else list(names)
    bad = [n for n in names if n not in FIGURES]
    if bad:
        raise ValueError(f"unknown figure {bad[0]!r}; known: {', '.join(FIGURES)}")
    order = list(FIGURES)
    results = []
    for n in names:
        t0 = time.perf_counter()
        mod = figure_module(n)
        data = mod.compute(quick=quick, rng=np.random.default_rng([seed, order.index(n)]))
        paths = save(mod.draw(data), Path(out), n)
        r = {"name": n, "png": str(paths[0]), "svg": str(paths[1]),
             "seconds": time.perf_counter() - t0}
        results.append(r)
        if progress is not None:
            progress(r)
    return results
