"""Export a converted network to Brian2, as an independent check of the batched simulator.

Every spiking layer becomes a ``NeuronGroup`` of non-leaky IF neurons (``v : 1``, threshold
``v ≥ θ``, reset ``v −= θ`` or ``v = 0``); the constant input is a group holding the pixel values
``x``, whose current reaches the first layer through a summed variable
(``I_in_post = w · x_pre``); every other connection is a ``Synapses`` object with
``on_pre: v_post += w``; spiking neurons start at ``v = v_init·θ``. The linear operations
between two spiking layers (average pooling, flatten, a Dense or Conv2D layer) are expanded
into their effective weight matrix by pushing unit vectors through them, so each Brian2 synapse
carries exactly the weight the batched simulator applies; biases are constant currents ``I_b``
added every step.

The batched simulator has no synaptic delay: a spike emitted at step ``t`` arrives in the same
step. Brian2 would normally deliver it one step later (synapses run after the thresholds), so the
export schedules, within one time step, for each layer in order: add the currents, test the
threshold, reset, and propagate its spikes — all in the ``thresholds`` slot with increasing
``order``. With the same constant input and ``dt`` the spike counts then agree exactly
(``tests/bridge/test_brian_export.py``). Max-pooling gates are not exported (their state-dependent
routing has no fixed synapse); such a network is refused.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import numpy as np

from .checks import fit_images, require_finite
from .network import Flatten, Pool, SpikingNetwork, Synaptic

__all__ = ["effective_layers", "Brian2Network", "brian2_spike_counts"]


def _chain(ops: list, x: np.ndarray) -> np.ndarray:
    for op in ops:
        x = op.current(x) if isinstance(op, Synaptic) else op.ann(x)
    return x


def effective_layers(snn: SpikingNetwork, dtype=np.float64) -> list[dict]:
    """One dict per weight layer: effective matrix ``M (n_prev, n)``, bias ``b (n,)``, whether it
    spikes, and its name; ``n_prev`` is the previous spiking layer's size (or the input's)."""
    if not snn.is_chain:
        raise ValueError("the Brian2 export takes a chain of layers; this network is a graph "
                         "(Add or Concatenate): simulate it with bridge.simulate")
    layers, pending = [], []
    shape = tuple(snn.input_shape)
    for op in snn.ops:
        if isinstance(op, Pool) and op.kind == "max":
            raise ValueError("max pooling (spike gating) cannot be exported to Brian2; "
                             "use AvgPool2D in the model")
        if isinstance(op, Synaptic):
            op = replace(op, W=op.W.astype(dtype), b=op.b.astype(dtype))
        pending.append(op)
        if not isinstance(op, Synaptic):
            continue
        n_prev = int(np.prod(shape))
        zero = np.zeros((1,) + shape, dtype)
        b = _chain(pending, zero).reshape(-1)
        eye = np.eye(n_prev, dtype=dtype).reshape((n_prev,) + shape)
        M = _chain(pending, eye).reshape(n_prev, -1) - b
        shape = _chain(pending, zero).shape[1:]
        require_finite(M, f"Brian2 export: effective weights of {op.name}")
        require_finite(b, f"Brian2 export: effective bias of {op.name}")
        layers.append({"M": M, "b": b, "spiking": op.spiking, "name": op.name})
        pending = []
    if pending and any(not isinstance(op, Flatten) for op in pending):
        raise ValueError("the network must end with a weight layer")
    return layers


class Brian2Network:
    """The Brian2 network of a converted ``snn`` (built once); :meth:`spike_counts` runs one
    image with constant input for ``T`` steps of ``dt = 1 ms`` from the initial state.

    ``target`` is Brian2's code-generation target, set while this object builds and runs.
    """

    def __init__(self, snn: SpikingNetwork, target: str = "numpy"):
        import brian2 as b2

        self.b2, self.target = b2, target
        self.input_shape = tuple(snn.input_shape)
        layers = effective_layers(snn)
        v_th = snn.params.v_th
        v_init = snn.params.v_init * v_th
        reset = "v -= v_th" if snn.params.reset == "subtract" else "v = 0"
        self.dt = dt = 1 * b2.ms
        with self._target():
            self.input = inp = b2.NeuronGroup(int(np.prod(snn.input_shape)), "x : 1 (constant)",
                                              dt=dt, name="input")
            groups, synapses, self.monitors = [], [], []
            for k, lay in enumerate(layers):
                n = lay["M"].shape[1]
                eqs = "v : 1\nI_b : 1 (constant)" + ("\nI_in : 1" if k == 0 else "")
                kw = dict(threshold="v >= v_th", reset=reset) if lay["spiking"] else {}
                g = b2.NeuronGroup(n, eqs, dt=dt, namespace={"v_th": v_th}, name=f"layer{k}",
                                   **kw)
                g.I_b = lay["b"]
                # same-step propagation: add currents, threshold, reset, propagate — per layer
                g.run_regularly("v += I_b" + (" + I_in" if k == 0 else ""), dt=dt,
                                when="thresholds", order=4 * k)
                if lay["spiking"]:
                    g.v = v_init
                    g.thresholder["spike"].order = 4 * k + 1
                    g.resetter["spike"].when = "thresholds"
                    g.resetter["spike"].order = 4 * k + 2
                    self.monitors.append(b2.SpikeMonitor(g, record=False, name=f"count{k}"))
                pre, post = np.nonzero(lay["M"])
                if k == 0:
                    s = b2.Synapses(inp, g, "w : 1 (constant)\nI_in_post = w * x_pre : 1 (summed)",
                                    dt=dt, name="syn0")
                else:
                    s = b2.Synapses(groups[-1], g, "w : 1 (constant)", on_pre="v_post += w",
                                    dt=dt, name=f"syn{k}")
                    s.pre.when = "thresholds"
                    s.pre.order = 4 * (k - 1) + 3
                s.connect(i=pre, j=post)
                s.w = lay["M"][pre, post]
                groups.append(g)
                synapses.append(s)
            self.groups = groups
            self.net = b2.Network(inp, *groups, *synapses, *self.monitors)
            self.net.store("start")

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
        """Spike counts of each spiking layer (flat, in layer order) after ``T`` steps of one
        ``image`` (any layout with as many values as the input). ``ValueError`` (one line) if the
        image does not fit or holds NaN/Inf, or if a membrane potential ends NaN/Inf (a NaN
        never crosses the threshold: its layer would read as silent)."""
        x = fit_images(np.asarray(image)[None], self.input_shape, "Brian2 input image")
        with self._target():
            self.net.restore("start")
            self.input.x = x.astype(np.float64).reshape(-1)
            self.net.run(T * self.dt)
            for g in self.groups:
                require_finite(np.asarray(g.v[:]), f"Brian2: membrane potential of {g.name}")
        return [np.asarray(m.count[:], dtype=np.int64) for m in self.monitors]


def brian2_spike_counts(snn: SpikingNetwork, images: np.ndarray, T: int,
                        target: str = "numpy") -> list[list[np.ndarray]]:
    """Simulate ``snn`` in Brian2 on each of ``images (n, *input_shape)`` with constant input for
    ``T`` steps of ``dt = 1 ms``; return, per image, the spike counts of each spiking layer
    (flat arrays, in layer order). ``target``: Brian2's code-generation target."""
    images = fit_images(images, snn.input_shape, "Brian2 input images")
    net = Brian2Network(snn, target)
    return [net.spike_counts(x, T) for x in images]
