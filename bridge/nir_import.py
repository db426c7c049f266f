"""Import a NIR graph onto neurosim's batched simulator (and so onto the Brian2 export).

:func:`to_spiking_network` turns a checked graph (:func:`bridge.nir_graph.plan_graph`) into a
:class:`~bridge.network.SpikingNetwork` when the graph is a chain the simulator runs:

* ``Affine``/``Linear`` → Dense ``W = weightᵀ`` (columns after a ``Flatten`` of (C, H, W)
  permuted from NCHW to our NHWC order); ``Conv2d`` → Conv2D ``W = weight.transpose(2, 3, 1, 0)``
  (equal strides, symmetric integer padding, no groups or dilation);
* ``AvgPool2d`` → average pooling; ``SumPool2d`` → average pooling with ``k²`` folded into the
  next weight layer (``Σ = k²·mean``); ``Flatten`` → flatten;
* each weight layer followed by an ``IF`` node (``v ← v + dt·r·x``, fires on ``v > θ``, resets to
  0) → spiking layer with ``W, b`` scaled by ``dt·r/θ`` so that the threshold is 1; the last
  weight layer followed by ``I`` (``v ← v + dt·r·x``) → potential readout.

A graph written by neurosim (``metadata["source"] == "neurosim.bridge"``) carries its conversion
settings in ``metadata["neurosim"]``; they are restored (reset by subtraction, ``v_init``,
threshold, readout, layer names, padding) and every neuron node is read as the IF layer it was
exported from (the snnTorch form's ``LIF`` with β = 1, the θ = +∞ readout), so
``neurosim → NIR → neurosim`` gives back the same network. Anything else — ``LIF``, ``CubaLIF``,
``LI``, ``Scale``, a branch, an ``IF`` with ``v_reset ≠ 0`` — raises ``ValueError`` naming the
node; :mod:`bridge.nir_run` runs such graphs instead.

Fires on ``v ≥ 1`` after import (neurosim's rule) where NIR says ``v > θ``: the two differ only
when a potential equals the threshold exactly.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from .network import Flatten, Pool, SpikingNetwork, Synaptic
from .nir_graph import GraphPlan
from .params import SNNParams

__all__ = ["to_spiking_network", "neurosim_metadata", "graph_dt"]


def neurosim_metadata(plan: GraphPlan) -> dict | None:
    """The conversion record of a graph written by neurosim, or ``None``."""
    meta = plan.metadata
    src = meta.get("source")
    src = src.decode() if isinstance(src, bytes) else src
    if src != "neurosim.bridge" or "neurosim" not in meta:
        return None
    text = meta["neurosim"]
    return json.loads(text.decode() if isinstance(text, bytes) else str(text))


def graph_dt(plan: GraphPlan, default: float = 1.0) -> float:
    """The time step recorded in the graph's metadata (``"dt"``), else ``default``."""
    dt = plan.metadata.get("dt", default)
    return float(np.asarray(dt).reshape(-1)[0])


def _uniform(step, field: str) -> float:
    a = np.asarray(getattr(step.node, field), np.float64)
    if a.size and not np.all(a == a.reshape(-1)[0]):
        raise ValueError(f"node {step.name!r} ({step.kind}): {field} differs between neurons; "
                         "the simulator takes one value per layer")
    return float(a.reshape(-1)[0])


def _chw_to_hwc(s: tuple) -> tuple:
    return (s[1], s[2], s[0]) if len(s) == 3 else s


def _conv(st, W, b, unfold, rec: dict) -> Synaptic:
    """A NIR ``Conv2d`` (weight ``(C_out, C_in, kh, kw)``) as a Conv2D op, ``W.transpose(2, 3, 1,
    0)`` times ``unfold``; only equal strides, symmetric padding, no groups or dilation."""
    n = st.node
    if int(n.groups) != 1 or np.any(np.asarray(n.dilation) != 1):
        raise ValueError(f"node {st.name!r} (Conv2d): groups/dilation other than 1")
    s = np.asarray(n.stride).reshape(-1)
    p = np.asarray(n.padding).reshape(-1)
    if np.any(s != s[0]) or np.any(p != p[0]):
        raise ValueError(f"node {st.name!r} (Conv2d): unequal strides or padding")
    pad = rec.get("padding", int(p[0])) if rec else int(p[0])
    return Synaptic("conv", W.transpose(2, 3, 1, 0) * unfold, b, int(s[0]),
                    "valid" if pad == 0 else pad, name=rec.get("name", st.name))


def _dense(st, W, b, unfold, rec: dict, flat_from: tuple | None) -> Synaptic:
    """A NIR ``Affine``/``Linear`` (weight ``(out, in)``) as a Dense op, ``Wᵀ`` times ``unfold``;
    after a ``Flatten`` of ``(C, H, W)`` its rows are permuted from NCHW to NHWC order."""
    Wd = W.T * unfold
    if flat_from is not None and len(flat_from) == 3:
        h, w, c = _chw_to_hwc(flat_from)
        perm = np.arange(Wd.shape[0]).reshape(h, w, c).transpose(2, 0, 1).reshape(-1)
        Wd = Wd[np.argsort(perm)]
    return Synaptic("dense", Wd, b, name=rec.get("name", st.name))


def _weight_layer(st, rec: dict, fold: float, flat_from: tuple | None) -> Synaptic:
    """The weight node ``st`` as a (not yet spiking) op; ``fold``: the ``k²`` of the ``SumPool2d``
    nodes before it (a neurosim record's ``"fold"`` instead), divided back into the weights."""
    n = st.node
    W = np.asarray(n.weight, np.float32)
    b = np.asarray(getattr(n, "bias", np.zeros(W.shape[0])), np.float32)
    b = np.broadcast_to(b, (W.shape[0],))
    unfold = np.float32(1.0 / rec["fold"]) if rec else np.float32(fold)
    if st.kind == "Conv2d":
        return _conv(st, W, b, unfold, rec)
    return _dense(st, W, b, unfold, rec, flat_from)


def _avg_pool(st, rec: dict) -> tuple[Pool, float]:
    """``(pool, k²)`` of an ``AvgPool2d``/``SumPool2d`` node (square and unpadded only)."""
    n = st.node
    k, s, p = (np.asarray(getattr(n, f)).reshape(-1) for f in
               ("kernel_size", "stride", "padding"))
    if np.any(k != k[0]) or np.any(s != s[0]) or np.any(p != 0):
        raise ValueError(f"node {st.name!r} ({st.kind}): only square, unpadded pooling")
    pool = Pool("avg", int(k[0]), int(s[0]) if int(s[0]) != int(k[0]) else None)
    if rec and rec.get("stride", "missing") != "missing":
        pool = Pool("avg", int(rec["size"]), rec["stride"])
    return pool, float(k[0] * k[0])


def _neuron_layer(st, pending: Synaptic | None, record: dict | None, dt: float) -> Synaptic:
    """The weight op ``pending`` made the layer of neuron node ``st``: an ``IF`` spikes, with
    ``W, b`` times ``dt·r/θ`` (threshold 1); an ``I`` (or ``θ = ∞``) integrates. A neurosim
    record's layers are taken as they are."""
    n, kind = st.node, st.kind
    if pending is None:
        raise ValueError(f"node {st.name!r} ({kind}): neurons must follow a weight layer")
    spiking = kind != "I" and not np.all(np.isinf(np.asarray(n.v_threshold)))
    if record:
        return replace(pending, spiking=spiking)
    g = dt * _uniform(st, "r")
    if kind == "IF":
        if np.any(np.asarray(n.v_reset) != 0):
            raise ValueError(f"node {st.name!r} (IF): v_reset ≠ 0 (the simulator "
                             "resets to zero)")
        theta = _uniform(st, "v_threshold")
        if spiking:
            if not theta > 0:
                raise ValueError(f"node {st.name!r} (IF): threshold must be > 0")
            g /= theta
    return replace(pending.with_weights(pending.W * g, pending.b * g), spiking=spiking)


def _check_chain(steps: list) -> None:
    """``ValueError`` unless every node after the input has one source."""
    for st in steps[1:]:
        if len(st.sources) != 1:
            raise ValueError(f"node {st.name!r} has {len(st.sources)} inputs; the simulator "
                             "runs chains only")


def _check_end(ops: list, pending, steps: list) -> None:
    """``ValueError`` unless the chain ends with a weight layer and its neurons, and only that
    last layer is non-spiking."""
    if pending is not None:
        raise ValueError(f"node {steps[-2].name!r}: the last weight layer has no neuron node "
                         "(add an I node for a potential readout)")
    if not ops or not isinstance(ops[-1], Synaptic):
        raise ValueError("the graph must end with a weight layer and its neurons")
    if any(not op.spiking for op in ops[:-1] if isinstance(op, Synaptic)):
        raise ValueError("only the output layer may be non-spiking (an I node)")


def to_spiking_network(plan: GraphPlan, dt: float | None = None) -> SpikingNetwork:
    """The :class:`SpikingNetwork` of ``plan`` (see the module docstring); ``dt`` defaults to the
    graph's metadata (else 1). ``ValueError`` (one line, naming the node) if it has none."""
    record = neurosim_metadata(plan)
    dt = graph_dt(plan) if dt is None else float(dt)
    steps = plan.steps
    _check_chain(steps)
    recs = list(record["ops"]) if record else None
    ops, flat_from, fold, pending, readout = [], None, 1.0, None, None
    for st in steps[1:-1]:
        kind = st.kind
        rec = recs.pop(0) if recs and kind not in ("IF", "LIF", "I", "LI", "CubaLIF") else {}
        if kind in ("Affine", "Linear", "Conv2d"):
            if pending is not None:
                raise ValueError(f"node {st.name!r}: two weight layers without neurons between "
                                 "them")
            pending = _weight_layer(st, rec, fold, flat_from)
            flat_from, fold = None, 1.0
        elif kind in ("AvgPool2d", "SumPool2d"):
            pool, area = _avg_pool(st, rec)
            ops.append(pool)
            if kind == "SumPool2d" and not record:
                fold *= area
        elif kind == "Flatten":
            if len(st.in_shape) > 1 and st.out_shape != (int(np.prod(st.in_shape)),):
                raise ValueError(f"node {st.name!r} (Flatten): only a full flatten is supported")
            ops.append(Flatten())
            flat_from = st.in_shape
        elif kind in ("IF", "I") or (record and kind == "LIF"):
            ops.append(_neuron_layer(st, pending, record, dt))
            readout = "spikes" if ops[-1].spiking else "potential"
            pending = None
        else:
            raise ValueError(f"node {st.name!r} ({kind}): neurosim's simulator runs IF neurons "
                             "only; use the NIR runner (bridge.nir_run) for this graph")
    _check_end(ops, pending, steps)
    in_shape = _chw_to_hwc(plan.input_shape)
    if record:
        params = SNNParams.from_dict(record["settings"])
        in_shape = tuple(record["input_shape"])
    else:
        params = SNNParams(reset="zero", signed=False, readout=readout, v_th=1.0, v_init=0.0,
                           source="NIR graph", dt=dt)
    return SpikingNetwork(ops, tuple(in_shape), [1.0] * sum(isinstance(o, Synaptic) for o in ops),
                          params)
