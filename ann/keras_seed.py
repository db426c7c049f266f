"""Repeatable Keras runs: one seed for every random number, deterministic kernels.

With a seed, the same machine gives the same result: :func:`seed_keras` calls
``keras.utils.set_random_seed(seed)`` (Python's ``random``, NumPy's global generator and
TensorFlow's global seed, so initialisers, dropout masks and ``tf.data`` shuffles without an
explicit seed are fixed too) and ``tf.config.experimental.enable_op_determinism()``, which
makes TensorFlow choose deterministic kernels and run ``tf.data`` in order. Without it the same
seed gave 0.9694, 0.9651 and 0.9680 in three runs of ``neurosim tf-lecture --mlp-epochs 1``:
multi-threaded reductions add in a different order from run to run.

Determinism is process-wide and stays on once enabled (TensorFlow offers no switch back).
Results still differ between machines (another CPU picks other kernels; see the README).
Cost, measured on this shared 2-core CPU machine (lecture MLP, one epoch on 20 000 images, the
second run in the process): 12.5 s without, 15.0 s with determinism; about a fifth slower, on a
noisy machine. Without it, the two runs gave 0.9340 and 0.9325; with it, 0.9250 twice.
"""

from __future__ import annotations

from ._tf import keras_module, tf_module
from .checks import non_negative_int

__all__ = ["seed_keras"]


def seed_keras(seed: int | None) -> None:
    """Seed Keras/TensorFlow with ``seed`` and enable deterministic ops; ``None``: nothing."""
    if seed is None:
        return
    non_negative_int(seed, "seed")
    keras, tf = keras_module(), tf_module()
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
