"""Reading Keras models as :class:`~ann.spec.ModelSpec` + weights, and writing weights back.

:func:`spec_from_keras` reads a built ``Sequential`` or functional Keras model: its wiring by
:func:`ann.keras_graph.keras_nodes` (one input, one output, nested ``Sequential`` and
functional blocks flattened, shared layers refused), each layer mapped to a spec layer (the
table in :mod:`ann.keras_models`; the readers in :mod:`ann.keras_layer_reader`) with its
weights in the :mod:`ann.spec` convention; :func:`set_keras_weights` is the inverse for the
weights (:mod:`ann.keras_layer_weights`).

A model whose layers form one plain chain is read as a chain (no names, no ``inputs``: exactly
the spec the chain builder started from). Any other is read as a graph: every spec layer is
named by its Keras layer's name (``"block.conv"`` inside a nested block; a name that would clash
with another or with ``"input"`` gets a ``_2``, ``_3``… suffix), and a layer names its
``inputs`` where it does not read the layer before it.

Every Keras setting the NumPy network cannot reproduce (an activation outside
:data:`~ann.spec.ACTIVATIONS`, dilation, groups, "same" pooling, channels-first data,
BatchNorm off the last axis, ``Concatenate`` off the last axis, a ``ReLU`` with
``negative_slope`` or ``threshold``, ``GlobalAveragePooling2D(keepdims=True)``, unknown layer
classes such as ``LSTM``) raises a one-line ``ValueError`` naming the Keras layer and its class.

Keras layers that compute the identity at inference and have no spec form — ``InputLayer``,
``Identity``, a ``Reshape`` to its input's shape, and the layers that act only in training
(:data:`INFERENCE_IDENTITY_KERAS_LAYERS`, a ``Dropout`` with a ``noise_shape``) — are left out of
the spec (:func:`ann.keras_layer_reader.inference_identity`), wherever they stand, and their
readers read their input: the spec computes the same function. A ``Reshape`` to a flat shape is
read as ``Flatten``, a ``ReLU()`` without a cap as ``Activation("relu")`` (the same functions).
"""

from __future__ import annotations

from .keras_graph import keras_nodes, named_graph
from .keras_layer_reader import (INFERENCE_IDENTITY_KERAS_LAYERS, SUPPORTED_KERAS_LAYERS,
                                 check_padding, inference_identity, spec_layer)
from .keras_layer_weights import assign_layer_weights, layer_weights
from .spec import LayerSpec, ModelSpec

__all__ = ["SUPPORTED_KERAS_LAYERS", "INFERENCE_IDENTITY_KERAS_LAYERS", "spec_from_keras",
           "keras_layer_names", "keras_weights", "set_keras_weights", "assign_layer_weights"]

def _read(model):
    """``(spec, [(LayerSpec, keras layer), ...], labels)`` for a supported Keras model."""
    input_shape, nodes = keras_nodes(model, inference_identity)
    kept: dict[int, int] = {-1: -1}   # node index -> spec index
    specs, pairs, sources, labels = [], [], [], []
    for k, node in enumerate(nodes):
        kind, src = type(node.layer).__name__, node.sources
        if kind == "ZeroPadding2D":   # folded into the Conv2D that alone reads it
            check_padding(node, [n for n in nodes if k in n.sources])
            continue
        spec = spec_layer(node.layer, node.out_shape)
        if kind == "Conv2D" and src[0] >= 0 and \
                type(nodes[src[0]].layer).__name__ == "ZeroPadding2D":
            pad = nodes[src[0]]
            spec = LayerSpec("Conv2D", {**spec.params,
                                        "padding": int(pad.layer.get_config()["padding"][0][0])})
            src = pad.sources
        kept[k] = len(specs)
        specs.append(spec)
        pairs.append(node.layer)
        sources.append(tuple(kept[j] for j in src))
        labels.append(node.label)
    if any(s != (i - 1,) for i, s in enumerate(sources)):
        specs = named_graph(specs, sources, labels)
        labels = [lay.name for lay in specs]  # made unique
    try:
        spec = ModelSpec(input_shape, tuple(specs), name=model.name)
    except ValueError as e:
        raise ValueError(f"Keras model {model.name!r}: {e}") from e
    return spec, list(zip(spec.layers, pairs)), tuple(labels)


def spec_from_keras(model) -> tuple[ModelSpec, list[dict]]:
    """Read a Keras model into ``(spec, weights)`` (one weight dict per spec layer).

    ``model`` must be a built ``Sequential`` or functional model with one input and one
    output, whose layers (nested models flattened) are each called once and are of a type in
    :data:`SUPPORTED_KERAS_LAYERS`, with the restrictions in the module docstring. A chain is
    read as a chain, anything else as a graph (module docstring). Otherwise ``ValueError`` (one
    line) names the first offending layer; ``TypeError`` if ``model`` is not a Keras model.
    """
    spec, pairs, _ = _read(model)
    return spec, [layer_weights(s, lay) for s, lay in pairs]


def keras_layer_names(model) -> tuple[str, ...]:
    """The Keras name of each spec layer of :func:`spec_from_keras` ``(model)``, in order (a
    ``ZeroPadding2D`` + ``Conv2D`` pair is named by the ``Conv2D``; a layer inside a nested
    model as ``"outer.inner"``)."""
    return _read(model)[2]


def keras_weights(model) -> list[dict]:
    """The weights of a (supported) Keras model in the :mod:`ann.spec` convention."""
    return spec_from_keras(model)[1]


def set_keras_weights(model, weights: list[dict]) -> None:
    """Copy ``weights`` (one dict per layer of :func:`spec_from_keras` ``(model)``, in its
    order) into the Keras ``model``; ``ValueError`` (one line) for a wrong count, keys, shape
    or a NaN/Inf value, naming ``weights[i]``."""
    pairs = _read(model)[1]
    if not isinstance(weights, (list, tuple)) or len(weights) != len(pairs):
        n = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
        raise ValueError(f"weights: expected a list of {len(pairs)} dicts (one per layer), "
                         f"got {n}")
    for i, ((s, layer), w) in enumerate(zip(pairs, weights)):
        assign_layer_weights(s, layer, w, f"weights[{i}]")
