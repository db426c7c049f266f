"""The wiring of Keras models: which layer reads which, read from a model and written into one.

**Reading** (:func:`keras_nodes`). A built ``Sequential`` or functional model is walked from its
one output back to its one input, so every layer that computes the output is found with the
layers it reads:

* a functional model follows each tensor's producing *node* (``tensor._keras_history``: the
  layer and which of its calls made the tensor) to the node's input tensors; the nodes come out
  depth-first, each input's branch before the layer that reads it, inputs in the order the
  layer takes them. A residual block written "main path, then shortcut, then ``Add``" (as
  :func:`ann.spec_models.resnet_spec` writes it) comes back in the order it was written.
* a ``Sequential`` model feeds each of its layers the previous one's output;
* a nested model (a ``Sequential`` block, or a functional model used as a layer) is flattened:
  its layers are read in place, named ``"outer.inner"`` (Keras forbids ``/`` in names, so
  the spec read back builds in Keras again under the same names);
* a layer for which ``skip(layer, in_shape, out_shape)`` says "identity" is left out and its
  readers read its input instead.

Refused, with one line naming the Keras layer: a layer (or nested model) called more than once
in the model (a shared layer), a model with several inputs or outputs (a nested one too), a
subclassed model (no graph to read), a tensor that does not come from the model's input.

**Writing** (:func:`functional_model`): a :class:`~ann.spec.ModelSpec` graph as a
``keras.Model(Input, output)``, each layer called on the outputs of ``spec.sources`` (``-1``:
the ``Input``).

TensorFlow/Keras is imported lazily (:mod:`ann._tf`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._tf import keras_module
from .spec import INPUT, LayerSpec

__all__ = ["KerasNode", "keras_nodes", "named_graph", "functional_model", "describe"]

#: the value index of the model's input in :attr:`KerasNode.sources`
INPUT_VALUE = -1


@dataclass(frozen=True)
class KerasNode:
    """One call of a Keras layer in the model: the ``layer``, the indices of the nodes it reads
    (``sources``; ``-1`` the model's input), its ``label`` (the layer's name, ``"outer.inner"``
    inside a nested model) and its ``out_shape`` (per sample: no batch axis)."""

    layer: object
    sources: tuple
    label: str
    out_shape: tuple


def describe(layer) -> str:
    """``"Keras layer 'conv1' (Conv2D)"``: how messages name a Keras layer."""
    return f"Keras layer {layer.name!r} ({type(layer).__name__})"


def _per_sample(shape) -> tuple:
    return tuple(shape)[1:]


def _check_functional(model, n_inputs: int) -> tuple[list, list]:
    """``(inputs, outputs)`` of a functional ``model``; ``ValueError`` for a subclassed model
    (no graph), or one without ``n_inputs`` inputs and one output."""
    ins, outs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if ins is None or outs is None:
        raise ValueError(f"Keras model {model.name!r} ({type(model).__name__}) is a subclassed "
                         "model; only Sequential and functional models can be read")
    if len(outs) != 1 or len(ins) != n_inputs:
        raise ValueError(f"Keras model {model.name!r} has {len(ins)} inputs and {len(outs)} "
                         "outputs; only one-input one-output models can be read")
    return ins, outs


class _Walk:
    """The state of one :func:`keras_nodes` walk: the nodes so far and the layers already
    called (to refuse shared ones)."""

    def __init__(self, skip):
        self.keras = keras_module()
        self.skip, self.nodes, self.called = skip, [], {}

    def call(self, layer, sources, in_shapes, out_shape, prefix) -> tuple[int, tuple]:
        """Record one call of ``layer`` (expanding a nested model); ``(value, out_shape)``."""
        if id(layer) in self.called:
            raise ValueError(f"{describe(layer)} is called more than once (a shared layer); "
                             "only models whose every layer is called once can be read")
        self.called[id(layer)] = layer  # keeps the object alive, so its id stays unique
        if isinstance(layer, self.keras.Model):
            return self.model(layer, sources, in_shapes, f"{prefix}{layer.name}.")
        if type(layer).__name__ == "InputLayer":
            raise ValueError(f"{describe(layer)}: a second input; only one-input models can be "
                             "read")
        if len(sources) == 1 and self.skip(layer, in_shapes[0], out_shape):
            return sources[0], in_shapes[0]
        self.nodes.append(KerasNode(layer, tuple(sources), prefix + layer.name, out_shape))
        return len(self.nodes) - 1, out_shape

    def model(self, model, sources, in_shapes, prefix) -> tuple[int, tuple]:
        """Read ``model`` called on ``sources``; ``(value, shape)`` of its one output."""
        if not model.built:
            raise ValueError(f"Keras model {model.name!r} is not built; give it an Input shape")
        if isinstance(model, self.keras.Sequential):  # one input: each layer reads the last
            value, shape = sources[0], tuple(in_shapes[0])
            for layer in model.layers:
                if type(layer).__name__ == "InputLayer":
                    continue
                out = None if isinstance(layer, self.keras.Model) else \
                    _per_sample(layer.compute_output_shape((None,) + shape))  # a model: later
                value, shape = self.call(layer, [value], [shape], out, prefix)
                shape = tuple(shape)
            return value, shape
        ins, outs = _check_functional(model, len(sources))
        values = {id(t): (v, tuple(s)) for t, v, s in zip(ins, sources, in_shapes)}
        return self.tensor(outs[0], values, prefix)

    def tensor(self, out, values, prefix) -> tuple[int, tuple]:
        """The value of the tensor ``out``, reading (depth-first, without recursion) every
        node it depends on; ``values`` maps the ids of known tensors to ``(value, shape)``."""
        stack = [out]
        while stack:
            t = stack[-1]
            if id(t) in values:
                stack.pop()
                continue
            layer, node_index, _ = t._keras_history
            node = layer._inbound_nodes[node_index]
            inputs = list(node.input_tensors)
            if not inputs:
                raise ValueError(f"{describe(layer)}: a tensor that does not come from the "
                                 "model's input; only one-input models can be read")
            pending = [u for u in inputs if id(u) not in values]
            if pending:
                stack.extend(reversed(pending))  # the first input's branch is read first
                continue
            stack.pop()
            if len(node.output_tensors) != 1:
                raise ValueError(f"{describe(layer)} has {len(node.output_tensors)} outputs; "
                                 "only layers with one output can be read")
            src = [values[id(u)] for u in inputs]
            values[id(t)] = self.call(layer, [v for v, _ in src], [s for _, s in src],
                                      _per_sample(t.shape), prefix)
        return values[id(out)]


def keras_nodes(model, skip) -> tuple[tuple, list[KerasNode]]:
    """``(input_shape, nodes)`` of a built one-input one-output Keras ``model`` (module
    docstring): the per-sample input shape and the layer calls that compute the output, in a
    topological order, identities (``skip(layer, in_shape, out_shape) -> bool``) left out.

    Raises
    ------
    TypeError
        ``model`` is not a ``keras.Model``.
    ValueError
        (one line) a model that is not built, has an unknown input size, several inputs or
        outputs, is subclassed, or calls a layer more than once (the layer is named).
    """
    keras = keras_module()
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    if not model.built:
        raise ValueError(f"Keras model {model.name!r} is not built; give it an Input shape")
    if not isinstance(model, keras.Sequential):
        _check_functional(model, 1)
    shape = model.input_shape
    if isinstance(shape, list) or any(d is None for d in shape[1:]):
        raise ValueError(f"Keras model {model.name!r} has an unknown input size {shape}")
    input_shape = tuple(int(d) for d in shape[1:])
    walk = _Walk(skip)
    value, _ = walk.model(model, [INPUT_VALUE], [input_shape], "")
    if value == INPUT_VALUE:
        raise ValueError(f"Keras model {model.name!r} computes nothing (its output is its "
                         "input)")
    return input_shape, walk.nodes


def functional_model(spec, keras_layers, name: str):
    """A functional ``keras.Model`` wiring ``spec``'s layers by ``spec.sources``.

    ``keras_layers[i]`` is the list of Keras layers of spec layer ``i``, applied in turn
    (e.g. ``ZeroPadding2D`` then ``Conv2D``); a merge layer's first Keras layer is called on
    the list of its inputs' outputs. Returns the model, input ``(N, *spec.input_shape)``
    float32 named ``"input"``.
    """
    keras = keras_module()
    inp = keras.Input(shape=spec.input_shape, name="input")
    outs: dict[int, object] = {INPUT_VALUE: inp}
    for i, (src, layers) in enumerate(zip(spec.sources, keras_layers)):
        x = [outs[j] for j in src]
        x = x if len(x) > 1 else x[0]
        for layer in layers:
            x = layer(x)
        outs[i] = x
    return keras.Model(inp, outs[len(spec.layers) - 1], name=name)


def named_graph(specs, sources, labels) -> list[LayerSpec]:
    """The spec layers ``specs`` wired as a graph: each named by its label (a repeated label,
    or ``"input"``, gets the first ``_2``, ``_3``… suffix that no label has), with ``inputs``
    (names, ``"input"`` for ``-1``) where its ``sources`` are not just the layer before it."""
    names, seen, taken = [], {INPUT}, {INPUT} | set(labels)
    for label in labels:
        name, k = label, 1
        if label in seen:
            while name in taken:
                k += 1
                name = f"{label}_{k}"
            taken.add(name)
        seen.add(label)
        names.append(name)
    out = []
    for i, (s, src) in enumerate(zip(specs, sources)):
        inputs = None if src == (i - 1,) else tuple(INPUT if j < 0 else names[j] for j in src)
        out.append(LayerSpec(s.type, s.params, name=names[i], inputs=inputs))
    return out
