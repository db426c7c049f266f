"""The Keras twin: one :class:`~ann.spec.ModelSpec`, two builders, weights that move both ways.

:func:`build_keras_model` turns a spec into a ``keras.Sequential``; :func:`spec_from_keras`
reads a plain chain of supported Keras layers back into ``(spec, weights)``. Because the spec's
conventions are Keras's (NHWC images, ``Dense`` kernel ``(n_in, n_out)``, ``Conv2D`` kernel
``(kh, kw, c_in, c_out)``, BatchNorm ``gamma, beta, moving_mean, moving_variance``), weights
cross unchanged: ``u = x @ W + b`` in both, and Keras's ``Flatten`` of an NHWC tensor is NumPy's
row-major ``reshape``, so the first ``Dense`` after it needs no permutation.

Spec layer ↔ Keras layer:

=============  ===========================================================================
``Dense``      ``Dense`` (its ``activation`` kept on the layer)
``Conv2D``     ``Conv2D`` (``padding=p`` an int → ``ZeroPadding2D(p)`` + ``Conv2D("valid")``)
``MaxPool2D``  ``MaxPooling2D`` (``padding="valid"``)
``AvgPool2D``  ``AveragePooling2D`` (``padding="valid"``)
``Flatten``    ``Flatten``
``Dropout``    ``Dropout``
``BatchNorm``  ``BatchNormalization`` (last axis; ``eps`` ↔ ``epsilon``)
``Activation`` ``Activation``; read back also from ``ReLU()`` (plain) and ``Softmax(axis=-1)``
=============  ===========================================================================

Anything else (``LSTM``, ``Rescaling``, dilated or grouped convolutions, leaky ReLU, branches,
nested models, ...) is refused with a one-line ``ValueError`` naming the Keras layer, so a
model that ``bridge`` cannot convert faithfully never loads silently wrong (the reading side
lives in :mod:`ann.keras_reader`).

TensorFlow/Keras is imported lazily, inside the functions (see :mod:`ann._tf`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._tf import keras_module
from .keras_reader import SUPPORTED_KERAS_LAYERS, keras_weights, set_keras_weights, spec_from_keras
from .spec import ModelSpec

__all__ = ["build_keras_model", "spec_from_keras", "keras_weights", "set_keras_weights",
           "to_keras", "from_keras", "load_keras_file", "SUPPORTED_KERAS_LAYERS"]


# --- spec -> Keras -------------------------------------------------------------------------

def build_keras_model(spec: ModelSpec, weights: list[dict] | None = None, *,
                      seed: int | None = None):
    """Build the Keras model of ``spec``.

    Parameters
    ----------
    spec : ModelSpec
    weights : list of dict, optional
        One dict per spec layer (the :mod:`ann.spec` convention); if given, they replace the
        fresh initial values (shapes are checked).
    seed : int, optional
        Seeds the kernel initialisers and the dropout masks (layer ``i`` uses ``seed + i``),
        so two builds with the same seed start identical; ``None`` leaves Keras's defaults.

    Returns
    -------
    keras.Sequential
        Input ``(N, *spec.input_shape)`` float32; layer names start with ``L{i:02d}_`` (``i``
        the spec index).
    """
    keras = keras_module()
    L = keras.layers

    def init(i):
        return "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(seed + i)

    layers = [keras.Input(shape=spec.input_shape, name="input")]
    for i, lay in enumerate(spec.layers):
        t, p, name = lay.type, lay.params, f"L{i:02d}_{lay.type.lower()}"
        if t == "Dense":
            layers.append(L.Dense(p["units"], activation=p["activation"], use_bias=p["use_bias"],
                                  kernel_initializer=init(i), name=name))
        elif t == "Conv2D":
            padding = p["padding"]
            if isinstance(padding, int):
                if padding:
                    layers.append(L.ZeroPadding2D(padding, name=f"L{i:02d}_pad"))
                padding = "valid"
            layers.append(L.Conv2D(p["filters"], p["kernel_size"], strides=p["strides"],
                                   padding=padding, activation=p["activation"],
                                   use_bias=p["use_bias"], kernel_initializer=init(i), name=name))
        elif t in ("MaxPool2D", "AvgPool2D"):
            cls = L.MaxPooling2D if t == "MaxPool2D" else L.AveragePooling2D
            layers.append(cls(p["pool_size"], strides=p["strides"] or p["pool_size"],
                              padding="valid", name=name))
        elif t == "Flatten":
            layers.append(L.Flatten(name=name))
        elif t == "Dropout":
            layers.append(L.Dropout(p["rate"], seed=None if seed is None else seed + i, name=name))
        elif t == "BatchNorm":
            layers.append(L.BatchNormalization(axis=-1, momentum=p["momentum"], epsilon=p["eps"],
                                               name=name))
        elif t == "Activation":
            layers.append(L.Activation(p["activation"], name=name))
        else:  # pragma: no cover - LayerSpec validates the type
            raise ValueError(f"layer {i}: no Keras builder for {t!r}")
    model = keras.Sequential(layers, name=spec.name)
    if weights is not None:
        set_keras_weights(model, weights)
    return model


# --- NumPy Network <-> Keras ---------------------------------------------------------------

def to_keras(network):
    """A Keras model computing the same function as the NumPy ``network`` (an
    :class:`ann.network.Network`): built from ``network.spec``, holding its weights."""
    return build_keras_model(network.spec, network.get_weights())


def from_keras(model, verify: bool = True):
    """The NumPy :class:`ann.network.Network` equivalent to the Keras ``model`` (same spec,
    same weights); ``ValueError`` names any layer that cannot be represented.

    ``verify``: run both on two random inputs in inference mode and refuse the conversion
    (``ValueError``) if the outputs differ by more than ``1e-4 + 1e-3·max|y|`` — a guard
    against a Keras setting this converter does not model.
    """
    from .network import Network

    spec, weights = spec_from_keras(model)
    net = Network.from_spec(spec, np.random.default_rng(0))  # values replaced just below
    net.set_weights(weights)
    if verify:
        x = np.random.default_rng(0).random((2,) + spec.input_shape, dtype=np.float32)
        y_keras = np.asarray(model(x, training=False).numpy(), dtype=np.float64)
        y_numpy = net.forward(x).astype(np.float64)
        err = float(np.max(np.abs(y_keras - y_numpy)))
        if not err <= 1e-4 + 1e-3 * float(np.max(np.abs(y_keras))):
            raise ValueError(f"Keras model {model.name!r}: the converted NumPy network's outputs "
                             f"differ from Keras's by {err:.3g}; not converted")
    return net


def load_keras_file(path: str | os.PathLike):
    """Load a ``.keras`` file (Keras 3 format, ``safe_mode``) into a NumPy ``Network``.

    The network's ``layer_names`` attribute holds the Keras layer name of each spec layer, so
    messages about a layer (the converter's, for one) can use the names the user gave.

    ``ValueError`` (one line) if the file is not a loadable ``.keras`` model or holds a layer
    that the NumPy model cannot represent; ``FileNotFoundError`` if it does not exist.
    """
    keras = keras_module()
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: expected a .keras file")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # Keras raises many kinds; the user needs one line
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"{path}: cannot load Keras model: {first}") from e
    try:
        net = from_keras(model)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from e
    from .keras_reader import keras_layer_names

    net.layer_names = keras_layer_names(model)  # the user's names, for messages (bridge)
    return net
