"""Export a converted network to Brian2, as an independent check of the batched simulator.

Every spiking population (a weight layer's or an Add's neurons) and the readout become a
``NeuronGroup`` of non-leaky IF neurons (``v : 1``, threshold ``v ≥ θ``, reset ``v −= θ`` or
``v = 0``); the constant input is a group holding the pixel values ``x``, whose current reaches
the groups that read it through a summed variable (``I_in_post = w · x_pre``); every other
connection is a ``Synapses`` object with ``on_pre: v_post += w``; spiking neurons start at
``v = v_init·θ``. The linear operations between a group and each group it reads (average or
global pooling, flatten, concatenation, a Dense, Conv2D or depthwise layer, an Add's current
branches and shortcut gains) are expanded into an effective weight matrix by pushing unit
vectors through them, so each Brian2 synapse carries exactly the weight the batched simulator
applies; biases are constant currents ``I_b`` added every step. A graph (residual Add,
Concatenate) becomes one ``Synapses`` object per pair of groups.

The batched simulator has no synaptic delay: a spike emitted at step ``t`` arrives in the same
step. Brian2 would normally deliver it one step later (synapses run after the thresholds), so the
export schedules, within one time step, for each layer in order: add the currents, test the
threshold, reset, and propagate its spikes — all in the ``thresholds`` slot with increasing
``order``. With the same constant input and ``dt`` the spike counts then agree exactly
(``tests/bridge/test_bridge_brian.py``). Max-pooling gates are not exported (their state-dependent
routing has no fixed synapse); such a network is refused.

Signed neurons (``params.signed``, :mod:`bridge.neuron`) also count the spikes they have sent,
net (``n : 1``; the reset ``v −= θ`` adds ``n += 1``), and send a *negative* spike through a
custom event ``negative: v < 0 and n > 0`` whose reset is ``v += θ; n −= 1``. Each group's
slice of the ``thresholds`` slot then runs: add the currents, test ``spike``, test ``negative``
(both on ``V[t]`` and ``N[t-1]``; at most one holds), the two resets, and the two pathways of
every ``Synapses`` it drives (``pre: v_post += w`` on ``spike``, ``neg: v_post −= w`` on
``negative``). The counts returned are net: the ``SpikeMonitor``'s minus an ``EventMonitor``'s
of ``negative``. Unsigned networks get neither the event nor ``n``.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import numpy as np

from .checks import fit_images, require_finite
from .network import NEURONS, Add, Pool, SpikingNetwork, Synaptic, apply

__all__ = ["effective_graph", "effective_layers", "Brian2Network", "brian2_spike_counts"]


def _populations(snn: SpikingNetwork) -> list[int]:
    """The operations that become NeuronGroups: spiking neuron operations and the readout."""
    last = len(snn.ops) - 1
    return [i for i, op in enumerate(snn.ops)
            if isinstance(op, NEURONS) and (op.spiking or i == last)]


def _path(ops: list, i: int, groups: set) -> tuple[set, list]:
    """The operations between operation ``i`` and the groups (or the input) it reads: the linear
    operations its current passes through, and those groups."""
    inner, sources, stack = set(), [], list(ops[i].inputs)
    while stack:
        j = stack.pop()
        if j == -1 or j in groups:
            if j not in sources:
                sources.append(j)
        elif j not in inner:
            if isinstance(ops[j], Pool) and ops[j].kind == "max":
                raise ValueError("max pooling (spike gating) cannot be exported to Brian2; "
                                 "use AvgPool2D in the model")
            inner.add(j)
            stack.extend(ops[j].inputs)
    return inner, sorted(sources)


def _probe(ops: list, i: int, inner: set, given: dict) -> np.ndarray:
    """Operation ``i``'s current (no ReLU) from the values ``given`` of the groups it reads."""
    vals = dict(given)
    for k in sorted(inner) + [i]:
        vals[k] = apply(ops[k], vals, relu=False)
    return vals[i].reshape(len(vals[i]), -1)


def effective_graph(snn: SpikingNetwork, dtype=np.float64) -> list[dict]:
    """One dict per NeuronGroup (spiking neuron operations and the readout, in order): its size
    ``n``, bias ``b (n,)``, whether it spikes, its name, and ``sources``: ``(j, M)`` for each
    group it reads (``j``: its index in this list, or ``-1`` for the input) with the effective
    matrix ``M (n_j, n)`` of the linear operations between them (pooling, flatten, concatenation,
    weight layers, the current branches and shortcut gains of an Add), found by pushing unit
    vectors through them. ``ValueError`` for max pooling and for NaN/Inf weights."""
    ops = [replace(op, W=op.W.astype(dtype), b=op.b.astype(dtype)) if isinstance(op, Synaptic)
           else replace(op, b=op.b.astype(dtype), gains=tuple(
               None if g is None else g.astype(dtype) for g in op.gains))
           if isinstance(op, Add) else op for op in snn.ops]
    shapes = {-1: tuple(snn.input_shape), **dict(enumerate(snn.shapes()))}
    pops = _populations(snn)
    index = {i: k for k, i in enumerate(pops)}
    out = []
    for i in pops:
        inner, sources = _path(ops, i, set(pops))
        zeros = {j: np.zeros((1,) + shapes[j], dtype) for j in sources}
        b = _probe(ops, i, inner, zeros)[0]
        entry = {"n": b.size, "b": b, "spiking": ops[i].spiking, "name": ops[i].name,
                 "sources": []}
        for j in sources:
            n_j = int(np.prod(shapes[j]))
            given = {k: np.zeros((n_j,) + shapes[k], dtype) for k in sources}
            given[j] = np.eye(n_j, dtype=dtype).reshape((n_j,) + shapes[j])
            M = _probe(ops, i, inner, given) - b
            require_finite(M, f"Brian2 export: effective weights of {ops[i].name}")
            entry["sources"].append((-1 if j == -1 else index[j], M))
        require_finite(b, f"Brian2 export: effective bias of {ops[i].name}")
        out.append(entry)
    return out


def effective_layers(snn: SpikingNetwork, dtype=np.float64) -> list[dict]:
    """For a chain: one dict per weight layer with its effective matrix ``M (n_prev, n)`` from
    the previous spiking layer (or the input), bias ``b (n,)``, whether it spikes, and its name
    (:func:`effective_graph`'s groups, each with its one source). ``ValueError`` for a graph."""
    if not snn.is_chain:
        raise ValueError("effective_layers takes a chain of layers; use effective_graph")
    return [{"M": g["sources"][0][1], "b": g["b"], "spiking": g["spiking"], "name": g["name"]}
            for g in effective_graph(snn, dtype)]


#: orders per group in the ``thresholds`` slot (group ``k`` uses ``_SLOT·k`` to ``_SLOT·k + 6``)
_SLOT = 8
# order within the thresholds slot, per group k: _SLOT * k + offset (see the module docstring)
_CURRENT, _SPIKE, _NEGATIVE, _RESET, _UNRESET, _PRE, _NEG = range(7)


class Brian2Network:
    """The Brian2 network of a converted ``snn`` (built once); :meth:`spike_counts` runs one
    image with constant input for ``T`` steps of ``dt = 1 ms`` from the initial state.

    ``target`` is Brian2's code-generation target, set while this object builds and runs.
    """

    def __init__(self, snn: SpikingNetwork, target: str = "numpy"):
        import brian2 as b2

        self.b2, self.target = b2, target
        self.input_shape = tuple(snn.input_shape)
        layers = effective_graph(snn)
        self.dt = 1 * b2.ms
        with self._target():
            self.input = b2.NeuronGroup(int(np.prod(snn.input_shape)), "x : 1 (constant)",
                                        dt=self.dt, name="input")
            groups, synapses, self.monitors, self.negative = [], [], [], []
            for k, lay in enumerate(layers):
                g = self._neuron_group(k, lay, snn.params)
                for j, M in lay["sources"]:
                    signed_pre = j != -1 and snn.params.signed and layers[j]["spiking"]
                    synapses.append(self._synapses(j, k, M, groups, g, signed_pre))
                groups.append(g)
            self.groups = groups
            self.net = b2.Network(self.input, *groups, *synapses, *self.monitors,
                                  *self.negative)
            self.net.store("start")

    def _neuron_group(self, k: int, lay: dict, params):
        """Group ``k`` of IF neurons: ``v += I_b (+ I_in)``, threshold ``v ≥ θ``, reset (and, for
        signed neurons, the ``negative`` event), scheduled in its slice of the ``thresholds``
        slot; a spiking group gets its monitors and starts at ``v_init·θ``."""
        b2, dt, o = self.b2, self.dt, _SLOT * k
        reset = "v -= v_th" if params.reset == "subtract" else "v = 0"
        reads_input = any(j == -1 for j, _ in lay["sources"])
        eqs = "v : 1\nI_b : 1 (constant)" + ("\nI_in : 1" if reads_input else "")
        kw = dict(threshold="v >= v_th", reset=reset) if lay["spiking"] else {}
        signed = lay["spiking"] and params.signed
        if signed:
            # n: spikes sent so far, net (N[t-1] while the events are tested)
            eqs += "\nn : 1"
            kw.update(reset=reset + "\nn += 1", events={"negative": "v < 0 and n > 0"})
        g = b2.NeuronGroup(lay["n"], eqs, dt=dt, namespace={"v_th": params.v_th},
                           name=f"layer{k}", **kw)
        g.I_b = lay["b"]
        # same-step propagation: add currents, threshold, reset, propagate — per group
        g.run_regularly("v += I_b" + (" + I_in" if reads_input else ""), dt=dt,
                        when="thresholds", order=o + _CURRENT)
        if not lay["spiking"]:
            return g
        g.v = params.v_init * params.v_th
        g.thresholder["spike"].order = o + _SPIKE
        g.resetter["spike"].when = "thresholds"
        g.resetter["spike"].order = o + _RESET
        self.monitors.append(b2.SpikeMonitor(g, record=False, name=f"count{k}"))
        if signed:
            # both tests read V[t] and N[t-1], before either reset runs
            g.thresholder["negative"].when = "thresholds"
            g.thresholder["negative"].order = o + _NEGATIVE
            g.run_on_event("negative", "v += v_th\nn -= 1", when="thresholds",
                           order=o + _UNRESET)
            self.negative.append(b2.EventMonitor(g, "negative", record=False,
                                                 name=f"negative{k}"))
        return g

    def _synapses(self, j: int, k: int, M: np.ndarray, groups: list, g, signed_pre: bool):
        """The synapses from group ``j`` (``-1``: the input, as a summed current
        ``I_in = w · x``) to group ``k`` (``g``) with weights ``M (n_j, n_k)``'s nonzeros; a
        group's spikes add ``w`` in the same step, a signed group's negative spikes take it
        back."""
        b2, dt = self.b2, self.dt
        pre, post = np.nonzero(M)
        if j == -1:
            s = b2.Synapses(self.input, g, "w : 1 (constant)\nI_in_post = w * x_pre : 1 "
                            "(summed)", dt=dt, name=f"syn_in_{k}")
        else:
            on_pre, on_event = "v_post += w", "spike"
            if signed_pre:
                on_pre = {"pre": on_pre, "neg": "v_post -= w"}
                on_event = {"pre": "spike", "neg": "negative"}
            s = b2.Synapses(groups[j], g, "w : 1 (constant)", on_pre=on_pre,
                            on_event=on_event, dt=dt, name=f"syn{j}_{k}")
            s.pre.when = "thresholds"
            s.pre.order = _SLOT * j + _PRE
            if signed_pre:
                s.neg.when = "thresholds"
                s.neg.order = _SLOT * j + _NEG
        s.connect(i=pre, j=post)
        s.w = M[pre, post]
        return s

    @contextlib.contextmanager
    def _target(self):
        prefs = self.b2.prefs
        old = prefs.codegen.target
        prefs.codegen.target = self.target
        try:
            yield
        finally:
            prefs.codegen.target = old

    def spike_counts(self, image: np.ndarray, T: int) -> list[np.ndarray]:
        """Spike counts (net, for signed neurons) of each spiking layer (flat, in layer order)
        after ``T`` steps of one ``image`` (any layout with as many values as the input).
        ``ValueError`` (one line) if the image does not fit or holds NaN/Inf, or if a membrane
        potential ends NaN/Inf (a NaN never crosses the threshold: its layer would read as
        silent)."""
        x = fit_images(np.asarray(image)[None], self.input_shape, "Brian2 input image")
        with self._target():
            self.net.restore("start")
            self.input.x = x.astype(np.float64).reshape(-1)
            self.net.run(T * self.dt)
            for g in self.groups:
                require_finite(np.asarray(g.v[:]), f"Brian2: membrane potential of {g.name}")
        counts = [np.asarray(m.count[:], dtype=np.int64) for m in self.monitors]
        if self.negative:                       # net counts: positive minus negative spikes
            counts = [c - np.asarray(m.count[:], dtype=np.int64)
                      for c, m in zip(counts, self.negative)]
        return counts


def brian2_spike_counts(snn: SpikingNetwork, images: np.ndarray, T: int,
                        target: str = "numpy") -> list[list[np.ndarray]]:
    """Simulate ``snn`` in Brian2 on each of ``images (n, *input_shape)`` with constant input for
    ``T`` steps of ``dt = 1 ms``; return, per image, the spike counts of each spiking layer
    (flat arrays, in layer order). ``target``: Brian2's code-generation target."""
    images = fit_images(images, snn.input_shape, "Brian2 input images")
    net = Brian2Network(snn, target)
    return [net.spike_counts(x, T) for x in images]
