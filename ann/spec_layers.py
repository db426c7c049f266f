"""One layer of a model description: :class:`LayerSpec`, the layer types and their parameters.

:data:`LAYER_TYPES` maps each type to ``{parameter: default}`` (``...`` marks a required one);
:class:`LayerSpec` fills in the defaults and validates every value, raising a one-line
``ValueError`` that names the layer type and the parameter. The meaning of the types and of
``name``/``inputs`` (the wiring of a graph) is documented in :mod:`ann.spec`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .checks import is_int, positive_int

__all__ = ["ACTIVATIONS", "LAYER_TYPES", "MERGE_TYPES", "INPUT", "LayerSpec"]

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "relu6", "softmax")

#: the name by which a layer's ``inputs`` refer to the model's input
INPUT = "input"

#: layer types that take two or more inputs (a list); every other type takes exactly one
MERGE_TYPES = ("Add", "Concatenate")

_CONV = {"kernel_size": ..., "strides": 1, "padding": "valid", "depth_multiplier": 1,
         "use_bias": True, "activation": "linear"}

#: layer type -> {parameter: default}; a parameter without a default is required (``...``).
LAYER_TYPES: dict[str, dict[str, Any]] = {
    "Dense": {"units": ..., "activation": "linear", "use_bias": True},
    "Conv2D": {"filters": ..., "kernel_size": ..., "strides": 1, "padding": "valid",
               "activation": "linear", "use_bias": True},
    "DepthwiseConv2D": dict(_CONV),
    "SeparableConv2D": {"filters": ..., **_CONV},
    "MaxPool2D": {"pool_size": 2, "strides": None},
    "AvgPool2D": {"pool_size": 2, "strides": None},
    "GlobalAveragePooling2D": {},
    "Flatten": {},
    "Reshape": {"target_shape": ...},
    "Dropout": {"rate": ...},
    "BatchNorm": {"momentum": 0.99, "eps": 1e-3},
    "Activation": {"activation": ...},
    "ReLU": {"max_value": None},
    "Add": {},
    "Concatenate": {},
}


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its ``type`` (a key of :data:`LAYER_TYPES`), its ``params``, an optional
    ``name`` and optional ``inputs``.

    ``inputs`` is a tuple of names of earlier layers (or :data:`INPUT`, the model's input); a
    single name may be given as a string. ``None`` (the default) means "the previous layer's
    output" (the model's input for the first layer), so a chain needs neither names nor inputs.
    Whether the names exist, come earlier and fit the layer's arity is checked by
    :class:`~ann.spec.ModelSpec`, which sees the whole graph.

    Missing parameters take their defaults; kernel sizes, strides and pool sizes are an int or
    a pair ``(h, w)`` (kept as a tuple); ``target_shape`` becomes a tuple.

    Raises
    ------
    ValueError
        an unknown type, an unknown or missing parameter, a bad value, a name that is not a
        non-empty string or is :data:`INPUT`, or ``inputs`` that are not names.
    """

    type: str
    params: dict = field(default_factory=dict)
    name: str | None = None
    inputs: tuple | None = None

    def __post_init__(self):
        if self.type not in LAYER_TYPES:
            raise ValueError(f"unknown layer type {self.type!r}; known: {', '.join(LAYER_TYPES)}")
        schema = LAYER_TYPES[self.type]
        unknown = set(self.params) - set(schema)
        if unknown:
            raise ValueError(f"{self.type}: unknown parameter(s) {', '.join(sorted(unknown))}")
        full = {}
        for k, default in schema.items():
            if k in self.params:
                full[k] = self.params[k]
            elif default is ...:
                raise ValueError(f"{self.type}: missing parameter {k!r}")
            else:
                full[k] = default
        _check_values(self.type, full)
        object.__setattr__(self, "params", full)
        if self.name is not None and (not isinstance(self.name, str) or not self.name
                                      or self.name == INPUT):
            raise ValueError(f"{self.type}: name must be a non-empty string other than "
                             f"{INPUT!r}, got {self.name!r}")
        if self.inputs is not None:
            inputs = (self.inputs,) if isinstance(self.inputs, str) else self.inputs
            if not isinstance(inputs, (tuple, list)) or not inputs or not all(
                    isinstance(s, str) and s for s in inputs):
                raise ValueError(f"{self.where()}: inputs must be a tuple of layer names, "
                                 f"got {self.inputs!r}")
            object.__setattr__(self, "inputs", tuple(inputs))

    def __getitem__(self, key):
        return self.params[key]

    def where(self, index: int | None = None) -> str:
        """``"layer 3 (Add 'res1')"``: how error messages name this layer."""
        what = self.type if self.name is None else f"{self.type} {self.name!r}"
        return what if index is None else f"layer {index} ({what})"

    def to_dict(self) -> dict:
        """``{"type", **params}`` plus ``"name"`` and ``"inputs"`` where set (JSON-ready)."""
        d = {"type": self.type, **self.params}
        for k in ("kernel_size", "strides", "pool_size", "target_shape"):
            if isinstance(d.get(k), tuple):
                d[k] = list(d[k])
        if self.name is not None:
            d["name"] = self.name
        if self.inputs is not None:
            d["inputs"] = list(self.inputs)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "LayerSpec":
        if not isinstance(d, dict) or "type" not in d:
            raise ValueError(f"a layer must be a dict with a 'type', got {d!r}")
        d = dict(d)
        return cls(d.pop("type"), d, d.pop("name", None), d.pop("inputs", None))


def _positive_int(layer, key, v):
    positive_int(v, f"{layer}: {key}")


def _int_or_pair(layer, key, v):
    """``v`` as an int or a tuple of two positive ints; ``ValueError`` otherwise."""
    if isinstance(v, (tuple, list)):
        if len(v) != 2 or not all(is_int(a) and a >= 1 for a in v):
            raise ValueError(f"{layer}: {key} must be a positive int or a pair of them, "
                             f"got {v!r}")
        return tuple(v)
    _positive_int(layer, key, v)
    return v


def _check_values(layer: str, p: dict) -> None:
    """Validate (and normalise in place: pairs and shapes to tuples) the parameters ``p``."""
    for key in ("units", "filters", "depth_multiplier"):
        if key in p:
            _positive_int(layer, key, p[key])
    for key in ("kernel_size", "strides", "pool_size"):
        if key in p and p[key] is not None:
            p[key] = _int_or_pair(layer, key, p[key])
    if "activation" in p and p["activation"] not in ACTIVATIONS:
        raise ValueError(f"{layer}: unknown activation {p['activation']!r}; "
                         f"known: {', '.join(ACTIVATIONS)}")
    if "use_bias" in p and not isinstance(p["use_bias"], bool):
        raise ValueError(f"{layer}: use_bias must be True or False, got {p['use_bias']!r}")
    if "padding" in p:
        pad = p["padding"]
        if layer in ("DepthwiseConv2D", "SeparableConv2D"):
            if pad not in ("valid", "same"):
                raise ValueError(f"{layer}: padding must be 'valid' or 'same', got {pad!r}")
        elif pad not in ("valid", "same") and not (is_int(pad) and pad >= 0):
            raise ValueError(f"{layer}: padding must be 'valid', 'same' or an int >= 0, "
                             f"got {pad!r}")
    if "rate" in p and not (isinstance(p["rate"], (int, float)) and 0 <= p["rate"] < 1):
        raise ValueError(f"{layer}: rate must be in [0, 1), got {p['rate']!r}")
    if "momentum" in p and not (0 <= p["momentum"] < 1):
        raise ValueError(f"{layer}: momentum must be in [0, 1), got {p['momentum']!r}")
    if "eps" in p and not p["eps"] > 0:
        raise ValueError(f"{layer}: eps must be > 0, got {p['eps']!r}")
    m = p.get("max_value")
    if m is not None and (isinstance(m, bool) or not isinstance(m, (int, float))
                          or not math.isfinite(m) or m <= 0):
        raise ValueError(f"{layer}: max_value must be a finite number > 0 or None, got {m!r}")
    if "target_shape" in p:
        t = p["target_shape"]
        if not isinstance(t, (tuple, list)) or not t or not all(
                is_int(d) and (d >= 1 or d == -1) for d in t) or list(t).count(-1) > 1:
            raise ValueError(f"{layer}: target_shape must be a non-empty tuple of positive ints "
                             f"with at most one -1, got {t!r}")
        p["target_shape"] = tuple(t)
