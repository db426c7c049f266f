"""Export a converted network to NIR, the Neuromorphic Intermediate Representation
(Pedersen et al. 2024, Nature Communications 15:8122; the ``nir`` package), so that other
simulators and neuromorphic hardware can run it.

NIR describes continuous-time nodes; with ``dt = 1`` our discrete network maps onto them:

==========================  ===========================================================
ours                        NIR
==========================  ===========================================================
input (constant current)    ``Input`` of shape (C, H, W) (or (n,) for flat inputs)
Conv2D ``W (kh,kw,Ci,Co)``  ``Conv2d`` with weight ``(Co, Ci, kh, kw)``, NCHW, bias
Dense ``W (n_in, n_out)``   ``Affine`` with weight ``(n_out, n_in)``, bias
IF neurons                  ``IF(r = 1, v_threshold = θ, v_reset = 0)``: ``v̇ = I``,
                            spike when ``v > θ``, then ``v ← 0``
AvgPool2D                   ``AvgPool2d``
Flatten                     ``Flatten`` (of NCHW: the Dense weights' rows are permuted from
                            our NHWC order to NCHW order)
potential readout           ``I`` (integrator, ``r = 1``)
==========================  ===========================================================

Limits, refused with a ``ValueError``: NIR 1.0's ``IF`` resets to ``v_reset``, so reset by
subtraction has no exact NIR form (export with ``reset="zero"``, or pass
``allow_subtract=True`` to export it as reset-to-zero, recorded in the graph's metadata); NIR
has no max pooling; NIR's ``IF`` fires on ``v > θ`` (ours ``v ≥ θ``: equal only on exact ties)
and has no initial potential (``v_init`` is recorded in the metadata).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ann.functional import conv_pads
from common.fileio import atomic_path

from .network import Flatten, Pool, SpikingNetwork, Synaptic

__all__ = ["to_nir", "write_nir"]


def _nchw_rows(n_in: int, shape: tuple) -> np.ndarray:
    """Index map: row ``k`` of an NCHW-flattened input is row ``perm[k]`` of the NHWC one."""
    h, w, c = shape
    return np.arange(n_in).reshape(h, w, c).transpose(2, 0, 1).reshape(-1)


def to_nir(snn: SpikingNetwork, allow_subtract: bool = False):
    """The NIR graph (``nir.NIRGraph``) of ``snn``; see the module docstring."""
    import nir

    reset = snn.settings.get("reset", "subtract")
    if reset == "subtract" and not allow_subtract:
        raise ValueError("NIR's IF neuron resets to v_reset; reset by subtraction has no exact "
                         "NIR form: convert with reset='zero' or pass allow_subtract=True")
    v_th = float(snn.settings.get("v_th", 1.0))
    shape = tuple(snn.input_shape)

    def as_chw(s):  # NIR shapes are channel-first
        return (s[2], s[0], s[1]) if len(s) == 3 else s

    nodes = {"input": nir.Input(input_type={"input": np.array(as_chw(shape))})}
    edges, prev, flat_from = [], "input", None
    for k, op in enumerate(snn.ops):
        name = f"{k}"
        if isinstance(op, Pool):
            if op.kind == "max":
                raise ValueError("NIR has no max pooling: export a network with AvgPool2D")
            s = op.stride or op.size
            nodes[name] = nir.AvgPool2d(kernel_size=np.array([op.size, op.size]),
                                        stride=np.array([s, s]), padding=np.array([0, 0]))
            shape = op.ann(np.zeros((1,) + shape, np.float32)).shape[1:]
        elif isinstance(op, Flatten):
            nodes[name] = nir.Flatten(input_type={"input": np.array(as_chw(shape))},
                                      start_dim=0, end_dim=-1)
            flat_from, shape = shape, (int(np.prod(shape)),)
        elif op.kind == "conv":
            kh, kw, cin, cout = op.W.shape
            t, b, l, r = conv_pads(shape[0], shape[1], kh, kw, op.stride, op.padding)
            if t != b or l != r:
                raise ValueError(f"{op.name}: asymmetric 'same' padding has no NIR form")
            nodes[name] = nir.Conv2d(input_shape=(shape[0], shape[1]),
                                     weight=op.W.transpose(3, 2, 0, 1).astype(np.float32),
                                     stride=op.stride, padding=(t, l), dilation=1, groups=1,
                                     bias=op.b.astype(np.float32))
            shape = op.current(np.zeros((1,) + shape, np.float32)).shape[1:]
        else:
            W = op.W
            if flat_from is not None and len(flat_from) == 3:
                W = W[_nchw_rows(W.shape[0], flat_from)]
            flat_from = None
            nodes[name] = nir.Affine(weight=W.T.astype(np.float32), bias=op.b.astype(np.float32))
            shape = (W.shape[1],)
        edges.append((prev, name))
        prev = name
        if isinstance(op, Synaptic):
            n = as_chw(shape)
            neuron = f"{k}_neurons"
            if op.spiking:
                nodes[neuron] = nir.IF(r=np.ones(n, np.float32),
                                       v_threshold=np.full(n, v_th, np.float32),
                                       v_reset=np.zeros(n, np.float32))
            else:
                nodes[neuron] = nir.I(r=np.ones(n, np.float32))
            edges.append((name, neuron))
            prev = neuron
    nodes["output"] = nir.Output(output_type={"output": np.array(as_chw(shape))})
    edges.append((prev, "output"))
    meta = {"source": "neurosim.bridge", "dt": 1.0, "reset": reset,
            "exported_reset": "zero", "v_init": float(snn.settings.get("v_init", 0.0)),
            "readout": snn.settings.get("readout", "potential"),
            "input_encoding": "constant current (analog pixel values every step)"}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def write_nir(snn: SpikingNetwork, path: str | os.PathLike, allow_subtract: bool = False) -> Path:
    """Write the NIR graph of ``snn`` to ``path`` (HDF5), atomically."""
    import nir

    graph = to_nir(snn, allow_subtract)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        nir.write(tmp, graph)
    return path
