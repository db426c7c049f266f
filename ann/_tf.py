"""Lazy access to TensorFlow and Keras, shared by the Keras modules of :mod:`ann`.

``import ann`` must never import TensorFlow (several seconds of start-up). Every Keras module
calls :func:`keras_module` / :func:`tf_module` inside its functions instead of importing at the
top.

TensorFlow's C++ start-up writes informational lines straight to file descriptor 2 (oneDNN,
"could not find cuda drivers", a failed ``cuInit`` on machines without a GPU), before its log
level applies, which would bury the CLI's one-line errors. Unless the user has set
``TF_CPP_MIN_LOG_LEVEL`` (then everything is shown, as TensorFlow decides), the first import and
device discovery run with fd 2 sent to a temporary file, and the level defaults to ``2``
(warnings and errors only); if the import fails, what TensorFlow wrote is replayed on stderr
before the exception propagates.
"""

from __future__ import annotations

import os
import sys
import tempfile

__all__ = ["keras_module", "tf_module"]

_loaded = False


def _import_quietly() -> None:
    global _loaded
    if _loaded:
        return
    quiet = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if not quiet:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
        _loaded = True
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import keras  # noqa: F401
            import tensorflow as tf

            tf.config.list_physical_devices()  # device discovery logs here, not later
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    _loaded = True


def tf_module():
    """The ``tensorflow`` module, imported on first use."""
    _import_quietly()
    import tensorflow as tf

    return tf


def keras_module():
    """The ``keras`` (3.x) module with the TensorFlow backend, imported on first use."""
    _import_quietly()
    import keras

    return keras
