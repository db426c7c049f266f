"""Running a network whose layers form a directed acyclic graph (residual ``Add``, branches
joined by ``Concatenate``): forward in topological order, backpropagation in reverse.

Forward: each stage reads the outputs of its sources (one array, or a list for a multi-input
layer) and its output is kept until its last reader has run. Backward, by the chain rule over
the graph: the gradient of a stage's output is the *sum* over every stage it feeds,

    ∂E/∂y_j = Σ_{i reads j} ∂E/∂x_i^(j)          (a residual connection: two terms),

so stages are visited from the output back to the input and each one's ``backward`` runs once
its output gradient is complete (every reader comes later in the order, hence earlier in the
reverse sweep). A stage's gradient is sent only to sources above which some layer has
parameters (nothing below needs it); each layer's ``need_dx`` is set the same way.

A ``Conv2D`` (linear or ReLU) whose only reader is a ``k×k``, stride-``k`` ``MaxPool2D`` runs as one
:class:`~ann.layers.conv.ConvPool` stage at the pooling layer's place, exactly as in a chain
(:func:`ann.network.fuse_conv_pool`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers import Activation, Conv2D, ConvPool, Layer, MaxPool2D
from .layers.conv import POOL_FUSABLE

__all__ = ["GraphPlan", "plan_graph", "forward_graph", "backward_graph"]


@dataclass
class GraphPlan:
    """Stages in topological order; ``sources[s]``: indices of the stages ``s`` reads (``-1``:
    the model's input); ``readers[j]``: how many inputs read stage ``j`` (``-1`` included);
    ``needed[s]``: whether some layer at or above stage ``s`` has parameters."""

    stages: list[Layer]
    sources: list[tuple[int, ...]]
    readers: dict[int, int]
    needed: list[bool]


def _fusable(conv: Layer, pool: Layer) -> bool:
    return (isinstance(pool, MaxPool2D) and pool.s == pool.k and type(conv) is Conv2D
            and (conv.activation is None or conv.activation.name in POOL_FUSABLE))


def plan_graph(layers: list[Layer], sources) -> GraphPlan:
    """The stages of ``layers`` wired by ``sources`` (per layer, indices of its inputs, ``-1``
    the model's input, as :attr:`ann.spec.ModelSpec.sources`); sets every layer's
    ``need_dx``. The layers are not changed otherwise."""
    n = len(layers)
    trained = [False] * n
    readers_of: list[list[int]] = [[] for _ in range(n)]
    for i, (layer, src) in enumerate(zip(layers, sources)):
        above = any(trained[j] for j in src if j >= 0)
        layer.need_dx = above
        trained[i] = above or bool(layer.params)
        for j in src:
            if j >= 0:
                readers_of[j].append(i)
    fused = {readers_of[i][0]: i for i in range(n)  # pool index -> conv index
             if len(readers_of[i]) == 1 and _fusable(layers[i], layers[readers_of[i][0]])}
    convs = set(fused.values())
    stage_of: dict[int, int] = {-1: -1}
    stages, stage_sources, needed = [], [], []
    for i, layer in enumerate(layers):
        if i in convs:
            continue  # runs inside the ConvPool stage at its pooling layer's place
        if i in fused:
            conv = fused[i]
            layer, src = ConvPool(layers[conv], layers[i].k), sources[conv]
            stage_of[conv] = len(stages)
        else:
            src = sources[i]
        stage_of[i] = len(stages)
        stages.append(layer)
        stage_sources.append(tuple(stage_of[j] for j in src))
        needed.append(trained[i])
    readers: dict[int, int] = {}
    for src in stage_sources:
        for j in src:
            readers[j] = readers.get(j, 0) + 1
    return GraphPlan(stages, stage_sources, readers, needed)


def forward_graph(plan: GraphPlan, x: np.ndarray, training: bool,
                  logits: bool) -> tuple[np.ndarray, bool]:
    """``(output, skipped_last)``. With ``logits``, the last stage runs without its
    activation (a final softmax), or not at all if it is an ``Activation`` layer
    (``skipped_last``)."""
    outs: dict[int, np.ndarray] = {-1: x}
    left = dict(plan.readers)
    last = len(plan.stages) - 1
    for s, (layer, src) in enumerate(zip(plan.stages, plan.sources)):
        args = [outs[j] for j in src]
        for j in src:
            left[j] -= 1
            if not left[j]:
                del outs[j]  # no later reader: free it (training layers keep what they need)
        inp = args if layer.n_inputs is None else args[0]
        if s == last and logits:
            if isinstance(layer, Activation):
                return inp, True
            return layer.forward(inp, training, activate=False), False
        outs[s] = layer.forward(inp, training)
    return outs[last], False


def backward_graph(plan: GraphPlan, dout: np.ndarray, skipped_last: bool) -> None:
    """Backpropagate ``dout`` (``∂E/∂`` the output of the last :func:`forward_graph`, which
    skipped the last stage if ``skipped_last``); fills every layer's ``grads``."""
    last = len(plan.stages) - 1
    pending: dict[int, np.ndarray] = {}
    top = plan.sources[last][0] if skipped_last else last
    if top >= 0:
        pending[top] = dout
    for s in range(top, -1, -1):
        d = pending.pop(s, None)
        if d is None:
            continue
        layer = plan.stages[s]
        dx = layer.backward(d)
        if dx is None:
            continue
        for j, dj in zip(plan.sources[s], dx if layer.n_inputs is None else (dx,)):
            if j >= 0 and plan.needed[j]:
                # ∂E/∂y_j = Σ over the readers of j (a new array: no buffer is changed in place)
                pending[j] = dj if j not in pending else pending[j] + dj
