"""The batched spiking simulator: a whole batch of images, T steps, accuracy at every step.

At each step ``t`` the operations of the :class:`~bridge.network.SpikingNetwork` run in order on
the batch, with no synaptic delay (a spike emitted by layer ``l`` at step ``t`` reaches layer
``l+1`` in the same step)::

    s_0[t]      = encoder(x)[t]                       (constant current, Poisson or regular)
    I_l[t]      = W̃_l s_{l−1}[t] + b̃_l                (the ANN's own Dense / conv2d, float32)
    s_l[t], V_l = if_step(I_l[t], V_l)               (bridge.neuron; threshold θ, reset)
    max pool:   N_out[t] = max over the window of the input counts N[t];
                s[t] = N_out[t] − N_out[t−1]        (or Rueckauer's gate, see below)
    avg pool:   s[t] = window mean of the spikes (a linear map, folded into the next current)
    readout:    V_out += I_out[t] (potential) or N_out += s_out[t] (spike count);
                prediction[t] = argmax (ties → lowest class)

With constant-current input the first layer's current ``W̃_1 x + b̃_1`` is the same every step and
is computed once per batch. Max pooling of spikes keeps, at every step, the pooled neuron's
count equal to the largest count in its window (:func:`count_max_pool`): its rate is the max
of the input rates, as the ANN's max of activations. The alternative, Rueckauer et al.'s (2017,
sec. 2.2.6) *gate* (:func:`gate_max_pool`, ``max_pool="gate"``), passes the spikes of the
input that has fired most so far; it over-counts when inputs of similar rate take turns. Images
are streamed in batches, so memory is bounded by the batch size, whatever the number of images.

Costs are counted as an event-driven implementation would pay them (conventions):

* **SynOps**: every non-zero entry of a weight layer's input at a step costs one addition per
  outgoing synapse (its fan-out: ``n_out`` for Dense; for Conv2D the number of output positions
  whose window covers it × ``C_out``). The constant first-layer current counts as that layer's
  ANN MACs once per image (it is computed once).
* **ANN MACs**: multiply–accumulates of every Dense/Conv2D layer for one image.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from ann.functional import col2im, max_pool2d

from .encoding import make_encoder
from .network import Pool, SpikingNetwork, Synaptic, ann_forward
from .neuron import IFParams, if_step

__all__ = ["simulate", "spike_counts", "SimulationResult", "count_max_pool", "gate_max_pool",
           "MAX_POOLS"]


def _first_max(c: np.ndarray, s: np.ndarray, axis: int):
    """Along ``axis``: the largest ``c`` (first on ties) and the ``s`` at the same place."""
    def at(a, j):  # a view, never a copy
        return a[(slice(None),) * axis + (j,)]

    bc, bs = at(c, 0), at(s, 0)
    for j in range(1, c.shape[axis]):
        cj = at(c, j)
        bs = np.where(cj > bc, at(s, j), bs)
        bc = np.maximum(bc, cj)
    return bc, bs


MAX_POOLS = ("count", "gate")


def count_max_pool(counts: np.ndarray, previous, k: int, stride: int | None):
    """Max pooling of spike trains by their counts: the pooled neuron has fired, after every
    step, exactly as often as the busiest input of its window,

        N_out[t] = max_window N_in[t],     s_out[t] = N_out[t] − N_out[t−1] ∈ {0, 1}

    (each input count grows by at most one per step, so their maximum does too). Its rate is
    the largest input rate — the ANN's max of activations — with no bias from which input
    happened to fire last. Returns ``(spikes, N_out[t])``; pass ``N_out`` back as ``previous``
    (``0`` at the start).
    """
    m = max_pool2d(counts, k, stride)
    return m - previous, m


def gate_max_pool(spikes: np.ndarray, counts: np.ndarray, k: int, stride: int | None) -> np.ndarray:
    """Rueckauer et al.'s gate: the spikes of the unit with the largest ``counts`` so far in each
    ``k×k`` window (first in row-major order on ties, as :func:`ann.functional.max_pool2d`).

    Where inputs of similar rate take turns, the gate follows whichever has just fired and
    passes more spikes than the busiest input alone (measured: slope of rate vs activation
    1.1–1.2 in the layers after a pool); :func:`count_max_pool` does not have this bias.

    Non-overlapping windows are reduced along the window's columns, then its rows, on reshaped
    views (a row's first maximum, then the first row holding the overall maximum: the same
    choice as a row-major scan). Overlapping windows fall back to a scan over the ``k²`` offsets.
    """
    s = stride or k
    n, h, w, c = spikes.shape
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    if s == k:
        def view(a):
            return a[:, :ho * k, :wo * k, :].reshape(n, ho, k, wo, k, c)
        bc, bs = _first_max(view(counts), view(spikes), axis=4)
        return _first_max(bc, bs, axis=2)[1]
    best_c = best_s = None
    for a in range(k):
        for b in range(k):
            sl = (slice(None), slice(a, a + s * (ho - 1) + 1, s), slice(b, b + s * (wo - 1) + 1, s))
            if best_c is None:
                best_c, best_s = counts[sl].copy(), spikes[sl].copy()
                continue
            better = counts[sl] > best_c
            np.copyto(best_s, spikes[sl], where=better)
            np.maximum(best_c, counts[sl], out=best_c)
    return best_s


def _fanout(op: Synaptic, in_shape: tuple) -> np.ndarray | int:
    """Outgoing synapses per input position (conv: an (H, W) map; dense: an int)."""
    if op.kind == "dense":
        return op.W.shape[1]
    kh, kw, cin, cout = op.W.shape
    h, w = in_shape[0], in_shape[1]
    ho, wo = op.current(np.zeros((1, h, w, cin), np.float32)).shape[1:3]
    # col2im of ones counts, for every input pixel, the output windows that cover it
    cover = col2im(np.ones((ho * wo, kh * kw), np.float32), (1, h, w, 1), kh, kw, op.stride,
                   op.padding)[0, :, :, 0]
    return cover * cout


class _LayerStats:
    """Streaming sums for rate-vs-activation statistics of one spiking layer."""

    def __init__(self, name: str, n_neurons: int, n_samples: int = 2000):
        self.name, self.n_neurons = name, n_neurons
        self.n_samples = n_samples
        self.samples: tuple[np.ndarray, np.ndarray] | None = None   # (activation, rate) pairs
        self.n = 0
        self.sx = self.sy = self.sxx = self.syy = self.sxy = 0.0
        self.spikes = 0.0
        self.saturated = self.silent = 0

    def update(self, activation: np.ndarray, counts: np.ndarray, T: int) -> None:
        a = activation.reshape(-1).astype(np.float64)
        r = counts.reshape(-1).astype(np.float64) / T
        if self.samples is None:  # a fixed, evenly spaced subset of the first batch, for plots
            idx = np.linspace(0, a.size - 1, min(self.n_samples, a.size)).astype(np.int64)
            self.samples = (a[idx], r[idx])
        self.n += a.size
        self.sx += a.sum()
        self.sy += r.sum()
        self.sxx += a @ a
        self.syy += r @ r
        self.sxy += a @ r
        self.spikes += counts.sum(dtype=np.float64)
        self.saturated += int(np.count_nonzero(counts >= T))
        self.silent += int(np.count_nonzero(counts == 0))

    def merge(self, other: "_LayerStats") -> None:
        """Add another share's sums (the samples stay those of the first share)."""
        for k in ("n", "sx", "sy", "sxx", "syy", "sxy", "spikes", "saturated", "silent"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def result(self, n_images: int) -> dict:
        n = max(self.n, 1)
        cov = self.sxy / n - self.sx / n * self.sy / n
        va, vr = self.sxx / n - (self.sx / n) ** 2, self.syy / n - (self.sy / n) ** 2
        r = cov / np.sqrt(va * vr) if va > 0 and vr > 0 else float("nan")
        return {"name": self.name, "neurons": self.n_neurons,
                "pearson_r": float(r), "slope": float(cov / va) if va > 0 else float("nan"),
                "mean_rate": self.sy / n, "mean_activation": self.sx / n,
                "spikes_per_neuron": self.spikes / n,
                "spikes_per_image": self.spikes / max(n_images, 1),
                "saturated_fraction": self.saturated / n, "silent_fraction": self.silent / n}


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
    synops_per_image: float = 0.0
    ann_macs_per_image: int = 0
    seconds: float = 0.0
    predictions: np.ndarray | None = None
    #: per spiking layer, ``(activation, rate)`` of a fixed subset of neurons (for plots)
    samples: list = field(default_factory=list)


class _Plan:
    """What every batch needs and never changes: shapes, fan-outs, MACs, neuron parameters."""

    def __init__(self, snn: SpikingNetwork, dtype):
        self.ops, self.dtype = snn.ops, np.dtype(dtype)
        if self.dtype != np.float32:  # e.g. float64 for the Brian2 cross-check
            self.ops = [replace(op, W=op.W.astype(dtype), b=op.b.astype(dtype))
                        if isinstance(op, Synaptic) else op for op in snn.ops]
        self.params = IFParams(snn.settings.get("v_th", 1.0), snn.settings.get("reset", "subtract"))
        self.v_init = snn.settings.get("v_init", 0.0) * self.params.v_th
        self.shapes = snn.shapes()
        in_shapes = [tuple(snn.input_shape)] + self.shapes[:-1]
        self.syn = [i for i, op in enumerate(self.ops) if isinstance(op, Synaptic)]
        self.first, self.last = self.syn[0], self.syn[-1]
        self.fanouts = {i: _fanout(self.ops[i], in_shapes[i]) for i in self.syn}
        self.macs = {i: self.ops[i].macs(in_shapes[i], self.shapes[i]) for i in self.syn}
        self.pool_before_first = any(isinstance(op, Pool) for op in self.ops[:self.first])
        self.max_pool = snn.settings.get("max_pool", "count")
        if self.max_pool not in MAX_POOLS:
            raise ValueError(f"unknown max_pool method {self.max_pool!r}; known: "
                             f"{', '.join(MAX_POOLS)}")


def _run_batch(plan: _Plan, xb: np.ndarray, T: int, encoding: str, rng, count_synops: bool,
               on_step=None):
    """Simulate one batch for ``T`` steps (see the module docstring).

    ``on_step(t, readout)`` is called after every step with the output layer's potential or
    spike counts ``(B, n_out)``. Returns ``(counts, synops)``: the spike counts of every weight
    layer (``{op index: (B, ...)}``) and the synaptic operations of the batch.
    """
    ops, params, B = plan.ops, plan.params, len(xb)
    xb = xb.astype(plan.dtype, copy=False)
    enc = make_encoder(encoding, xb, rng)
    v = {i: np.full((B,) + plan.shapes[i], plan.v_init if ops[i].spiking else 0, plan.dtype)
         for i in plan.syn}
    counts = {i: np.zeros((B,) + plan.shapes[i], plan.dtype) for i in plan.syn}
    counts[-1] = np.zeros_like(xb)            # input spikes, for a max pool before any layer
    pooled = {i: 0 for i, op in enumerate(ops) if isinstance(op, Pool) and op.kind == "max"}
    synops = 0.0
    work = {i: {} for i in plan.syn}
    if enc.constant:
        # the ops before the first weight layer, and that layer's current, never change
        pre = xb
        for op in ops[:plan.first]:
            pre = op.ann(pre)
        first_current = ops[plan.first].current(pre)
        synops += plan.macs[plan.first] * B
        begin = plan.first
    else:
        begin = 0
    for t in range(T):
        s = first_current if enc.constant else enc.step(t)
        if begin == 0 and plan.pool_before_first:
            counts[-1] += s
        prev_spiking = -1
        for i in range(begin, len(ops)):
            op = ops[i]
            if isinstance(op, Synaptic):
                if i == begin and enc.constant:
                    current = s
                else:
                    if count_synops:
                        synops += _events(s, plan.fanouts[i])
                    current = op.current(s, work[i])
                if op.spiking:
                    s, _ = if_step(current, v[i], params, out=v[i])
                    counts[i] += s
                    prev_spiking = i
                else:
                    v[i] += current
            elif isinstance(op, Pool) and op.kind == "max":
                if plan.max_pool == "gate":
                    s = gate_max_pool(s, counts[prev_spiking], op.size, op.stride)
                else:
                    s, pooled[i] = count_max_pool(counts[prev_spiking], pooled[i], op.size,
                                                  op.stride)
            else:
                s = op.ann(s)
        if on_step is not None:
            out = counts[plan.last] if ops[plan.last].spiking else v[plan.last]
            on_step(t, out.reshape(B, -1))
    del counts[-1]
    return counts, synops


def _check_inputs(snn, x, T):
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be a positive int, got {T!r}")
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"images must be numeric, got dtype {x.dtype}")
    if x.shape[1:] != tuple(snn.input_shape):
        raise ValueError(f"images of shape {x.shape} do not fit the network's input "
                         f"(N, {', '.join(map(str, snn.input_shape))})")
    if not np.all(np.isfinite(x)):
        raise ValueError("images contain NaN or Inf")
    return x.astype(np.float32, copy=False)


def spike_counts(snn: SpikingNetwork, x: np.ndarray, T: int, *, encoding: str = "constant",
                 rng: np.random.Generator | None = None, dtype=np.float32) -> list[np.ndarray]:
    """Spike counts of every spiking layer after ``T`` steps, for one batch ``x``; a list of
    ``(B, *layer_shape)`` arrays in the order of the layers (the output too if it spikes)."""
    x = _check_inputs(snn, x, T)
    plan = _Plan(snn, dtype)
    counts, _ = _run_batch(plan, x, T, encoding, rng, count_synops=False)
    return [counts[i] for i in plan.syn if plan.ops[i].spiking]


@dataclass
class _Partial:
    """Additive results of a run over some images (one worker's share)."""

    correct: np.ndarray
    agree: np.ndarray
    ann_correct: int
    synops: float
    predictions: np.ndarray
    stats: dict


def _simulate_images(snn, x, y, T, encoding, rng, batch_size, statistics) -> _Partial:
    """The batch loop of :func:`simulate` over ``x`` (any number of images)."""
    plan = _Plan(snn, np.float32)
    stats = {i: _LayerStats(plan.ops[i].name, int(np.prod(plan.shapes[i])))
             for i in plan.syn if plan.ops[i].spiking}
    correct = np.zeros(T, np.int64)
    agree = np.zeros(T, np.int64)
    ann_correct, synops = 0, 0.0
    predictions = np.empty(len(x), np.int64)
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        ann_out, acts = ann_forward(plan.ops, xb, collect=True)
        ann_pred = ann_out.reshape(len(xb), -1).argmax(axis=1)
        ann_correct += int(np.count_nonzero(ann_pred == yb))
        last: dict = {}

        def on_step(t, readout, yb=yb, ann_pred=ann_pred, last=last):
            last["pred"] = pred = readout.argmax(axis=1)
            correct[t] += np.count_nonzero(pred == yb)
            agree[t] += np.count_nonzero(pred == ann_pred)

        counts, ops_b = _run_batch(plan, xb, T, encoding, rng, statistics, on_step)
        synops += ops_b
        predictions[start:start + len(xb)] = last["pred"]
        if statistics:
            for k, i in enumerate(plan.syn):
                if i in stats:
                    a = acts[k] if i != plan.last else np.maximum(acts[k], 0)
                    stats[i].update(a, counts[i], T)
    return _Partial(correct, agree, ann_correct, synops, predictions, stats)


def _worker(args) -> _Partial:
    from ann.blas import set_blas_threads

    set_blas_threads(1)  # the workers share the cores; one BLAS thread each
    return _simulate_images(*args)


def simulate(snn: SpikingNetwork, x: np.ndarray, y: np.ndarray, T: int, *,
             encoding: str = "constant", rng: np.random.Generator | None = None,
             batch_size: int = 500, statistics: bool = True, workers: int = 1) -> SimulationResult:
    """Simulate ``snn`` on images ``x (N, *input_shape)`` in [0, 1] with labels ``y (N,)``,
    recording the accuracy after every one of the ``T`` steps (float32 throughout).

    Parameters
    ----------
    encoding : ``"constant"``, ``"poisson"`` (needs ``rng``) or ``"regular"``.
    batch_size : images simulated together (bounds memory).
    statistics : also compute per-layer rate statistics against the ANN and SynOps.
    workers : processes sharing the images (contiguous shares, whole batches). Deterministic
        encodings give identical results for any number; Poisson input draws each share's
        spikes from its own generator spawned from ``rng``.
    """
    x = _check_inputs(snn, x, T)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    y = np.asarray(y)
    if y.shape != (len(x),):
        raise ValueError(f"{len(x)} images but labels of shape {y.shape}")
    if encoding == "poisson" and rng is None:
        raise ValueError("poisson encoding needs rng (a numpy.random.Generator)")
    t0 = time.perf_counter()
    n_batches = -(-len(x) // batch_size)
    workers = min(workers, n_batches)
    if workers == 1:
        parts = [_simulate_images(snn, x, y, T, encoding, rng, batch_size, statistics)]
    else:
        import concurrent.futures
        import multiprocessing

        bounds = [batch_size * (n_batches * k // workers) for k in range(workers + 1)]
        bounds[-1] = len(x)
        rngs = rng.spawn(workers) if rng is not None else [None] * workers
        jobs = [(snn, x[a:b], y[a:b], T, encoding, r, batch_size, statistics)
                for a, b, r in zip(bounds[:-1], bounds[1:], rngs)]
        ctx = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            parts = list(pool.map(_worker, jobs))
    first = parts[0]
    stats = first.stats
    for part in parts[1:]:
        for i, st in part.stats.items():
            stats[i].merge(st)
    n = len(x)
    plan = _Plan(snn, np.float32)
    return SimulationResult(
        T=T, n=n, accuracy_per_step=sum(p.correct for p in parts) / n,
        agreement_per_step=sum(p.agree for p in parts) / n,
        ann_accuracy=sum(p.ann_correct for p in parts) / n,
        layers=[st.result(n) for st in stats.values()] if statistics else [],
        synops_per_image=sum(p.synops for p in parts) / n if statistics else float("nan"),
        ann_macs_per_image=int(sum(plan.macs.values())),
        seconds=time.perf_counter() - t0,
        predictions=np.concatenate([p.predictions for p in parts]),
        samples=[st.samples for st in stats.values()] if statistics else [])


def _events(s: np.ndarray, fanout) -> float:
    """Synaptic operations caused by the non-zero entries of ``s`` (see module docstring)."""
    nz = s != 0
    if np.isscalar(fanout):
        return float(np.count_nonzero(nz)) * fanout
    return float((nz.sum(axis=(0, 3), dtype=np.float64) * fanout).sum())
