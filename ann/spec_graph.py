"""The wiring of a model description, checked: which layer feeds which, and the shape after each.

:func:`resolve_graph` turns the ``inputs`` names of a tuple of :class:`~ann.spec_layers.LayerSpec`
into indices (``-1`` for the model's input) and infers every layer's output shape, in the
declared order, which must be a topological order: a layer may only name layers declared before
it, so no cycle can be written. Each problem is a one-line ``ValueError`` naming the layer (by
position, type and name; a layer wired by name also names its input), and for a conflict
between the inputs of a merge both inputs and both shapes:

* an input name that no layer has (unknown), or that a later layer has (a forward reference or
  a cycle); a name used twice;
* arity: ``Add`` and ``Concatenate`` take two or more inputs, every other layer exactly one;
* shapes: a layer that does not fit its input (``Dense`` on an image, a window larger than the
  image, a ``Reshape`` of the wrong size), ``Add`` inputs whose shapes differ, ``Concatenate``
  inputs that differ on an axis other than the last (channels);
* a layer whose output nobody uses (dangling) unless it is the last layer, the model's one
  output.

Shapes are per sample (no batch axis). Output sizes follow Keras: ``"same"``:
``⌈n/s⌉``; ``"valid"`` or ``p`` zeros each side: ``⌊(n + 2p − k)/s⌋ + 1``.
"""

from __future__ import annotations

import math

from .spec_layers import INPUT, MERGE_TYPES, LayerSpec

__all__ = ["resolve_graph", "conv_out"]


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_out(n: int, k: int, s: int, padding) -> int:
    """Output length of a window ``k`` with stride ``s`` over ``n`` (module docstring)."""
    if padding == "same":
        return -(-n // s)
    pad = 0 if padding == "valid" else padding
    return (n + 2 * pad - k) // s + 1


def _sources(layers) -> list[tuple[int, ...]]:
    """The indices of each layer's inputs (``-1``: the model's input); checks names and arity."""
    index: dict[str, int] = {}
    for i, lay in enumerate(layers):
        if lay.name is not None:
            if lay.name in index:
                raise ValueError(f"{lay.where(i)}: duplicate name (also layer {index[lay.name]})")
            index[lay.name] = i
    sources = []
    for i, lay in enumerate(layers):
        if lay.inputs is None:
            src = (i - 1,)
        else:
            src = []
            for name in lay.inputs:
                j = -1 if name == INPUT else index.get(name)
                if j is None:
                    raise ValueError(f"{lay.where(i)}: unknown input {name!r}")
                if j >= i:
                    what = "its own output (a cycle)" if j == i else \
                        f"layer {j}, declared later (a cycle or forward reference)"
                    raise ValueError(f"{lay.where(i)}: input {name!r} is {what}; a layer may "
                                     f"only take earlier layers or {INPUT!r}")
                src.append(j)
            src = tuple(src)
        if lay.type in MERGE_TYPES:
            if len(src) < 2:
                raise ValueError(f"{lay.where(i)}: needs at least 2 inputs, got {len(src)}")
        elif len(src) != 1:
            raise ValueError(f"{lay.where(i)}: takes exactly 1 input, got {len(src)}")
        sources.append(src)
    return sources


def _merge_shape(where: str, t: str, named: list[tuple[str, tuple]]) -> tuple:
    """The output shape of an ``Add``/``Concatenate`` of ``named = [(input name, shape)]``."""
    n0, s0 = named[0]
    for n, s in named[1:]:
        if t == "Add" and s != s0:
            raise ValueError(f"{where}: input {n0!r} has shape {s0} but {n!r} has {s}; "
                             "Add needs equal shapes")
        if t == "Concatenate" and (len(s) != len(s0) or s[:-1] != s0[:-1]):
            raise ValueError(f"{where}: input {n0!r} has shape {s0} but {n!r} has {s}; "
                             "Concatenate needs equal shapes but for the last axis (channels)")
    return s0 if t == "Add" else s0[:-1] + (sum(s[-1] for _, s in named),)


def _layer_shape(where: str, lay: LayerSpec, shape: tuple) -> tuple:
    """The output shape of a one-input layer ``lay`` for the input ``shape``."""
    t, p = lay.type, lay.params
    if t == "Dense":
        if len(shape) != 1:
            raise ValueError(f"{where} needs a flat input, got shape {shape}; add Flatten")
        return (p["units"],)
    if t in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPool2D", "AvgPool2D"):
        if len(shape) != 3:
            raise ValueError(f"{where} needs (H, W, C) input, got shape {shape}")
        h, w, c = shape
        if t in ("MaxPool2D", "AvgPool2D"):
            k, pad = _pair(p["pool_size"]), "valid"
            s = _pair(p["strides"] or p["pool_size"])
        else:
            k, s, pad = _pair(p["kernel_size"]), _pair(p["strides"]), p["padding"]
            c = c * p["depth_multiplier"] if t == "DepthwiseConv2D" else p["filters"]
        h, w = conv_out(h, k[0], s[0], pad), conv_out(w, k[1], s[1], pad)
        if h < 1 or w < 1:
            raise ValueError(f"{where}: output would be {h}×{w}; input {shape} is too small")
        return (h, w, c)
    if t == "GlobalAveragePooling2D":
        if len(shape) != 3:
            raise ValueError(f"{where} needs (H, W, C) input, got shape {shape}")
        return (shape[2],)
    if t == "Flatten":
        return (math.prod(shape),)
    if t == "Reshape":
        target, size = p["target_shape"], math.prod(shape)
        known = math.prod(d for d in target if d != -1)
        if (size % known if -1 in target else size != known):
            raise ValueError(f"{where}: cannot reshape {shape} ({size} values) to {target}")
        return tuple(size // known if d == -1 else d for d in target)
    return shape  # Dropout, BatchNorm, Activation, ReLU: element-wise


def resolve_graph(input_shape: tuple, layers) -> tuple[list[tuple[int, ...]], list[tuple]]:
    """``(sources, shapes)``: per layer, the indices of its inputs (``-1``: the model's input)
    and its output shape; ``ValueError`` for every problem listed in the module docstring."""
    sources = _sources(layers)
    shapes: list[tuple] = []
    def name(j):
        return INPUT if j < 0 else (layers[j].name or f"layer {j}")

    for i, (lay, src) in enumerate(zip(layers, sources)):
        where = lay.where(i)
        if lay.type in MERGE_TYPES:
            named = [(name(j), input_shape if j < 0 else shapes[j]) for j in src]
            shapes.append(_merge_shape(where, lay.type, named))
            continue
        if lay.inputs is not None:  # wired by name: say which layer's output does not fit
            where = f"{where} (input {name(src[0])!r})"
        shapes.append(_layer_shape(where, lay, input_shape if src[0] < 0 else shapes[src[0]]))
    used = {j for src in sources for j in src}
    for i in range(len(layers) - 1):
        if i not in used:
            raise ValueError(f"{layers[i].where(i)}: output is not used by any layer; only the "
                             "last layer may be the model's output")
    return sources, shapes
