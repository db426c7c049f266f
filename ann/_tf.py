"""Lazy access to TensorFlow and Keras, shared by the Keras modules of :mod:`ann`.

``import ann`` must never import TensorFlow (several seconds of start-up). Every Keras module
calls :func:`keras_module` / :func:`tf_module` inside its functions instead of importing at the
top. Before the first import we default ``TF_CPP_MIN_LOG_LEVEL`` to ``2`` (warnings and errors
only) unless the user set it, so TensorFlow's C++ info lines do not bury the CLI's output.
"""

from __future__ import annotations

import os

__all__ = ["keras_module", "tf_module"]


def tf_module():
    """The ``tensorflow`` module, imported on first use."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    return tf


def keras_module():
    """The ``keras`` (3.x) module with the TensorFlow backend, imported on first use."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras
