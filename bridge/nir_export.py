"""Export a converted network to NIR, the Neuromorphic Intermediate Representation
(Pedersen et al. 2024, Nature Communications 15:8122; the ``nir`` package), in the node forms
that a given client runs without a patch.

NIR describes continuous-time nodes; our network is discrete (one step = ``dt``). Common to all
forms: the input is an ``Input`` of shape (C, H, W) (or (n,)), NCHW; Conv2D ``W (kh, kw, Ci, Co)``
→ ``Conv2d`` weight ``(Co, Ci, kh, kw)`` with symmetric integer padding; Dense ``W (n_in, n_out)``
→ ``Affine`` weight ``(n_out, n_in)`` (after a ``Flatten`` of a (C, H, W) tensor its columns are
permuted from our NHWC order to NCHW order). What differs (measured with torch 2.14, norse 1.1.0,
snnTorch 1.0.0, nirtorch 2.6, nir 1.0.8):

=================  =========================  ===========================  ====================
``client``         ``"nir"`` (plain NIR)      ``"norse"``                  ``"snntorch"``
=================  =========================  ===========================  ====================
avg pooling        ``AvgPool2d``              ``SumPool2d``, the 1/k²      ``AvgPool2d``
                                              folded into the next
                                              layer's weights (norse
                                              maps no AvgPool2d)
IF neurons         ``IF(r=1, θ, v_reset=0)``  ``IF(r=1, θ, 0)``: norse's   ``LIF(τ=10²⁶ s, r=τ/dt,
                   at ``dt = 1``              ``IAFCell``, ``v ← v + x``   v_leak=0, θ, 0)``:
                                                                           snnTorch's ``Leaky``
                                                                           with β = 1 − dt/τ = 1
                                                                           exactly in float32,
                                                                           ``dt = 10⁻⁴`` s (its
                                                                           importer turns ``IF``
                                                                           into a ``Leaky`` with
                                                                           β = 0.9)
potential readout  ``I(r=1)``                 ``IF`` with θ = +∞ (never    ``LIF`` as above with
                                              fires); read ``v`` from      θ = +∞; read the
                                              norse's state                module's ``mem``
=================  =========================  ===========================  ====================

Every form leaves the reset to ``v_reset = 0`` (NIR's ``IF``/``LIF`` reset to a value), starts
from ``v = 0`` (NIR has no initial state) and fires on ``v > θ`` (ours: ``v ≥ θ``; they differ
only on exact ties). A network converted with reset by subtraction, ``v_init ≠ 0`` or a
spike-free setting a client cannot express is exported anyway: each such setting becomes one
line in ``metadata["not_expressed"]`` (:func:`export_notes`; ``neurosim convert`` prints them),
and ``metadata["neurosim"]`` (JSON) keeps the full conversion settings, so that
:mod:`bridge.nir_import` restores the network exactly. Max pooling has no NIR form and
asymmetric "same" padding none either: ``ValueError``. Graphs (residual ``Add``, depthwise
convolution, global average pooling) are written in plain NIR by :mod:`bridge.nir_export_graph`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from common.fileio import atomic_path

from .checks import one_of
from .network import Flatten, Pool, SpikingNetwork, Synaptic
from .nir_export_graph import chw, graph_nodes, weight_node

__all__ = ["to_nir", "write_nir", "export_notes", "CLIENTS", "CLIENT_DT", "BIG_TAU"]

CLIENTS = ("nir", "norse", "snntorch")
#: the time step each form assumes (s for the clients; snnTorch's importer fixes 1e-4)
CLIENT_DT = {"nir": 1.0, "norse": 1.0, "snntorch": 1e-4}
#: τ of the non-leaking LIF for snnTorch: dt/τ = 1e-30 rounds β = 1 − dt/τ to exactly 1
BIG_TAU = 1e26


def _neuron(nir, client: str, n: tuple, v_th: float, spiking: bool):
    """The neuron node of one layer (see the module docstring's table)."""
    f32 = np.float32
    th = np.full(n, v_th if spiking else np.inf, f32)
    if client == "snntorch":
        tau = np.full(n, BIG_TAU, f32)
        return nir.LIF(tau=tau, r=np.full(n, BIG_TAU / CLIENT_DT["snntorch"], f32),
                       v_leak=np.zeros(n, f32), v_threshold=th, v_reset=np.zeros(n, f32))
    if client == "nir" and not spiking:
        return nir.I(r=np.ones(n, f32))
    return nir.IF(r=np.ones(n, f32), v_threshold=th, v_reset=np.zeros(n, f32))


def _notes(snn: SpikingNetwork, client: str) -> list[str]:
    """One line per conversion setting that the exported nodes do not express."""
    p, notes = snn.params, []
    if p.reset == "subtract":
        notes.append("reset by subtraction has no NIR form: exported as reset to zero; the "
                     "setting is in the graph's metadata")
    if p.v_init != 0.0:
        notes.append(f"initial potential V0 = {p.v_init:g}·θ has no NIR form: "
                     "clients start at 0; the setting is in the graph's metadata")
    if p.readout == "potential" and client != "nir":
        where = "v in norse's state" if client == "norse" else "the Leaky module's mem"
        notes.append(f"{client} maps no integrator node (I): the potential readout is the "
                     f"output layer with threshold +inf; read {where}")
    return notes


def _check_exportable(snn: SpikingNetwork, client: str, allow_subtract: bool) -> None:
    """``ValueError`` for an unknown client, signed neurons, or a refused reset by subtraction."""
    one_of("NIR client", client, CLIENTS)
    if snn.params.signed:
        raise ValueError("NIR's IF neuron sends no negative spikes: convert with signed=False "
                         "(--no-signed) to export NIR")
    if snn.params.reset == "subtract" and not allow_subtract:
        raise ValueError("NIR's IF neuron resets to v_reset; reset by subtraction has no exact "
                         "NIR form: convert with reset='zero' or pass allow_subtract=True")


def _graph_to_nir(nir, snn: SpikingNetwork, client: str):
    """A graph network (not a chain, or with depthwise/global ops) in plain NIR."""
    if client != "nir":
        raise ValueError(f"the {client} form of the NIR export takes chains of Dense, Conv2D "
                         "and pooling layers; export a graph in plain NIR (client 'nir')")
    v_th = snn.params.v_th
    nodes, edges = graph_nodes(nir, snn, lambda n, spiking: _neuron(nir, client, n, v_th,
                                                                    spiking))
    # nir 1.0.8's type inference takes a Conv2d's input channels from weight.shape[1],
    # ignoring groups: a depthwise node would fail it (bridge.nir_graph checks shapes with
    # groups when the graph is read)
    grouped = any(getattr(op, "kind", None) == "depthwise" for op in snn.ops)
    return nir.NIRGraph(nodes=nodes, edges=edges,
                        metadata=_metadata(snn, client, [], graph=True), type_check=not grouped)


def _pool_node(nir, op: Pool, client: str):
    """The node of an average pooling (``SumPool2d`` for norse, whose ``1/k²`` the caller folds
    into the next weight layer); ``ValueError`` for max pooling."""
    if op.kind == "max":
        raise ValueError("NIR has no max pooling: export a network with AvgPool2D")
    s = op.stride or op.size
    args = dict(kernel_size=np.array([op.size, op.size]), stride=np.array([s, s]),
                padding=np.array([0, 0]))
    return nir.SumPool2d(**args) if client == "norse" else nir.AvgPool2d(**args)


def _chain_to_nir(nir, snn: SpikingNetwork, client: str):
    """A chain network in the node forms of ``client``: one node per op, each weight layer
    followed by its neuron node; ``metadata["neurosim"]`` records every op."""
    shape = tuple(snn.input_shape)
    nodes = {"input": nir.Input(input_type={"input": np.array(chw(shape))})}
    edges, prev, flat_from, fold, records = [], "input", None, 1.0, []
    for k, op in enumerate(snn.ops):
        name = f"{k}"
        rec = {"op": type(op).__name__}
        if isinstance(op, Pool):
            nodes[name] = _pool_node(nir, op, client)
            if client == "norse":
                fold /= op.size * op.size
            rec.update(size=op.size, stride=op.stride)
            shape = op.ann(np.zeros((1,) + shape, np.float32)).shape[1:]
        elif isinstance(op, Flatten):
            nodes[name] = nir.Flatten(input_type={"input": np.array(chw(shape))},
                                      start_dim=0, end_dim=-1)
            flat_from, shape = shape, (int(np.prod(shape)),)
        else:
            flat_from = flat_from if flat_from is not None and len(flat_from) == 3 else None
            nodes[name] = weight_node(nir, op, shape, flat_from, fold)
            shape, flat_from = op.current(np.zeros((1,) + shape, np.float32)).shape[1:], None
            rec.update(kind=op.kind, name=op.name, stride=op.stride, fold=fold,
                       padding=op.padding if isinstance(op.padding, str) else int(op.padding))
            fold = 1.0
        records.append(rec)
        edges.append((prev, name))
        prev = name
        if isinstance(op, Synaptic):
            neuron = f"{k}_neurons"
            nodes[neuron] = _neuron(nir, client, chw(shape), snn.params.v_th, op.spiking)
            edges.append((name, neuron))
            prev = neuron
    if fold != 1.0:
        raise ValueError("sum pooling for norse needs a weight layer after the last pooling")
    nodes["output"] = nir.Output(output_type={"output": np.array(chw(shape))})
    edges.append((prev, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=_metadata(snn, client, records))


def to_nir(snn: SpikingNetwork, allow_subtract: bool = True, client: str = "nir"):
    """The NIR graph (``nir.NIRGraph``) of ``snn`` in the node forms of ``client`` (``"nir"``,
    ``"norse"`` or ``"snntorch"``; see the module docstring).

    ``allow_subtract=False`` refuses reset by subtraction (``ValueError``) instead of exporting
    it as reset to zero with a note. ``ValueError`` (one line) for signed neurons (NIR has no
    negative spikes), an unknown client, max pooling, asymmetric padding, and sum pooling that
    no weight layer follows.
    """
    import nir

    _check_exportable(snn, client, allow_subtract)
    if not snn.is_chain or any(getattr(op, "kind", None) in ("global", "depthwise")
                               for op in snn.ops):
        return _graph_to_nir(nir, snn, client)
    return _chain_to_nir(nir, snn, client)


def _metadata(snn: SpikingNetwork, client: str, records: list, graph: bool = False) -> dict:
    """The graph's metadata: what the nodes do not express, and neurosim's own record (the
    settings, and for a chain the operations, so that bridge.nir_import restores it exactly)."""
    settings = {k: v for k, v in snn.params.as_dict().items() if v is not None}
    record = {"settings": settings, "input_shape": list(snn.input_shape), "ops": records}
    if graph:
        record["graph"] = True
    return {"source": "neurosim.bridge", "client": client, "dt": CLIENT_DT[client],
            "reset": snn.params.reset, "exported_reset": "zero",
            "v_init": snn.params.v_init, "readout": snn.params.readout,
            "input_encoding": "constant current (analog pixel values every step)",
            "not_expressed": " | ".join(_notes(snn, client)),
            "neurosim": json.dumps(record)}


def export_notes(graph) -> list[str]:
    """The lines of ``graph.metadata["not_expressed"]`` (empty if none)."""
    text = (getattr(graph, "metadata", None) or {}).get("not_expressed", "")
    text = text.decode() if isinstance(text, bytes) else str(text)
    return [line for line in text.split(" | ") if line]


def write_nir(snn: SpikingNetwork, path: str | os.PathLike, allow_subtract: bool = True,
              client: str = "nir") -> Path:
    """Write :func:`to_nir` of ``snn`` to ``path`` (HDF5), atomically; returns the path."""
    import nir

    graph = to_nir(snn, allow_subtract, client)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        nir.write(tmp, graph)
    return path
