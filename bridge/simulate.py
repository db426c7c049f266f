"""The batched spiking simulator: many images, ``T`` steps, accuracy at every step.

:func:`simulate` streams the images in chunks through one of two simulators of the same equations,
optionally shared by several workers (:mod:`bridge.workers`), and records after every step the
accuracy and the agreement with the ANN; :func:`spike_counts` returns one batch's spike counts.

* ``"layerwise"`` (default, :mod:`bridge.layerwise`): every layer over all ``T`` steps at once —
  one large matrix product per layer and a compiled loop over time. Chunks are sized from a
  memory budget (:func:`~bridge.layerwise.chunking`), so memory stays bounded whatever the
  number of images or steps.
* ``"step"`` (:mod:`bridge.step_loop`): every step through all layers, ``batch_size`` images at a
  time; the reference the time-batched simulator is tested against (equal bit for bit in
  float64).

Costs are counted as an event-driven implementation would pay them (conventions):

* **SynOps**: every non-zero entry of a weight layer's input at a step costs one addition per
  outgoing synapse (its fan-out: ``n_out`` for Dense; for Conv2D the number of output positions
  whose window covers it × ``C_out``; for a depthwise convolution × ``M``); a spike on a
  residual shortcut costs one (its synapse to the same channel of the ``Add``). A constant
  current (the first layer's, with constant input) counts as that layer's ANN MACs once per
  image (it is computed once), a shortcut from the input image one per pixel once.
* **ANN MACs**: multiply–accumulates of every Dense/Conv2D/depthwise layer for one image.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .checks import one_of, positive_int, require_finite
from .layer_stats import LayerStats
from .layerwise import (DEFAULT_MEMORY_BUDGET, chunking, constant_current,
                        default_memory_budget, run_chunk)
from .network import SpikingNetwork, ann_forward
from .plan import Plan, check_inputs, label
from .spike_pool import MAX_POOLS, count_max_pool, gate_max_pool  # noqa: F401 (public here too)
from .step_loop import run_batch
from .workers import run_shares

__all__ = ["simulate", "spike_counts", "SimulationResult", "count_max_pool", "gate_max_pool",
           "MAX_POOLS", "SIMULATORS", "DEFAULT_MEMORY_BUDGET", "check_memory_budget"]

SIMULATORS = ("layerwise", "step")


@dataclass
class SimulationResult:
    """What :func:`simulate` measured on ``n`` images over ``T`` steps.

    ``accuracy_per_step[t]`` is the accuracy with the readout after step ``t + 1``;
    ``agreement_per_step[t]`` the fraction of predictions equal to the ANN's.
    """

    T: int
    n: int
    accuracy_per_step: np.ndarray
    agreement_per_step: np.ndarray
    ann_accuracy: float
    layers: list = field(default_factory=list)
    synops_per_image: float | None = 0.0
    ann_macs_per_image: int = 0
    seconds: float = 0.0
    predictions: np.ndarray | None = None
    #: per spiking layer, ``(activation, rate)`` of a fixed subset of neurons (for plots)
    samples: list = field(default_factory=list)

    def __post_init__(self):
        """``ValueError`` if an accuracy is NaN/Inf (``synops_per_image`` is ``None`` when not
        counted, and a layer's ``pearson_r``/``slope`` where undefined: see
        :mod:`bridge.layer_stats`)."""
        for name in ("accuracy_per_step", "agreement_per_step", "ann_accuracy"):
            require_finite(getattr(self, name), f"simulation result: {name}")


def spike_counts(snn: SpikingNetwork, x: np.ndarray, T: int, *, encoding: str = "constant",
                 rng: np.random.Generator | None = None, dtype=np.float32,
                 simulator: str = "layerwise",
                 memory_budget: int | None = None) -> list[np.ndarray]:
    """Spike counts of every spiking layer after ``T`` steps, for images ``x (B, ...)``
    (reshaped to the network's input if only the layout differs); a list of
    ``(B, *layer_shape)`` arrays in the order of the layers (the output too if it spikes).

    ``dtype`` float64 gives the exact counts the two simulators agree on bit for bit
    (:mod:`bridge.plan`). The ``"layerwise"`` simulator streams ``x`` in chunks sized from
    ``memory_budget`` (bytes; default 256 MiB); the ``"step"`` one runs ``x`` as one batch.
    ``ValueError`` (one line) for images that do not fit or hold NaN/Inf, an unknown simulator,
    and a NaN/Inf membrane potential (naming the layer)."""
    x = check_inputs(snn, x, T)
    one_of("simulator", simulator, SIMULATORS)
    plan = Plan(snn, dtype)
    if simulator == "step":
        parts = [run_batch(plan, x, T, encoding, rng, False)]
    else:
        size, steps = chunking(plan, T, memory_budget or default_memory_budget(), len(x))
        parts = [run_chunk(plan, x[a:a + size], T, encoding, rng, False, steps=steps)
                 for a in range(0, len(x), size)]
    return [require_finite(np.concatenate([p.counts[i] for p in parts]),
                           f"simulation: spike counts of {label(plan.ops, i)}")
            for i in plan.syn if plan.ops[i].spiking]


def check_memory_budget(snn: SpikingNetwork, T: int, memory_budget: int | None,
                        workers: int = 1) -> None:
    """``ValueError`` (one line, naming the minimum) if the layerwise simulator cannot run one
    step of one image of ``snn`` within ``memory_budget`` bytes shared by ``workers`` workers
    (``None``: the default budget)."""
    chunking(Plan(snn, np.float32), T, memory_budget or default_memory_budget(workers), 1,
             workers)


@dataclass
class _Partial:
    """Additive results of a run over some images (one worker's share)."""

    correct: np.ndarray
    agree: np.ndarray
    ann_correct: int
    synops: float
    predictions: np.ndarray
    stats: dict


def _chunks(plan: Plan, n_images: int, T: int, simulator: str, batch_size: int,
            memory_budget: int):
    """``(images per chunk, run)``: ``run(xb, rng, statistics)`` simulates one chunk."""
    if simulator == "step":
        return batch_size, lambda xb, encoding, rng, stats, first=None: run_batch(
            plan, xb, T, encoding, rng, stats)
    images, steps = chunking(plan, T, memory_budget, n_images)
    return images, lambda xb, encoding, rng, stats, first=None: run_chunk(
        plan, xb, T, encoding, rng, stats, steps=steps, first_current=first)


# NaN/Inf are reported by require_finite, in one line, not as warnings
@np.errstate(over="ignore", invalid="ignore")
def _simulate_images(snn, x, y, T, encoding, rng, statistics, simulator, batch_size,
                     memory_budget, tick=None) -> _Partial:
    """The chunk loop of :func:`simulate` over ``x`` (any number of images)."""
    plan = Plan(snn, np.float32)
    stats = {i: LayerStats(plan.ops[i].name, int(np.prod(plan.shapes[i])))
             for i in plan.syn if plan.ops[i].spiking}
    correct = np.zeros(T, np.int64)
    agree = np.zeros(T, np.int64)
    ann_correct, synops = 0, 0.0
    predictions = np.empty(len(x), np.int64)
    size, run = _chunks(plan, len(x), T, simulator, batch_size, memory_budget)
    for start in range(0, len(x), size):
        xb, yb = x[start:start + size], y[start:start + size]
        # constant input: the first layer's current is the ANN's first pre-activation too
        first = constant_current(plan, xb) if encoding == "constant" else None
        ann_out, acts = ann_forward(plan.ops, xb, collect=True, first_current=first)
        require_finite(ann_out, f"ANN output on images {start}–{start + len(xb) - 1}")
        ann_pred = ann_out.reshape(len(xb), -1).argmax(axis=1)
        ann_correct += int(np.count_nonzero(ann_pred == yb))
        res = run(xb, encoding, rng, statistics, first)
        correct += np.count_nonzero(res.predictions == yb, axis=1)
        agree += np.count_nonzero(res.predictions == ann_pred, axis=1)
        synops += res.synops
        predictions[start:start + len(xb)] = res.predictions[-1]
        if tick is not None:
            tick(len(xb))
        if statistics:
            for k, i in enumerate(plan.syn):
                if i in stats:
                    a = acts[k] if i != plan.last else np.maximum(acts[k], 0)
                    stats[i].update(a, res.counts[i], T)
    return _Partial(correct, agree, ann_correct, synops, predictions, stats)


def simulate(snn: SpikingNetwork, x: np.ndarray, y: np.ndarray, T: int, *,
             encoding: str = "constant", rng: np.random.Generator | None = None,
             batch_size: int = 500, statistics: bool = True, workers: int = 1,
             progress=None, simulator: str = "layerwise",
             memory_budget: int | None = None) -> SimulationResult:
    """Simulate ``snn`` on images ``x (N, *input_shape)`` in [0, 1] with labels ``y (N,)``,
    recording the accuracy after every one of the ``T`` steps (float32 throughout). Images of
    another layout with as many values each (``(N, 28, 28, 1)`` for a ``(784,)`` input) are
    reshaped (:func:`~bridge.checks.fit_images`).

    Raises ``ValueError`` (one line) for images that do not fit or hold NaN/Inf, bad settings,
    and a NaN/Inf that arises in the simulation (naming the layer or the result).

    Parameters
    ----------
    encoding : ``"constant"``, ``"poisson"`` (needs ``rng``) or ``"regular"``.
    batch_size : images simulated together by the ``"step"`` simulator (bounds its memory).
    statistics : also compute per-layer rate statistics against the ANN and SynOps.
    workers : threads (``"layerwise"``) or processes (``"step"``) sharing the images
        (contiguous shares; whole batches for ``"step"``; see :mod:`bridge.workers`).
        Deterministic encodings give the same accuracies and predictions for any number; Poisson
        input draws each share's spikes from its own generator spawned from ``rng``.
    progress : called as ``progress(done, total)`` with the number of images simulated so far
        (after every chunk; with workers, about twice a second), or ``None``.
    simulator : ``"layerwise"`` (all steps of a layer at once; default) or ``"step"`` (the
        step-by-step reference); see the module docstring.
    memory_budget : bytes the ``"layerwise"`` simulator may hold for its chunks, all workers
        together (default: 256 MiB, or 32 MiB per worker where more); ``ValueError`` if one step
        of one image does not fit.
    """
    x = check_inputs(snn, x, T)
    if memory_budget is None:
        memory_budget = default_memory_budget(workers)
    for name, v in (("batch_size", batch_size), ("workers", workers),
                    ("memory_budget", memory_budget)):
        positive_int(v, name)
    one_of("simulator", simulator, SIMULATORS)
    y = np.asarray(y)
    if y.shape != (len(x),):
        raise ValueError(f"{len(x)} images but labels of shape {y.shape}")
    if encoding == "poisson" and rng is None:
        raise ValueError("poisson encoding needs rng (a numpy.random.Generator)")
    t0 = time.perf_counter()
    unit = batch_size if simulator == "step" else 1     # a worker's share: whole units
    n_units = -(-len(x) // unit)
    workers = min(workers, n_units)
    if simulator == "layerwise":
        check_memory_budget(snn, T, memory_budget, workers)
    budget = memory_budget // workers
    if workers == 1:
        done = [0]

        def tick(k):
            done[0] += k
            progress(done[0], len(x))

        parts = [_simulate_images(snn, x, y, T, encoding, rng, statistics, simulator, batch_size,
                                  budget, tick if progress is not None else None)]
    else:
        bounds = [unit * (n_units * k // workers) for k in range(workers + 1)]
        bounds[-1] = len(x)
        rngs = rng.spawn(workers) if rng is not None else [None] * workers
        jobs = [(snn, x[a:b], y[a:b], T, encoding, r, statistics, simulator, batch_size, budget)
                for a, b, r in zip(bounds[:-1], bounds[1:], rngs)]
        parts = run_shares(_simulate_images, jobs,
                           "threads" if simulator == "layerwise" else "processes",
                           progress, len(x))
    first = parts[0]
    stats = first.stats
    for part in parts[1:]:
        for i, st in part.stats.items():
            stats[i].merge(st)
    n = len(x)
    plan = Plan(snn, np.float32)
    return SimulationResult(
        T=T, n=n, accuracy_per_step=sum(p.correct for p in parts) / n,
        agreement_per_step=sum(p.agree for p in parts) / n,
        ann_accuracy=sum(p.ann_correct for p in parts) / n,
        layers=[st.result(n) for st in stats.values()] if statistics else [],
        synops_per_image=sum(p.synops for p in parts) / n if statistics else None,
        ann_macs_per_image=int(sum(plan.macs.values())),
        seconds=time.perf_counter() - t0,
        predictions=np.concatenate([p.predictions for p in parts]),
        samples=[st.samples for st in stats.values()] if statistics else [])
