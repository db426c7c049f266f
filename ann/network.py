"""A feed-forward network built from a :class:`~ann.spec.ModelSpec`: the lecture's
``x^(l+1) = h(W^(l)ᵀ x^(l))`` stacked, and backpropagation by the δ-rule.

``forward`` runs the layers in order; ``loss_and_gradients`` runs them in training mode up to the
logits, takes the loss (softmax cross-entropy fused with a final softmax, giving
``δ = (y − t)/N``; otherwise mean squared error on the outputs) and sends ``δ`` back through
every layer's ``backward``, which leaves ``∂E/∂θ`` in ``layer.grads``.

A chain (``spec.is_chain``) runs as a plain loop over its stages. A graph (residual ``Add``,
``Concatenate`` of branches) runs in topological order and backpropagates in reverse, summing
the gradients of a tensor that feeds several layers (:mod:`ann.graph`); on a chain both give
bit-identical results.

Weights follow :mod:`ann.spec` (Keras layouts): one dict per layer, in order. Initialisation is
Keras's default (:mod:`ann.layer_init`): Glorot-uniform kernels (``U(±√(6/(fan_in +
fan_out)))``, for a convolution ``fan = kh·kw·C``), zero biases, BatchNorm ``γ = 1, β = 0``,
running mean 0 and variance 1.
"""

from __future__ import annotations

import numpy as np

from .graph import backward_graph, forward_graph, plan_graph
from .layer_init import build_layer, glorot_uniform
from .layers import Activation, Conv2D, ConvPool, Dropout, Layer, MaxPool2D
from .layers.conv import POOL_FUSABLE
from .losses import mean_squared_error, softmax_cross_entropy
from .spec import ModelSpec, input_shapes, output_shapes

__all__ = ["Network", "glorot_uniform", "fuse_conv_pool"]


def fuse_conv_pool(layers: list[Layer]) -> list[Layer]:
    """The stages to run: each ``Conv2D`` (linear or ReLU) followed by ``k×k`` max pooling with
    stride ``k`` becomes one :class:`~ann.layers.conv.ConvPool` (exact, see
    :mod:`ann.layers.conv`); every other layer runs as it is. The layers are not changed."""
    stages: list[Layer] = []
    for layer in layers:
        prev = stages[-1] if stages else None
        if (isinstance(layer, MaxPool2D) and layer.s == layer.k and type(prev) is Conv2D
                and (prev.activation is None or prev.activation.name in POOL_FUSABLE)):
            stages[-1] = ConvPool(prev, layer.k)
            continue
        stages.append(layer)
    return stages


class Network:
    """Layers built from ``spec``; see the module docstring.

    Attributes
    ----------
    spec : the architecture.
    layers : one :class:`~ann.layers.Layer` per spec layer (a ``Dense``/``Conv2D`` carries its
        activation as ``layer.activation``).
    stages : the layers as run: ``layers`` with each convolution and the max pooling after it
        as one :class:`~ann.layers.conv.ConvPool` where that is exact (:func:`fuse_conv_pool`).
    graph : ``None`` for a chain; for a graph, its :class:`~ann.graph.GraphPlan` (whose
        ``stages`` are ``stages``).
    dtype : float32 for training, float64 for gradient checks.

    ``ValueError`` if ``layers`` is not one layer per spec layer.
    """

    def __init__(self, spec: ModelSpec, layers: list[Layer], dtype=np.float32):
        self.spec, self.layers, self.dtype = spec, list(layers), np.dtype(dtype)
        if len(self.layers) != len(spec.layers):
            raise ValueError(f"{len(self.layers)} layers for a spec of {len(spec.layers)}")
        self.graph = None
        if spec.is_chain:
            for layer in self.layers:  # nothing before the first trained layer needs ∂E/∂x
                layer.need_dx = False
                if layer.params:
                    break
            self.stages = fuse_conv_pool(self.layers)
        else:
            self.graph = plan_graph(self.layers, spec.sources)
            self.stages = self.graph.stages
        last = spec.layers[-1]
        self.ends_in_softmax = last.params.get("activation") == "softmax"
        self._skip_last = False
        self.last_output: np.ndarray | None = None
        #: the generator the Dropout layers draw their masks from
        self.rng = next((lay.rng for lay in self.layers if isinstance(lay, Dropout)),
                        np.random.default_rng(0))

    @classmethod
    def from_spec(cls, spec: ModelSpec, rng: np.random.Generator, dtype=np.float32) -> "Network":
        """A freshly initialised network; ``rng`` draws the weights and, later, dropout masks."""
        if not isinstance(spec, ModelSpec):
            raise TypeError(f"spec must be an ann.spec.ModelSpec, got {type(spec).__name__}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        layers = [build_layer(lay, shape, rng, dtype)
                  for lay, shape in zip(spec.layers, input_shapes(spec))]
        net = cls(spec, layers, dtype)
        net.rng = rng
        return net

    # --- weights -------------------------------------------------------------------------

    def get_weights(self) -> list[dict[str, np.ndarray]]:
        """Copies of every layer's weights, one dict per layer (:mod:`ann.spec` layout)."""
        return [layer.get_weights() for layer in self.layers]

    def set_weights(self, weights: list[dict[str, np.ndarray]]) -> None:
        """Load weights (validated: count, names, shapes, finite values; the error names the
        layer). Values are cast to the network's dtype."""
        if not isinstance(weights, (list, tuple)) or len(weights) != len(self.layers):
            n = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(f"expected weights for {len(self.layers)} layers, got {n}")
        for i, (layer, w) in enumerate(zip(self.layers, weights)):
            if not isinstance(w, dict):
                raise ValueError(f"layer {i} ({layer.type}): weights must be a dict")
            layer.set_weights(w, where=f"layer {i}")

    def parameters(self) -> list[np.ndarray]:
        """The trainable arrays, in a fixed order (the optimizer updates them in place)."""
        return [layer.params[k] for layer in self.layers for k in sorted(layer.params)]

    def gradients(self) -> list[np.ndarray]:
        """``∂E/∂θ`` from the last ``loss_and_gradients``, in the order of :meth:`parameters`."""
        return [layer.grads[k] for layer in self.layers for k in sorted(layer.params)]

    def count_params(self) -> int:
        return int(sum(p.size for p in self.parameters()))

    # --- forward / backward --------------------------------------------------------------

    def check_input(self, x) -> np.ndarray:
        """``x`` as an ``(N, *input_shape)`` array of the network's dtype; ``ValueError`` on a
        wrong shape, ``TypeError`` on non-numeric data."""
        x = np.asarray(x)
        if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
            raise TypeError(f"inputs must be numeric, got dtype {x.dtype}")
        want = self.spec.input_shape
        if x.shape[1:] != want:
            if x.ndim >= 2 and int(np.prod(x.shape[1:])) == int(np.prod(want)):
                x = x.reshape((x.shape[0],) + want)
            else:
                raise ValueError(f"inputs of shape {x.shape} do not fit the model's input shape "
                                 f"(N, {', '.join(map(str, want))})")
        return x.astype(self.dtype, copy=False)

    def _run(self, x, training, logits):
        x = self.check_input(x)
        if self.graph is not None:
            y, self._skip_last = forward_graph(self.graph, x, training,
                                               logits and self.ends_in_softmax)
            return y
        last = len(self.stages) - 1
        self._skip_last = False
        for i, layer in enumerate(self.stages):
            if i == last and logits and self.ends_in_softmax:
                if isinstance(layer, Activation):
                    self._skip_last = True
                    break
                x = layer.forward(x, training, activate=False)
            else:
                x = layer.forward(x, training)
        return x

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The network's output for ``x (N, *input_shape)`` (probabilities if the last
        activation is softmax). ``training=True`` uses batch statistics and dropout and keeps
        what :meth:`backward` needs."""
        return self._run(x, training, logits=False)

    def logits(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The output before a final softmax (the same as :meth:`forward` otherwise)."""
        return self._run(x, training, logits=True)

    def backward(self, dout: np.ndarray) -> None:
        """Backpropagate ``∂E/∂(output of the last forward pass)``; fills every ``grads``."""
        if self.graph is not None:
            backward_graph(self.graph, dout, self._skip_last)
            return
        layers = self.stages[:-1] if self._skip_last else self.stages
        d = dout
        for layer in reversed(layers):
            d = layer.backward(d)
            if d is None:  # the first trained layer: nothing below needs a gradient
                break

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray, loss: str = "auto",
                           label_smoothing: float = 0.0) -> float:
        """One training-mode forward and backward pass on a batch; returns the loss. The
        batch's logits (or outputs, for MSE) are kept in ``last_output``.

        ``loss``: ``"cross_entropy"`` (needs a final softmax; fused, on the logits), ``"mse"``
        (on the outputs) or ``"auto"`` (cross-entropy if the network ends in softmax).
        ``label_smoothing``: ``ε_ls`` of the cross-entropy's targets
        (:func:`ann.losses.smooth_labels`); ``ValueError`` with the MSE loss.
        """
        if loss == "auto":
            loss = "cross_entropy" if self.ends_in_softmax else "mse"
        if loss == "cross_entropy":
            if not self.ends_in_softmax:
                raise ValueError("cross_entropy loss needs a network that ends in softmax")
            self.last_output = self.logits(x, training=True)
            value, dout = softmax_cross_entropy(self.last_output, y, label_smoothing)
        elif loss == "mse":
            if label_smoothing:
                raise ValueError("label smoothing applies to the cross-entropy loss, not mse")
            out = self.last_output = self.forward(x, training=True)
            value, dout = mean_squared_error(out.reshape(out.shape[0], -1), y)
            dout = dout.reshape(out.shape)
        else:
            raise ValueError(f"unknown loss {loss!r}; known: auto, cross_entropy, mse")
        self.backward(dout)
        return value

    def predict_proba(self, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """:meth:`forward` in inference mode, in batches (bounded memory)."""
        x = self.check_input(x)
        return np.concatenate([self.forward(x[i:i + batch_size])
                               for i in range(0, len(x), batch_size)]) if len(x) else \
            np.zeros((0,) + tuple(output_shapes(self.spec)[-1]), self.dtype)

    def evaluate(self, x: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> tuple[float, float]:
        """``(mean loss, accuracy)`` on labelled data, in inference mode."""
        x = self.check_input(x)
        y = np.asarray(y)
        total, correct = 0.0, 0
        for i in range(0, len(x), batch_size):
            xb, yb = x[i:i + batch_size], y[i:i + batch_size]
            if self.ends_in_softmax:
                z = self.logits(xb)
                total += softmax_cross_entropy(z, yb)[0] * len(xb)
            else:
                z = self.forward(xb)
                total += mean_squared_error(z.reshape(len(xb), -1), yb)[0] * len(xb)
            correct += int((z.argmax(axis=-1) == yb).sum())
        n = max(len(x), 1)
        return total / n, correct / n

    def astype(self, dtype) -> "Network":
        """Convert every weight to ``dtype`` in place; returns ``self``."""
        self.dtype = np.dtype(dtype)
        for layer in self.layers:
            layer.astype(self.dtype)
            if isinstance(layer, Conv2D):
                layer.clear_buffers()
        return self

    def __repr__(self) -> str:
        return (f"Network({self.spec.name!r}, {len(self.layers)} layers, "
                f"{self.count_params()} parameters, {self.dtype})")
