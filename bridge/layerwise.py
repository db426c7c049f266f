"""The time-batched simulator: every layer over all ``T`` steps at once, layer after layer.

The converted network is feed-forward and a spike reaches the next layer in the same step, so
layer ``l``'s input for all steps is known once layer ``l−1`` has run for all steps. Each layer is
then one large matrix product over ``B·T`` frames instead of ``T`` small ones, and a loop over
time that is element-wise and compiled (:mod:`bridge.kernels`). With ``S_l`` the ``(T, B, ...)``
spike trains of layer ``l``::

    S_0         = encoder block of T steps                 (bridge.encoding; constant: x)
    I_l         = W̃_l S_{l−1} + b̃_l                        one product over the T·B frames
    S_l, V_l    = IF loop over t of I_l[t]                 (bridge.kernels.if_run)
    max pool:   N[t] = N[0] + Σ_{τ≤t} S[τ]  (cumulative counts of the input, all t at once)
                N_out[t] = max over the window of N[t];  S_out[t] = N_out[t] − N_out[t−1]
                (gate: the spikes of the window's busiest input so far, frame by frame)
    avg pool, flatten:  applied to the T·B frames
    readout:    V_out[t] = V_out[t−1] + I_out[t] (potential) or the cumulative output counts;
                prediction[t] = argmax (ties → lowest class)

A graph runs the same way in topological order: an ``Add``'s neurons take the sum of its
currents and weighted shortcut trains, a ``Concat`` joins trains; each operation's trains are
freed after their last reader. A count max pool that alone reads a spiking population runs in
that population's loop (:func:`bridge.kernels.if_count_pool_run`): the population's trains are
never written.

These are the equations of the step-by-step simulator (:mod:`bridge.step_loop`) reordered; with
the same inputs the results are the same: bit for bit in float64 (spike counts, readouts,
predictions; :mod:`bridge.plan` explains the matrix product this takes), and up to the order in
which BLAS sums a product in float32.

**Memory.** A chunk of ``B`` images holds every layer's trains for all its steps; :func:`chunking`
sizes ``B`` from a memory budget. When a single image's ``T`` steps exceed the budget, the chunk
is one image run in blocks of ``n < T`` steps, the state (potentials, counts, pooling) carried
from block to block. Neither the chunk size nor the block length changes the float64 results, and
Poisson input is the same for every chunking (:mod:`bridge.encoding`).
"""

from __future__ import annotations

import numpy as np

from .encoding import make_encoder
from .kernels import accumulate, count_max_pool_run, if_count_pool_run, if_run
from .network import NEURONS, Concat, Pool, Synaptic
from .plan import BatchResult, Plan, check_potentials, events
from .spike_pool import gate_max_pool
from .step_loop import static_values

__all__ = ["run_chunk", "chunking", "constant_current", "default_memory_budget",
           "DEFAULT_MEMORY_BUDGET"]

#: bytes: the default memory budget of a simulation, 256 MiB, or 32 MiB per worker where more
DEFAULT_MEMORY_BUDGET = 256 * 2 ** 20
_PER_WORKER = 32 * 2 ** 20


def default_memory_budget(workers: int = 1) -> int:
    """The default budget in bytes: 256 MiB, or 32 MiB per worker process where that is more."""
    return max(DEFAULT_MEMORY_BUDGET, workers * _PER_WORKER)


#: bytes of im2col rows per matrix product of a convolution (the rows are sliced to stay below):
#: a slice that stays in the cache between im2col and the product. Measured here (LeNet's second
#: convolution, 3200 frames): 2 MiB 29 ms, 8 MiB 31 ms, 64 MiB 57 ms, 256 KiB 42 ms.
COLS_BYTES = 2 * 2 ** 20
#: bytes held regardless of the chunk: the im2col slice, a Poisson draw, the ANN's products
_FIXED_BYTES = 4 * COLS_BYTES


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def chunking(plan: Plan, T: int, budget: int, n_images: int,
             workers: int = 1) -> tuple[int, int]:
    """``(images, steps)`` per chunk for a memory ``budget`` in bytes shared by ``workers``: as
    many images as fit with all ``T`` steps, or one image in blocks of
    ``steps < T``. ``ValueError`` (one line, naming the minimum) if not even one step of one image
    fits.

    Per step of an image: at each operation, the trains still to be read by a later one (a
    residual shortcut's), and its own input and output twice over (a max pool also holds the
    cumulative counts and their maximum); per image, every layer's potential and counts, the
    pooling state and the ANN activations (for the statistics) stay for the whole chunk.
    """
    total, budget = budget, budget // workers
    item = plan.dtype.itemsize
    sizes = [(_size(i), _size(o)) for i, o in zip(plan.in_shapes, plan.shapes)]
    held = [sum(sizes[j][1] for j in range(i) if plan.last_use[j] > i)
            for i in range(len(sizes))]
    per_step = max(h + 2 * i + 2 * o for h, (i, o) in zip(held, sizes)) * item
    per_image = 4 * sum(i + o for i, o in sizes) * item
    free = budget - _FIXED_BYTES
    images = free // (T * per_step + per_image) if free > 0 else 0
    if images >= 1:
        return int(min(images, max(n_images, 1))), T
    steps = (free - per_image) // per_step if free > 0 else 0
    if steps < 1:
        need = _FIXED_BYTES + per_image + per_step
        share = f" ({budget / 2 ** 20:.3g} MiB for each of {workers} workers)" if workers > 1 \
            else ""
        raise ValueError(f"memory budget {total / 2 ** 20:.3g} MiB{share} is too small for this "
                         f"network: one step of one image needs {need / 2 ** 20:.3g} MiB")
    return 1, int(steps)


def _frames(s: np.ndarray) -> np.ndarray:
    """``(n, B, ...)`` trains as ``(n·B, ...)`` frames (a view)."""
    return s.reshape((-1,) + s.shape[2:])


def _currents(plan: Plan, i: int, s: np.ndarray, work: dict) -> np.ndarray:
    """``W̃ S + b̃`` of weight layer ``i`` for the trains ``s (n, B, ...)``: one product over all
    frames (a convolution in slices of at most :data:`COLS_BYTES` of im2col rows)."""
    frames = _frames(s)
    op = plan.ops[i]
    if op.kind == "dense":
        u = plan.current(i, frames)
    else:
        kh, kw, cin, _ = op.W.shape
        per_frame = _size(plan.shapes[i][:2]) * kh * kw * cin * plan.dtype.itemsize
        step = max(1, COLS_BYTES // per_frame)
        u = np.empty((len(frames),) + plan.shapes[i], plan.dtype)
        for a in range(0, len(frames), step):
            plan.current(i, frames[a:a + step], work, out=u[a:a + step])
    return u.reshape(s.shape[:2] + plan.shapes[i])


class _State:
    """What a chunk carries from one block of steps to the next."""

    def __init__(self, plan: Plan, B: int):
        ops, dt = plan.ops, plan.dtype
        self.v = {i: np.full((B,) + plan.shapes[i], plan.v_init if ops[i].spiking else 0, dt)
                  for i in plan.syn}
        self.counts = {i: np.zeros((B,) + plan.shapes[i], dt) for i in plan.syn}
        maxpools = [i for i, op in enumerate(ops) if isinstance(op, Pool) and op.kind == "max"]
        self.pool_in = {i: np.zeros((B,) + plan.in_shapes[i], dt) for i in maxpools}
        self.pool_out = {i: np.zeros((B,) + plan.shapes[i], dt) for i in maxpools}


def _max_pool(plan: Plan, i: int, s: np.ndarray, st: _State) -> np.ndarray:
    """Max pooling of the trains ``s (n, B, H, W, C)`` for all ``n`` steps at once."""
    op, (n, B) = plan.ops[i], s.shape[:2]
    if plan.max_pool == "count":
        return count_max_pool_run(s, st.pool_in[i], st.pool_out[i], op.size, op.stride)
    counts = np.empty_like(s)                 # the gate needs every step's counts
    for t in range(n):
        st.pool_in[i] += s[t]
        counts[t] = st.pool_in[i]
    out = gate_max_pool(_frames(s), _frames(counts), op.size, op.stride)
    return out.reshape((n, B) + out.shape[1:])


def constant_current(plan: Plan, xb: np.ndarray) -> np.ndarray | None:
    """With constant input ``xb``: the current of the network's entry (the first weight layer of a
    chain, after the operations before it), in the plan's dtype, or ``None`` if the network has
    no single entry (a graph whose input several operations read)."""
    if plan.entry is None:
        return None
    pre = xb.astype(plan.dtype, copy=False)
    for op in plan.ops[:plan.entry]:
        pre = op.ann(pre)
    return plan.current(plan.entry, pre)


def _layer_current(plan: Plan, i: int, vals: dict, static: dict, constant: dict,
                   shape: tuple, count_synops: bool, result: BatchResult, work: dict):
    """``(I, out)`` of neuron operation ``i`` for a block of ``shape = (n, B)`` steps and
    images: its current — constant (computed once), ``W̃ S + b̃`` of a weight layer, or an
    ``Add``'s currents and weighted shortcut trains — and, where the current has no time axis
    (constant), a fresh ``(n, B, ...)`` array for the layer's output, else ``None``. Adds the
    block's synaptic operations (one per input spike and fan-out) to ``result.synops`` if
    ``count_synops``."""
    op = plan.ops[i]
    if i in constant:
        return constant[i], np.empty(shape + plan.shapes[i], plan.dtype)
    if isinstance(op, Synaptic):
        if count_synops:
            result.synops += events(_frames(vals[op.inputs[0]]), plan.fanouts[i])
        return _currents(plan, i, vals[op.inputs[0]], work), None
    if count_synops:   # a weighted shortcut: one synapse per spike
        result.synops += sum(events(_frames(vals[j]), 1) for j, g in zip(op.inputs, op.gains)
                             if g is not None and j not in static)
    current = op.current([vals[j] for j in op.inputs])
    if current.ndim == len(plan.shapes[i]) + 1:   # every input constant
        return current, np.empty(shape + plan.shapes[i], plan.dtype)
    return current, None


def _neurons(plan: Plan, i: int, current, out, st: _State, n: int, vals: dict,
             fused: dict) -> None:
    """Run neuron operation ``i`` on its current for ``n`` steps (compiled loops,
    :mod:`bridge.kernels`) and store its value in ``vals``: IF neurons (integrate, fire, reset;
    fused with the count max pool that alone reads them), the output potential ``V[t]``, or a
    current an ``Add`` reads."""
    op = plan.ops[i]
    th, reset, signed = plan.params
    if i in fused:                  # IF neurons and the count max pool after them
        pool = plan.ops[fused[i]]
        vals[fused[i]] = if_count_pool_run(current, st.v[i], th, reset, st.counts[i],
                                           st.pool_out[fused[i]], n, pool.size, pool.stride,
                                           signed)
    elif op.spiking:
        vals[i] = if_run(current, st.v[i], th, reset, st.counts[i], out=out, signed=signed)
    elif i == plan.last:            # the output potential V[t]
        vals[i] = accumulate(current, st.v[i], out=out)
    else:                           # a current, read by an Add
        vals[i] = current


def _spike_op(plan: Plan, i: int, vals: dict, st: _State) -> np.ndarray:
    """The ``(n, B, ...)`` trains out of a pooling, ``Concat`` or ``Flatten`` operation ``i``."""
    op = plan.ops[i]
    if isinstance(op, Pool) and op.kind == "max":
        return _max_pool(plan, i, vals[op.inputs[0]], st)
    if isinstance(op, Concat):
        return op.ann([vals[j] for j in op.inputs])
    x = vals[op.inputs[0]]
    y = op.ann(_frames(x))
    return y.reshape(x.shape[:2] + y.shape[1:])


def _cumulate(s: np.ndarray, before: np.ndarray) -> None:
    """Spike-count readout: the output trains ``s (n, B, ...)`` replaced, in place, by the
    cumulative counts, starting from (and updating) ``before``."""
    for t in range(len(s)):
        before += s[t]
        s[t] = before


# NaN/Inf are reported by require_finite, in one line, not as warnings
@np.errstate(over="ignore", invalid="ignore")
def run_chunk(plan: Plan, xb: np.ndarray, T: int, encoding: str, rng, count_synops: bool,
              record_readouts: bool = False, steps: int | None = None,
              first_current: np.ndarray | None = None) -> BatchResult:
    """Simulate a chunk ``xb (B, *input_shape)`` for ``T`` steps, layer by layer over blocks of
    ``steps`` steps (default: all ``T``; see the module docstring). With constant input,
    ``first_current`` may give the first weight layer's current if already computed
    (:func:`constant_current`).

    Blocks shorter than ``T`` take one image at a time with Poisson input (its trains are drawn
    image by image, :mod:`bridge.encoding`); :func:`chunking` never asks for more.

    Returns a :class:`~bridge.plan.BatchResult`. ``ValueError`` (one line, naming the layer) if a
    membrane potential ends NaN/Inf.
    """
    ops, B = plan.ops, len(xb)
    steps = T if steps is None else steps
    if encoding == "poisson" and steps < T and B > 1:
        raise ValueError(f"Poisson input in blocks of {steps} < T = {T} steps needs chunks of "
                         f"one image, got {B}")
    xb = xb.astype(plan.dtype, copy=False)
    enc = make_encoder(encoding, xb, rng)
    st = _State(plan, B)
    result = BatchResult.empty(plan, T, B, record_readouts)
    work: dict = {}
    static, constant = {}, {}
    if enc.constant:   # static values and constant currents never change: computed once
        static, constant = static_values(plan, xb, first_current)
        result.synops += (sum(plan.macs[i] for i in constant) + plan.static_shortcut_ops) * B
    fused = {ops[p].inputs[0]: p for p in plan.fused_pools}
    for t0 in range(0, T, steps):
        n = min(steps, T - t0)
        vals = dict(static) if enc.constant else {-1: enc.block(n)}
        before = st.counts[plan.last].copy() if ops[plan.last].spiking else None
        for i, op in enumerate(ops):
            if i in vals:
                continue
            if isinstance(op, NEURONS):
                current, out = _layer_current(plan, i, vals, static, constant, (n, B),
                                              count_synops, result, work)
                _neurons(plan, i, current, out, st, n, vals, fused)
            else:
                vals[i] = _spike_op(plan, i, vals, st)
            for j in op.inputs:                 # free what no later operation reads
                if plan.last_use[j] == i and j not in static:
                    vals.pop(j, None)
        s = vals[plan.last]
        if before is not None:                 # spike-count readout: cumulative counts
            _cumulate(s, before)
        result.record(t0, s.reshape(n, B, -1))
    check_potentials(plan, st.v)
    result.counts = st.counts
    return result
