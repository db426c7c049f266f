"""Read and check a NIR graph before anything runs it: node types, wiring, order and shapes.

NIR (Pedersen et al. 2024, "Neuromorphic intermediate representation: a unified instruction
set for interoperable brain-inspired computing", Nat. Commun. 15:8122) stores a directed graph
of nodes; a node's input is the **sum** of the outputs of the nodes with an edge into it. Shapes
carry no batch axis (``(C, H, W)`` or ``(n,)``). :func:`plan_graph` turns a graph into the
order in which one time step evaluates its nodes (a topological order: every edge carries its
value within the same step, as nirtorch executes a graph) and the shape at every node,

    shape(Affine W (m, n)) : (n,) → (m,)
    shape(Conv2d W (Co, Ci, kh, kw), stride s, padding p) :
        (Ci, H, W) → (Co, ⌊(H + 2p_h − kh)/s_h⌋ + 1, ⌊(W + 2p_w − kw)/s_w⌋ + 1)
    shape(SumPool2d / AvgPool2d k, s, p) : the same with C unchanged
    shape(Flatten start, end) : dims start…end merged into one
    shape(Scale, IF, LIF, CubaLIF, I, LI) : unchanged (parameters broadcast to it)

and refuses, each with a one-line ``ValueError``: a node type it cannot run (naming the node),
an edge to or from a missing node, no or several ``Input``/``Output`` nodes, a node with no
input edge, a cycle (naming its nodes), nodes whose inputs differ in shape, and a shape that
does not fit a node's weights, parameters or declared type.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

__all__ = ["SUPPORTED", "Step", "GraphPlan", "read_graph", "plan_graph"]

#: the NIR node types the importer runs
SUPPORTED = ("Input", "Output", "Affine", "Linear", "Conv2d", "SumPool2d", "AvgPool2d",
             "Flatten", "Scale", "IF", "LIF", "CubaLIF", "I", "LI")
NEURONS = ("IF", "LIF", "CubaLIF", "I", "LI")


@dataclass(frozen=True)
class Step:
    """One node in evaluation order: its ``name``, the NIR ``node``, the nodes whose outputs
    are summed into it (``sources``), and its input and output shapes (no batch axis)."""

    name: str
    node: object
    sources: tuple
    in_shape: tuple
    out_shape: tuple

    @property
    def kind(self) -> str:
        return type(self.node).__name__


@dataclass(frozen=True)
class GraphPlan:
    """A checked graph: ``steps`` in evaluation order (``Input`` first, ``Output`` last)."""

    steps: list
    metadata: dict

    @property
    def input_shape(self) -> tuple:
        return self.steps[0].out_shape

    @property
    def output_shape(self) -> tuple:
        return self.steps[-1].in_shape


def _h5_types(path) -> dict:
    """``{node name: type}`` straight from the HDF5 file (so that an unknown type can be named)."""
    import h5py

    with h5py.File(path, "r") as f:
        if "node" not in f or "nodes" not in f["node"]:
            raise ValueError(f"{path}: not a NIR graph (no node/nodes group)")
        nodes = f["node"]["nodes"]
        return {name: bytes(nodes[name]["type"][()]).decode() for name in nodes}


def read_graph(path: str | os.PathLike):
    """The ``nir.NIRGraph`` stored in ``path`` (HDF5, as ``nir.write`` makes it), unchecked.

    ``ValueError`` (one line) if the file is not a NIR graph or names a node type that ``nir``
    does not know; the shape checks are :func:`plan_graph`'s (``nir.read`` is called with
    ``type_check=False`` so that they are reported in the same form).
    """
    import nir

    try:
        types = _h5_types(path)
    except OSError as e:
        raise ValueError(f"{path}: not a NIR (HDF5) file ({e.__class__.__name__})") from None
    for name, kind in types.items():
        if kind not in SUPPORTED and not hasattr(nir, kind):
            raise ValueError(f"node {name!r}: unknown NIR node type {kind!r}")
    try:
        return nir.read(path, type_check=False)
    except Exception as e:  # nir raises assorted types; one line here
        msg = str(e).splitlines()[0] if str(e) else e.__class__.__name__
        raise ValueError(f"{path}: nir.read failed: {msg}") from None


def _ints(a, n: int = 2) -> tuple:
    return tuple(int(v) for v in np.broadcast_to(np.asarray(a).reshape(-1), (n,)))


def _out_shape(name: str, node, shape: tuple) -> tuple:
    """Output shape of ``node`` for input ``shape``; ``ValueError`` if it does not fit."""
    # ~60 lines on purpose: one shape rule per NIR node type, read as a table (NIR's spec order)
    kind = type(node).__name__

    def refuse(wants):
        raise ValueError(f"node {name!r} ({kind}) takes input of shape {wants}, but its input "
                         f"edges give {shape}")

    if kind in ("Affine", "Linear"):
        W = np.asarray(node.weight)
        if W.ndim != 2:
            raise ValueError(f"node {name!r} ({kind}): weight must be 2-D, has shape {W.shape}")
        if shape != (W.shape[1],):
            refuse((W.shape[1],))
        if kind == "Affine" and np.asarray(node.bias).shape not in ((W.shape[0],), ()):
            raise ValueError(f"node {name!r} (Affine): bias of shape "
                             f"{np.asarray(node.bias).shape} for {W.shape[0]} outputs")
        return (W.shape[0],)
    if kind == "Conv2d":
        W = np.asarray(node.weight)
        if W.ndim != 4 or len(shape) != 3 or shape[0] != W.shape[1] * int(node.groups):
            refuse(f"(C={W.shape[1] if W.ndim == 4 else '?'}, H, W)")
        if isinstance(node.padding, str):
            raise ValueError(f"node {name!r} (Conv2d): padding {node.padding!r} is not "
                             "supported; use explicit integers")
        (ph, pw), (sh, sw), (dh, dw) = (_ints(node.padding), _ints(node.stride),
                                        _ints(node.dilation))
        ho = (shape[1] + 2 * ph - dh * (W.shape[2] - 1) - 1) // sh + 1
        wo = (shape[2] + 2 * pw - dw * (W.shape[3] - 1) - 1) // sw + 1
        return (W.shape[0], ho, wo)
    if kind in ("SumPool2d", "AvgPool2d"):
        if len(shape) != 3:
            refuse("(C, H, W)")
        (kh, kw), (sh, sw), (ph, pw) = (_ints(node.kernel_size), _ints(node.stride),
                                        _ints(node.padding))
        return (shape[0], (shape[1] + 2 * ph - kh) // sh + 1, (shape[2] + 2 * pw - kw) // sw + 1)
    if kind == "Flatten":
        declared = node.input_type.get("input") if node.input_type else None
        if declared is not None and tuple(int(v) for v in declared) != shape:
            refuse(tuple(int(v) for v in declared))
        a, b = int(node.start_dim) % len(shape), int(node.end_dim) % len(shape)
        return shape[:a] + (int(np.prod(shape[a:b + 1])),) + shape[b + 1:]
    if kind in ("Scale",) + NEURONS:
        for field in ("scale", "tau", "tau_mem", "tau_syn", "r", "v_leak", "v_threshold",
                      "v_reset", "w_in"):
            p = getattr(node, field, None)
            if p is None:
                continue
            try:
                np.broadcast_to(np.asarray(p), shape)
            except ValueError:
                refuse(f"{np.asarray(p).shape} (its {field})")
        return shape
    if kind == "Output":
        declared = node.output_type.get("output") if node.output_type else None
        if declared is not None and np.asarray(declared).size and \
                int(np.prod(declared)) != int(np.prod(shape)):
            refuse(tuple(int(v) for v in declared))
        return shape
    raise ValueError(f"node {name!r}: NIR node type {kind!r} cannot be run here "
                     f"(supported: {', '.join(SUPPORTED)})")


def _order(graph, inp: str) -> list[str]:
    """Topological order (Kahn) from ``inp``; ``ValueError`` naming a cycle if there is one."""
    succ = {n: [] for n in graph.nodes}
    indeg = {n: 0 for n in graph.nodes}
    for a, b in graph.edges:
        succ[a].append(b)
        indeg[b] += 1
    ready = [n for n in graph.nodes if indeg[n] == 0]
    order = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    if len(order) < len(graph.nodes):
        left = {n for n in graph.nodes if indeg[n] > 0}
        # walk back along edges inside the remainder until a node repeats: that is a cycle
        pred = {b: a for a, b in graph.edges if a in left and b in left}
        path, n = [], next(iter(sorted(left)))
        while n not in path:
            path.append(n)
            n = pred[n]
        cycle = path[path.index(n):][::-1]
        raise ValueError("the graph has a cycle: " + " → ".join(cycle + [cycle[0]])
                         + " (recurrent graphs are not supported)")
    return order


def plan_graph(graph) -> GraphPlan:
    """Check ``graph`` (a ``nir.NIRGraph``) and return its :class:`GraphPlan`; ``ValueError``
    (one line) for every fault listed in the module docstring."""
    nodes = graph.nodes
    for name, node in nodes.items():
        kind = type(node).__name__
        if kind == "NIRGraph":
            raise ValueError(f"node {name!r}: nested NIR graphs (subgraphs) are not supported")
        if kind not in SUPPORTED:
            raise ValueError(f"node {name!r}: NIR node type {kind!r} cannot be run here "
                             f"(supported: {', '.join(SUPPORTED)})")
    for a, b in graph.edges:
        for end in (a, b):
            if end not in nodes:
                raise ValueError(f"edge {a!r} → {b!r}: no node named {end!r}")
    for kind in ("Input", "Output"):
        found = [n for n, v in nodes.items() if type(v).__name__ == kind]
        if len(found) != 1:
            raise ValueError(f"the graph has {len(found)} {kind} nodes"
                             + (f" ({', '.join(found)})" if found else "")
                             + "; exactly one is supported")
    inp = next(n for n, v in nodes.items() if type(v).__name__ == "Input")
    sources = {n: tuple(a for a, b in graph.edges if b == n) for n in nodes}
    for n in nodes:
        if n != inp and not sources[n]:
            raise ValueError(f"node {n!r} has no input edge (not connected to the Input)")
    if sources[inp]:
        raise ValueError(f"the Input node {inp!r} has an input edge from {sources[inp][0]!r}")
    order = _order(graph, inp)
    shapes: dict = {}
    declared = nodes[inp].input_type["input"]
    if declared is None:
        raise ValueError(f"the Input node {inp!r} has no shape")
    shapes[inp] = tuple(int(v) for v in np.asarray(declared).reshape(-1))
    steps = [Step(inp, nodes[inp], (), shapes[inp], shapes[inp])]
    for n in order:
        if n == inp:
            continue
        given = {a: shapes[a] for a in sources[n]}
        first = next(iter(given.values()))
        for a, s in given.items():
            if s != first:
                src = sources[n][0]
                raise ValueError(f"node {n!r}: inputs of different shapes, {first} from {src!r} "
                                 f"and {s} from {a!r}")
        shapes[n] = _out_shape(n, nodes[n], first)
        steps.append(Step(n, nodes[n], sources[n], first, shapes[n]))
    out = steps[-1]
    if out.kind != "Output" or any(n == out.name for s in steps for n in s.sources):
        outs = [s.name for s in steps if s.kind == "Output"]
        raise ValueError(f"the Output node {outs[0]!r} must be the last node, with no edge "
                         "leaving it")
    meta = dict(getattr(graph, "metadata", None) or {})
    return GraphPlan(steps, meta)
