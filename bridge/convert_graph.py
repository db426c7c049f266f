"""Conversion of graph models (residual ``Add``, ``Concatenate``, depthwise and separable
convolutions, global average pooling): fold into :mod:`bridge.network` operations, then
normalise per channel through the merges (:mod:`bridge.normalise`) so that the converted network
computes the ANN's function exactly (up to the output's scale).

**Fold.** Each layer of the spec becomes an operation reading the operations of its inputs:

* ``Dense``/``Conv2D``/``DepthwiseConv2D`` → :class:`~bridge.network.Synaptic`; a
  ``SeparableConv2D`` (depthwise, then pointwise, no activation between) is one ``Conv2D`` with
  the composed kernel ``W[a, d, c, f] = Σ_m W_dw[a, d, c, m] · W_pw[c·M + m, f]`` (exact: a
  composition of linear maps);
* ``BatchNorm`` right after a weight layer or an ``Add`` is folded into it
  (``W' = W·γ/σ``, ``b' = (b − μ)·γ/σ + β``; after an ``Add``: every current branch and shortcut
  gain times ``γ/σ``, the bias likewise) — exact; anywhere else it is refused;
* ``Add`` → :class:`~bridge.network.Add`: its inputs are currents (weight layers with no
  activation, read by this ``Add`` only) or spike trains (activated values: the shortcut);
* ``Concatenate`` → :class:`~bridge.network.Concat`; pooling and ``Flatten`` as for chains;
  ``GlobalAveragePooling2D`` → ``Pool("global")``;
* ``ReLU`` / ``Activation("relu")`` makes the value it follows spike; a cap ``m``
  (``ReLU(max_value=m)``, ``relu6``) is kept for the normalisation (there ``λ_P = m``);
* layers that compute the identity at inference are skipped (their readers read their input).

**Normalise**: :func:`bridge.normalise.normalise_graph` (per channel, through the merges; the
equations are stated there). ``normalise_graph`` is importable from here too.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ann.spec import input_shapes

from .checks import positive_number
from .network import NEURONS, Add, Concat, Flatten, Pool, Synaptic, resolve_inputs
from .normalise import normalise_graph

__all__ = ["fold_graph", "normalise_graph", "refuse_saturating", "square"]

#: layer types that are skipped as the identity at inference
_IDENTITY = ("Dropout",)


class _Fold:
    """The operations built so far and, per spec layer, the operation holding its value."""

    def __init__(self, names):
        self.ops: list = []
        self.caps: dict[int, float] = {}      # op index -> clipped-ReLU cap
        self.open: set[int] = set()           # ops whose activation is still to come
        self.names = names

    def add(self, op) -> int:
        self.ops.append(op)
        return len(self.ops) - 1

    def close(self, i: int, cap: float | None, where: str) -> None:
        if i not in self.open:
            raise ValueError(f"{where}: the activation does not follow a weight layer or Add")
        if cap is not None:
            positive_number(cap, f"{where}: ReLU cap")
        self.ops[i] = replace(self.ops[i], spiking=True,
                              cap=None if cap is None else float(cap))
        self.open.discard(i)
        if cap is not None:
            self.caps[i] = float(cap)


def square(v, where: str = "pooling"):
    """A size or stride given as an int or a pair: an int where square (``(2, 2)`` → ``2``, as
    Keras stores them); ``ValueError`` naming ``where`` for a non-square pooling. Non-square
    convolution strides stay pairs (``where=None``)."""
    if isinstance(v, (tuple, list)):
        if v[0] == v[1]:
            return int(v[0])
        if where is not None:
            raise ValueError(f"{where}: non-square pooling {tuple(v)} is not supported by the "
                             "converter")
        return tuple(int(a) for a in v)
    return v


def refuse_saturating(act, where: str) -> None:
    """``ValueError`` for a sigmoid or tanh activation: a firing rate carries ReLU values only."""
    if act in ("sigmoid", "tanh"):
        raise ValueError(f"{where}: activation {act!r} cannot be carried by a firing rate; "
                         "only ReLU hidden layers convert")


def _bn_fold(w, p):
    """``(scale, shift)`` of an inference BatchNorm: ``y = scale·x + shift``."""
    scale = np.asarray(w["gamma"], np.float64) / np.sqrt(
        np.asarray(w["running_var"], np.float64) + p["eps"])
    return scale, np.asarray(w["beta"], np.float64) - np.asarray(w["running_mean"],
                                                                 np.float64) * scale


def _scale_out(op, scale, shift=None):
    """A weight layer or Add with its output channels times ``scale`` (plus ``shift``)."""
    if isinstance(op, Synaptic):
        b = op.b * scale + (0 if shift is None else shift)
        return replace(op, W=op.W * op.per_output(scale), b=b)
    return replace(op, gains=tuple(None if g is None else g * scale for g in op.gains),
                   b=op.b * scale + (0 if shift is None else shift))


def _kernel(t: str, w: dict) -> tuple[str, np.ndarray, np.ndarray]:
    """``(kind, W, b)`` (float64) of a weight layer of type ``t``; a ``SeparableConv2D`` is one
    ``Conv2D`` with the composed kernel ``W[a, d, c, f] = Σ_m W_dw[a, d, c, m] · W_pw[c·M + m, f]``
    (module docstring); a layer without bias gets ``b = 0``."""
    W = np.asarray(w.get("W", w.get("W_depthwise")), np.float64)
    kind = {"Dense": "dense", "DepthwiseConv2D": "depthwise"}.get(t, "conv")
    if t == "SeparableConv2D":
        kh, kw, c, m = W.shape
        Wp = np.asarray(w["W_pointwise"], np.float64).reshape(c, m, -1)
        W = np.einsum("abcm,cmf->abcf", W, Wp)
    n_out = W.shape[-1] if kind != "depthwise" else W.shape[2] * W.shape[3]
    b = np.asarray(w["b"], np.float64) if "b" in w else np.zeros(n_out)
    return kind, W, b


def _fold_weight_layer(f: _Fold, lay, w: dict, src: int, name: str, where: str) -> int:
    """A ``Dense``/``Conv2D``/``DepthwiseConv2D``/``SeparableConv2D`` reading op ``src`` as a
    :class:`~bridge.network.Synaptic` op (spiking if its own activation is a ReLU); its index."""
    p, act = lay.params, lay.params.get("activation")
    if src in f.open:
        raise ValueError(f"{where}: reads a value with no ReLU; a linear hidden layer "
                         "cannot be carried by spike rates")
    kind, W, b = _kernel(lay.type, w)
    stride = square(p.get("strides", 1), None)
    i = f.add(Synaptic(kind, W, b, stride, p.get("padding", "valid"), spiking=False,
                       name=name, inputs=(src,)))
    f.open.add(i)
    if act in ("relu", "relu6"):
        f.close(i, 6.0 if act == "relu6" else None, where)
    elif act not in ("linear", "softmax", None):
        raise ValueError(f"{where}: activation {act!r} is not supported by the converter")
    return i


def _fold_batchnorm(f: _Fold, w: dict, p: dict, i: int, where: str) -> int:
    """Fold an inference BatchNorm into op ``i`` (a weight layer or an ``Add`` whose activation
    is still to come): ``W' = W·γ/σ``, ``b' = (b − μ)·γ/σ + β``; after an ``Add``, every current
    branch and shortcut gain times ``γ/σ``. Returns ``i``."""
    if i not in f.open:
        raise ValueError(f"{where}: BatchNorm must follow a weight layer or an Add "
                         "(without activation) to be folded into it")
    scale, shift = _bn_fold(w, p)
    op = f.ops[i]
    if isinstance(op, Add):   # every current branch, then the gains and the bias
        for j, g in zip(op.inputs, op.gains):
            if g is None:
                f.ops[j] = _scale_out(f.ops[j], scale)
    f.ops[i] = _scale_out(op, scale, shift)
    return i


def _fold_activation(f: _Fold, lay, i: int, is_output: bool, where: str) -> int:
    """An ``Activation``/``ReLU`` layer after op ``i``: a ReLU (capped for ``relu6`` or
    ``max_value``) makes ``i`` spike; softmax is accepted as the output only. Returns ``i``."""
    t, act = lay.type, lay.params.get("activation")
    cap = lay.params.get("max_value") if t == "ReLU" else (6.0 if act == "relu6" else None)
    if t == "Activation" and act not in ("relu", "relu6", "softmax"):
        raise ValueError(f"{where}: activation {act!r} is not supported by the converter")
    if act == "softmax":
        if not is_output:
            raise ValueError(f"{where}: softmax is only supported as the output")
    else:
        f.close(i, cap, where)
    return i


def _fold_add(f: _Fold, ins: list, channels: int, name: str, where: str) -> int:
    """An ``Add`` of ops ``ins`` as :class:`~bridge.network.Add`: an input still open (a weight
    layer with no activation) is a current (gain ``None``, scaled with the ``Add``), any other a
    spike train (gain 1). Returns the new op's index."""
    gains = []
    for j in ins:
        current = j in f.open and isinstance(f.ops[j], Synaptic)
        if j in f.open and not current:
            raise ValueError(f"{where}: an input is an Add without activation")
        gains.append(None if current else np.ones(channels))
    i = f.add(Add(tuple(ins), tuple(gains), np.zeros(channels), spiking=False, name=name))
    for j, g in zip(ins, gains):
        if g is None:
            f.open.discard(j)          # a current: read by this Add, scaled with it
    f.open.add(i)
    return i


def _reshape_op(f: _Fold, t: str, p: dict, ins: list, name: str, where: str):
    """The op of a ``Concatenate``, pooling or ``Flatten`` layer reading spike trains ``ins``."""
    if any(j in f.open for j in ins):
        raise ValueError(f"{where}: reads a value with no ReLU yet; apply the ReLU first")
    if t == "Concatenate":
        return Concat(tuple(ins), name=name)
    if t == "Flatten":
        return Flatten(inputs=(ins[0],))
    if t == "GlobalAveragePooling2D":
        return Pool("global", inputs=(ins[0],))
    return Pool("max" if t == "MaxPool2D" else "avg", square(p["pool_size"], where),
                square(p["strides"], where) if p["strides"] is not None else None,
                inputs=(ins[0],))


def _check_output(f: _Fold, last: int) -> None:
    """``ValueError`` unless op ``last`` is the final op, a weight layer without activation, and
    every hidden weight layer or ``Add`` got its ReLU."""
    if last != len(f.ops) - 1 or not isinstance(f.ops[last], NEURONS) or last not in f.open:
        raise ValueError("the model must end with a Dense or Conv2D output layer (softmax or "
                         "linear)")
    if any(j in f.open for j in range(len(f.ops) - 1)):
        bad = next(j for j in range(len(f.ops) - 1) if j in f.open)
        raise ValueError(f"{f.ops[bad].name}: a hidden layer without ReLU")


_WEIGHT_LAYERS = ("Dense", "Conv2D", "DepthwiseConv2D", "SeparableConv2D")
_RESHAPES = ("Concatenate", "MaxPool2D", "AvgPool2D", "GlobalAveragePooling2D", "Flatten")


def fold_graph(spec, weights, names=None) -> list:
    """Operations (float64 weights) of the folded graph ``spec`` with ``weights``; see the module
    docstring. ``ValueError`` (one line, naming the layer) for what a rate cannot carry."""
    f = _Fold(names)
    node: dict[int, int] = {-1: -1}             # spec layer -> op index holding its value
    in_shapes = input_shapes(spec)
    last_k = len(spec.layers) - 1
    for k, (lay, src, w) in enumerate(zip(spec.layers, spec.sources, weights)):
        t, p = lay.type, lay.params
        where = f"layer {names[k] if names else lay.name!r} ({t})" if names or lay.name \
            else f"layer {k} ({t})"
        name = names[k] if names else (lay.name or f"{t.lower()}_{k}")
        ins = [node[j] for j in src]
        act = p.get("activation")
        refuse_saturating(act, where)
        if t in _IDENTITY or (t == "Activation" and act == "linear") or \
                (t in ("Flatten", "Reshape") and len(in_shapes[k]) == 1):
            node[k] = ins[0]
        elif t in _WEIGHT_LAYERS:
            node[k] = _fold_weight_layer(f, lay, w, ins[0], name, where)
        elif t == "BatchNorm":
            node[k] = _fold_batchnorm(f, w, p, ins[0], where)
        elif t in ("Activation", "ReLU"):
            node[k] = _fold_activation(f, lay, ins[0], k == last_k, where)
        elif t == "Add":
            node[k] = _fold_add(f, ins, spec.shapes[k][-1], name, where)
        elif t in _RESHAPES:
            node[k] = f.add(_reshape_op(f, t, p, ins, name, where))
        else:
            raise ValueError(f"{where}: layer type {t!r} is not supported by the converter")
    _check_output(f, node[last_k])
    return resolve_inputs(f.ops), f.caps
