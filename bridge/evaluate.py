"""Load a trained model, convert it, simulate it on MNIST and report — the bridge end to end."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checks import fit_images, one_of, positive_int
from .convert import convert
from .encoding import ENCODINGS
from .report import build_report
from .simulate import SIMULATORS, simulate

__all__ = ["EvalConfig", "Evaluation", "load_trained", "evaluate"]


@dataclass(frozen=True)
class EvalConfig:
    """Every choice of a conversion run (recorded in the report)."""

    timesteps: int = 32
    norm: str = "p99.9"
    per_channel: bool = True
    reset: str = "subtract"
    signed: bool | None = None     # None: with reset "subtract" (bridge.params)
    readout: str = "potential"
    encoding: str = "constant"
    v_init: float = 0.5
    max_pool: str = "count"
    seeds: int = 1              # repetitions with different seeds (Poisson input)
    seed: int = 0
    n_test: int = 10000
    norm_samples: int = 10000
    batch_size: int = 500
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    simulator: str = "layerwise"
    memory_budget: int | None = None    # bytes (None: 256 MiB, or 32 MiB per worker)

    def __post_init__(self):
        one_of("simulator", self.simulator, SIMULATORS)
        for name in ("timesteps", "seeds", "n_test", "norm_samples", "batch_size", "workers") + (
                ("memory_budget",) if self.memory_budget is not None else ()):
            positive_int(getattr(self, name), name, numpy_ints=False)
        one_of("encoding", self.encoding, ENCODINGS)


def load_trained(path: str | Path):
    """A trained ``ann`` Network from an ``ann`` ``.npz`` file or a Keras ``.keras`` file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file {path}")
    if path.suffix == ".keras":
        try:
            from ann.keras_models import load_keras_file
        except ImportError as e:
            raise ValueError(f"{path}: reading .keras files needs ann.keras_models ({e})") from e
        return load_keras_file(path)
    from ann.io import load_model

    return load_model(path)


@dataclass
class Evaluation:
    """What :func:`evaluate` produced: the JSON-ready ``report`` (:mod:`bridge.report`), the
    ``(activation, rate)`` ``samples`` per layer for the figure, and the converted ``snn``."""

    report: dict
    samples: list
    snn: object


def evaluate(network, mnist, config: EvalConfig = EvalConfig(), progress=None) -> Evaluation:
    """Convert ``network`` and compare it with the ANN on the first ``n_test`` test images.

    ``mnist`` holds ``x_train``, ``x_test`` (uint8 ``(N, 28, 28)`` or float images) and
    ``y_test``; the images are reshaped to the model's input where only the layout differs
    (``(784,)`` models take MNIST too). ``ValueError`` (one line) if they do not fit, hold
    NaN/Inf, or if a NaN/Inf arises in conversion or simulation.

    ``progress`` (or ``None``) receives :mod:`ann.progress` events: a ``phase`` before each
    simulation (none before the conversion: it takes seconds, and a model or data that do not
    fit are then the only line on stderr), and ``count`` events of the images simulated.
    """
    def say(text):
        if progress is not None:
            progress({"kind": "phase", "text": text})

    from ann.training import prepare_images

    rng = np.random.default_rng(config.seed)
    n_norm = min(config.norm_samples, len(mnist.x_train))
    idx = np.sort(rng.choice(len(mnist.x_train), n_norm, replace=False))
    x_norm = prepare_images(mnist.x_train[idx])
    n_test = min(config.n_test, len(mnist.x_test))
    x_test, y_test = prepare_images(mnist.x_test[:n_test]), mnist.y_test[:n_test]

    t0 = time.perf_counter()
    snn = convert(network, x_norm, norm=config.norm, per_channel=config.per_channel,
                  reset=config.reset, signed=config.signed, readout=config.readout,
                  v_init=config.v_init,
                  max_pool=config.max_pool,
                  batch_size=config.batch_size)
    convert_seconds = time.perf_counter() - t0
    x_test = fit_images(x_test, snn.input_shape, "test images")
    t0 = time.perf_counter()
    network.predict_proba(x_test[:config.batch_size])
    ann_seconds_per_batch = time.perf_counter() - t0

    runs = config.seeds if config.encoding == "poisson" else 1
    seeds = [config.seed + k for k in range(runs)]
    results = []
    for k, s in enumerate(seeds):
        what = "images simulated" + (f" (seed {s})" if runs > 1 else "")
        say(f"simulating {n_test} test images x {config.timesteps} steps"
            + (f", seed {s} ({k + 1} of {runs})" if runs > 1 else ""))
        count = None if progress is None else (
            lambda done, total, what=what: progress({"kind": "count", "what": what,
                                                     "done": done, "total": total}))
        results.append(simulate(snn, x_test, y_test, config.timesteps,
                                encoding=config.encoding, rng=np.random.default_rng(s),
                                batch_size=config.batch_size, statistics=k == 0,
                                workers=config.workers, progress=count,
                                simulator=config.simulator,
                                memory_budget=config.memory_budget))
    if runs > 1:  # statistics come from the first seed; the others only add accuracy curves
        for r in results[1:]:
            r.layers, r.synops_per_image = results[0].layers, results[0].synops_per_image
    report = build_report(results, snn, encoding=config.encoding,
                          seeds=seeds if config.encoding == "poisson" else None,
                          extra={"convert_seconds": convert_seconds,
                                 "ann_seconds_per_batch": ann_seconds_per_batch,
                                 "config": config.__dict__.copy()})
    return Evaluation(report, results[0].samples, snn)
