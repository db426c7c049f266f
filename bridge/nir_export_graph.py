"""NIR export of converted graphs (residual ``Add``, depthwise convolution, global average
pooling), in plain NIR (``client="nir"``).

NIR is a graph whose nodes sum their inputs, so a graph maps node for node (NCHW, PyTorch weight
layouts, as :mod:`bridge.nir_export` does for chains):

* a weight layer → ``Affine`` or ``Conv2d`` (a depthwise convolution: ``groups = C``, weight
  ``(C·M, 1, kh, kw)``, output channel ``c·M + m`` as ours); its neurons → ``IF`` (the readout:
  ``I``);
* an ``Add`` → one ``IF`` node reached by an edge from each current branch's weight node and, for
  each shortcut, through a ``Scale`` node holding its per-channel gain; the ``Add``'s bias joins
  the first current branch's bias (both are added once per step);
* global average pooling → ``AvgPool2d`` over the whole image, then ``Flatten``;
* average pooling and ``Flatten`` as for chains.

``Concatenate`` has no NIR node (``ValueError``), nor has max pooling; an ``Add`` of shortcuts only
has no node to carry a bias (``ValueError`` if it has one). :mod:`bridge.nir_run` runs the result.
"""

from __future__ import annotations

import numpy as np

from ann.functional import conv_pads

from .network import Add, Concat, Flatten, Pool, SpikingNetwork, Synaptic

__all__ = ["graph_nodes", "weight_node", "chw"]


def chw(s: tuple) -> tuple:
    """A shape ``(H, W, C)`` as NIR's channel-first ``(C, H, W)``; flat shapes unchanged."""
    return (s[2], s[0], s[1]) if len(s) == 3 else s


def _nchw_rows(n_in: int, shape: tuple) -> np.ndarray:
    """Index map: row ``k`` of an NCHW-flattened input is row ``perm[k]`` of the NHWC one."""
    h, w, c = shape
    return np.arange(n_in).reshape(h, w, c).transpose(2, 0, 1).reshape(-1)


def weight_node(nir, op: Synaptic, in_shape: tuple, flat_from, fold: float = 1.0):
    """The ``Affine`` or ``Conv2d`` node of weight layer ``op`` reading a value of ``in_shape``
    (HWC): weight ``Wᵀ`` (rows in NCHW order after a ``Flatten`` of ``flat_from``), or
    ``W.transpose(3, 2, 0, 1)`` (a depthwise one ``(C·M, 1, kh, kw)``, ``groups = C``); the
    weights times ``fold`` (a chain's ``1/k²`` of norse's sum pooling), as float32."""
    f32 = np.float32
    if op.kind == "dense":
        W = op.W if flat_from is None else op.W[_nchw_rows(op.W.shape[0], flat_from)]
        return nir.Affine(weight=(W.T * f32(fold)).astype(f32), bias=op.b.astype(f32))
    kh, kw = op.W.shape[:2]
    t, b, l, r = conv_pads(in_shape[0], in_shape[1], kh, kw, op.stride, op.padding)
    if t != b or l != r:
        raise ValueError(f"{op.name}: asymmetric 'same' padding has no NIR form")
    if op.kind == "depthwise":
        c, m = op.W.shape[2:]
        W, groups = op.W.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw), c
    else:
        W, groups = op.W.transpose(3, 2, 0, 1), 1
    return nir.Conv2d(input_shape=(in_shape[0], in_shape[1]), weight=(W * f32(fold)).astype(f32),
                      stride=op.stride, padding=(t, l), dilation=1, groups=groups,
                      bias=op.b.astype(f32))


def _pool_nodes(nir, op: Pool, name: str, in_shape: tuple, nodes: dict) -> list:
    """Add the ``AvgPool2d`` node of ``op`` (global: over the whole image, then a ``Flatten``
    node) to ``nodes``; returns the names of the nodes added, in order."""
    if op.kind == "max":
        raise ValueError("NIR has no max pooling: export a network with AvgPool2D")
    h, w = in_shape[:2]
    k_, s = ((h, w), (h, w)) if op.kind == "global" else \
        ((op.size, op.size), (op.stride or op.size,) * 2)
    nodes[name] = nir.AvgPool2d(kernel_size=np.array(k_), stride=np.array(s),
                                padding=np.array([0, 0]))
    if op.kind != "global":
        return [name]
    nodes[name + "_flat"] = nir.Flatten(input_type={"input": np.array((in_shape[2], 1, 1))},
                                        start_dim=0, end_dim=-1)
    return [name, name + "_flat"]


def _add_nodes(nir, op: Add, name: str, shape: tuple, nodes: dict, edges: list, out: dict,
               neuron) -> str:
    """Add the neuron node of ``op`` (returned), an edge from each current branch and a
    ``Scale`` node per shortcut (its per-channel gain); the ``Add``'s bias joins the first
    current branch's."""
    branches = [j for j, g in zip(op.inputs, op.gains) if g is None]
    if branches:
        first = nodes[out[branches[0]]]
        first.bias = (np.broadcast_to(first.bias, op.b.shape) + op.b).astype(np.float32)
    elif np.any(op.b != 0):
        raise ValueError(f"{op.name}: an Add of shortcuts only has no NIR node for its bias")
    cell = name + "_neurons"
    nodes[cell] = neuron(chw(shape), op.spiking)
    for j, g in zip(op.inputs, op.gains):
        if g is None:
            edges.append((out[j], cell))
            continue
        scale = f"{name}_scale_{j}"
        gain = np.asarray(g, np.float32)
        nodes[scale] = nir.Scale(scale=np.broadcast_to(
            gain[:, None, None] if len(shape) == 3 else gain, chw(shape)).astype(np.float32))
        edges += [(out[j], scale), (scale, cell)]
    return cell


def graph_nodes(nir, snn: SpikingNetwork, neuron) -> tuple[dict, list]:
    """``(nodes, edges)`` of ``snn`` (see the module docstring); ``neuron(shape_chw, spiking)``
    makes a population's neuron node."""
    shapes = {-1: tuple(snn.input_shape), **dict(enumerate(snn.shapes()))}
    nodes = {"input": nir.Input(input_type={"input": np.array(chw(shapes[-1]))})}
    edges: list = []
    out = {-1: "input"}          # the node whose output is operation i's value
    flat = {-1: None}            # the (H, W, C) a flattened value came from
    last = len(snn.ops) - 1
    for k, op in enumerate(snn.ops):
        name, src = f"{k}", op.inputs[0]
        flat[k] = None
        if isinstance(op, Concat):
            raise ValueError(f"NIR has no concatenation node ({op.name or 'operation ' + name})")
        if isinstance(op, Add):
            out[k] = _add_nodes(nir, op, name, shapes[k], nodes, edges, out, neuron)
            continue
        if isinstance(op, Pool):
            chain = _pool_nodes(nir, op, name, shapes[src], nodes)
        elif isinstance(op, Flatten):
            nodes[name] = nir.Flatten(input_type={"input": np.array(chw(shapes[src]))},
                                      start_dim=0, end_dim=-1)
            chain, flat[k] = [name], (shapes[src] if len(shapes[src]) == 3 else None)
        else:
            nodes[name] = weight_node(nir, op, shapes[src], flat[src])
            chain = [name]
            if op.spiking or k == last:
                nodes[name + "_neurons"] = neuron(chw(shapes[k]), op.spiking)
                chain.append(name + "_neurons")
        edges += list(zip([out[src]] + chain[:-1], chain))
        out[k] = chain[-1]
    nodes["output"] = nir.Output(output_type={"output": np.array(chw(shapes[last]))})
    edges.append((out[last], "output"))
    return nodes, edges
