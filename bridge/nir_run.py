"""Run a checked NIR graph (:mod:`bridge.nir_graph`) on a batch of inputs, step by step, in NumPy.

NIR states continuous-time equations (Pedersen et al. 2024, Nat. Commun. 15:8122); a simulator
has to discretise them, and NIR leaves the choice to it. This runner uses the discretisation
that both clients measured here implement (norse 1.1 ``LIFBoxCell``/``LIBoxCell``/``IAFCell``,
snnTorch 1.0 ``Leaky``/``Synaptic`` as created by their NIR importers): **forward Euler with
step** ``dt``, the nodes of one step evaluated in topological order (an edge carries its value
within the same step, as nirtorch's graph executor does), and a node's input current taken
from the same step. Per step ``t``, with ``x`` the summed input of a node (``B`` images first):

=========  =======================================================================  ==========
node       update                                                                   output
=========  =======================================================================  ==========
Affine     ``y = x Wᵀ + b``; Linear without ``b``                                   ``y``
Conv2d     cross-correlation, NCHW, weight ``(Co, Ci, kh, kw)``, zero padding        ``y``
SumPool2d  window sum; AvgPool2d: window sum / (kh·kw) (zeros of the padding count)  ``y``
Flatten    ``start_dim … end_dim`` of the per-image shape merged                     ``y``
Scale      ``y = s ⊙ x``                                                             ``y``
I          ``v ← v + dt·r·x``                                                        ``v``
LI         ``v ← v + (dt/τ)·((v_leak − v) + r·x)``                                  ``v``
IF         ``v ← v + dt·r·x``;  ``z = [v > θ]``;  ``v ← v_reset`` where ``z``        ``z``
LIF        ``v ← v + (dt/τ)·((v_leak − v) + r·x)``;  ``z = [v > θ]``;  reset         ``z``
CubaLIF    ``i ← i + (dt/τ_syn)·(−i + w_in·x)``;  then LIF on ``r·i`` with ``τ_mem``  ``z``
=========  =======================================================================  ==========

Why this form: it is the one the clients compute, so a graph they export runs here as it ran
there. norse's ``LIFBoxCell`` computes ``v + dt·τ⁻¹·((v_leak − v) + I)``, the expression above
with ``r`` applied to the input; snnTorch's ``Leaky`` computes ``β·v + I`` with ``β = 1 − dt/τ``
and requires ``r·dt/τ = 1`` (``dt = 10⁻⁴`` s, fixed in its importer), the same map with the
terms grouped differently (equal up to float rounding). Exact integration
(``v ← v_∞ + (v − v_∞)·e^{−dt/τ}``) would differ from both by ``O((dt/τ)²)`` per step.

``reset="subtract"`` (``v ← v − θ·z``, every spiking node) is an option because norse's importer
can be asked for it (``from_nir(..., reset_method=reset_subtract)``, which norse 1.1 applies to
CubaLIF nodes only); NIR itself resets to ``v_reset``.
Every state starts at 0 (NIR has no initial state) unless ``v_init`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ann.convolution import im2col

from .checks import one_of, positive_int, positive_number, require_finite
from .nir_graph import GraphPlan

__all__ = ["NIRRun", "run_graph", "SPIKING"]

SPIKING = ("IF", "LIF", "CubaLIF")
RESETS = ("value", "subtract")


def _ints(a) -> tuple:
    return tuple(int(v) for v in np.broadcast_to(np.asarray(a).reshape(-1), (2,)))


def _pool_sum(x, k, s, p):
    """Window sums of ``x (B, C, H, W)``: ``(B, C, Ho, Wo)``, zero padding ``p``."""
    b, c, h, w = x.shape
    nhwc = x.reshape(b * c, h, w, 1)
    cols, (ho, wo) = im2col(nhwc, k[0], k[1], s[0], (p[0], p[0], p[1], p[1]))
    return cols.sum(axis=1).reshape(b, c, ho, wo)


@dataclass
class NIRRun:
    """What one run records: ``outputs (T, B, *out_shape)`` (the Output node at every step),
    ``counts`` (``{node: (B, *shape)}`` spikes of every IF/LIF/CubaLIF node over the run) and the
    final ``states`` (``{node: v}``, and ``{node + ".i": i}`` for CubaLIF)."""

    outputs: np.ndarray
    counts: dict
    states: dict


def _affine(node, x, dtype):
    y = x @ np.asarray(node.weight, dtype).T
    if hasattr(node, "bias"):
        y = y + np.asarray(node.bias, dtype)
    return y


def _conv(step, x, dtype):
    n = step.node
    if _ints(n.dilation) != (1, 1):
        raise ValueError(f"node {step.name!r} (Conv2d): dilation other than 1 is not supported")
    groups = int(n.groups)
    sh, sw = _ints(n.stride)
    if sh != sw:
        raise ValueError(f"node {step.name!r} (Conv2d): unequal strides {sh}, {sw} are not "
                         "supported")
    ph, pw = _ints(n.padding)
    W = np.asarray(n.weight, dtype)
    co, ci, kh, kw = W.shape                    # ci: input channels per group
    b, g_out = x.shape[0], co // groups
    ys = []
    for g in range(groups):                     # output channels g·g_out… read inputs g·ci…
        xg = np.ascontiguousarray(x[:, g * ci:(g + 1) * ci].transpose(0, 2, 3, 1))
        cols, (ho, wo) = im2col(xg, kh, kw, sh, (ph, ph, pw, pw))
        ys.append(cols @ W[g * g_out:(g + 1) * g_out].transpose(2, 3, 1, 0).reshape(-1, g_out))
    y = np.concatenate(ys, axis=1) + np.asarray(n.bias, dtype)
    return y.reshape(b, ho, wo, co).transpose(0, 3, 1, 2)


def _linear_op(step, x, dtype):
    kind, n = step.kind, step.node
    if kind in ("Affine", "Linear"):
        return _affine(n, x, dtype)
    if kind == "Conv2d":
        return _conv(step, x, dtype)
    if kind in ("SumPool2d", "AvgPool2d"):
        k, s, p = _ints(n.kernel_size), _ints(n.stride), _ints(n.padding)
        y = _pool_sum(x, k, s, p)
        return y / dtype.type(k[0] * k[1]) if kind == "AvgPool2d" else y
    if kind == "Flatten":
        return x.reshape((x.shape[0],) + step.out_shape)
    if kind == "Scale":
        return x * np.asarray(n.scale, dtype)
    return x  # Output


def _batch_input(plan: GraphPlan, x, T: int, dtype) -> tuple[np.ndarray, bool, int]:
    """``(x, varying, B)``: the input as ``dtype``, whether it has one value per step
    ``(T, B, ...)``, and the batch size; ``ValueError`` if it fits neither form."""
    x = np.asarray(x, dtype)
    shape = plan.input_shape
    varying = x.shape[2:] == shape and x.ndim == len(shape) + 2
    if not varying and x.shape[1:] != shape:
        raise ValueError(f"input of shape {x.shape} does not fit the graph's input (B, "
                         + ", ".join(map(str, shape)) + ") or (T, B, ...)")
    if varying and len(x) != T:
        raise ValueError(f"a time-varying input has {len(x)} steps, not T = {T}")
    return x, varying, x.shape[1] if varying else x.shape[0]


def _node_params(plan: GraphPlan, dt: float, dtype) -> dict:
    """``{node: parameters}`` of every neuron node in the terms of its Euler step: ``g = dt·r``
    (I, IF), ``a = dt/τ`` (LI, LIF, CubaLIF's membrane), ``as = dt/τ_syn``, and ``th``, ``vr``
    for the spiking nodes."""
    d = dtype.type(dt)
    par = {}
    for st in plan.steps:
        n = st.node
        get = (lambda f, n=n: np.asarray(getattr(n, f), dtype))  # noqa: E731
        if st.kind in ("I", "IF"):
            par[st.name] = {"g": d * get("r")}
        elif st.kind in ("LI", "LIF"):
            par[st.name] = {"a": d * (dtype.type(1) / get("tau")), "r": get("r"),
                            "vl": get("v_leak")}
        elif st.kind == "CubaLIF":
            par[st.name] = {"a": d * (dtype.type(1) / get("tau_mem")), "r": get("r"),
                            "vl": get("v_leak"), "as": d * (dtype.type(1) / get("tau_syn")),
                            "w": get("w_in")}
        if st.kind in SPIKING:
            par[st.name].update(th=get("v_threshold"), vr=get("v_reset"))
    return par


def _neuron_step(kind: str, p: dict, v, i, inp, reset: str, dtype):
    """One Euler step of a neuron node (module docstring's table): integrate ``inp`` into ``v``
    (and CubaLIF's current ``i``) in place; for a spiking node fire ``z = [v > θ]`` and reset.
    Returns the node's output: a copy of ``v`` (I, LI) or ``z`` as ``dtype``."""
    if kind in ("I", "IF"):
        v += p["g"] * inp
    elif kind in ("LI", "LIF"):
        v += p["a"] * ((p["vl"] - v) + p["r"] * inp)
    else:  # CubaLIF: synaptic current first, then the membrane with the new current
        i += p["as"] * (-i + p["w"] * inp)
        v += p["a"] * ((p["vl"] - v) + p["r"] * i)
    if kind in ("I", "LI"):
        return v.copy()
    z = v > p["th"]
    if reset == "subtract":
        v -= np.where(z, p["th"], 0).astype(dtype)
    else:
        v[...] = np.where(z, p["vr"], v)
    return z.astype(dtype)


def run_graph(plan: GraphPlan, x: np.ndarray, T: int, *, dt: float = 1.0, dtype=np.float64,
              reset: str = "value", v_init: dict | None = None, on_step=None) -> NIRRun:
    """Run ``plan`` for ``T`` steps of ``dt`` on a batch (see the module docstring).

    Parameters
    ----------
    x : ``(B, *input_shape)`` a constant input every step, or ``(T, B, *input_shape)`` one
        input per step.
    dt : the time step, in the time unit of the graph's ``τ`` (s for the clients' graphs).
    dtype : float64 (default) or float32 (the clients' precision).
    reset : ``"value"`` (NIR: ``v ← v_reset``) or ``"subtract"`` (``v ← v − θ``), IF and LIF.
    v_init : ``{node name: initial v}`` (scalar or array broadcast to the node), else 0.
    on_step : called as ``on_step(t, output (B, *out_shape))`` after every step.

    Returns an :class:`NIRRun`. ``ValueError`` (one line) for an input that does not fit, a bad
    ``T``/``dt``/``reset``, an unsupported Conv2d form, and NaN/Inf in a final state.
    """
    dtype = np.dtype(dtype)
    positive_int(T, "T")
    positive_number(dt, "dt")
    one_of("reset", reset, RESETS)
    x, varying, B = _batch_input(plan, x, T, dtype)
    par = _node_params(plan, dt, dtype)

    def zeros(kinds):
        return {st.name: np.zeros((B,) + st.out_shape, dtype) for st in plan.steps
                if st.kind in kinds}

    state, syn, counts = zeros(("I", "LI") + SPIKING), zeros(("CubaLIF",)), zeros(SPIKING)
    for name, v0 in (v_init or {}).items():
        state[name] += np.asarray(v0, dtype)
    outputs = np.empty((T, B) + plan.output_shape, dtype)
    for t in range(T):
        val = {}
        for st in plan.steps:
            if st.kind == "Input":
                val[st.name] = x[t] if varying else x
                continue
            inp = val[st.sources[0]]
            for s in st.sources[1:]:
                inp = inp + val[s]
            p = par.get(st.name)
            if p is None:
                val[st.name] = _linear_op(st, inp, dtype)
                continue
            val[st.name] = _neuron_step(st.kind, p, state[st.name], syn.get(st.name), inp,
                                        reset, dtype)
            if st.kind in SPIKING:
                counts[st.name] += val[st.name]
        outputs[t] = val[plan.steps[-1].name]
        if on_step is not None:
            on_step(t, outputs[t])
    for name, v in list(state.items()) + [(k + ".i", i) for k, i in syn.items()]:
        require_finite(v, f"NIR run: state of node {name!r}")
    states = dict(state)
    states.update({k + ".i": i for k, i in syn.items()})
    return NIRRun(outputs, counts, states)
