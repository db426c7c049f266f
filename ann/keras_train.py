"""``neurosim train ... --backend keras``: the same run as :func:`ann.training.train_numpy`, on
Keras.

Same :class:`~ann.config.TrainConfig`, same architecture (``config.spec()`` through
:func:`ann.keras_models.build_keras_model`), same data (MNIST scaled to [0, 1], NHWC; the last
``validation_split`` of the training images held out), same initial weights (the NumPy
``Network.from_spec(spec, default_rng([seed, 1]))``, copied in), same result keys. The
optimizers map one to one (``ann.optimizers`` follows Keras's update rules):

==============  ===========================================================================
``sgd``         ``keras.optimizers.SGD(lr)``
``momentum``    ``SGD(lr, momentum=α, nesterov=…)``  (v ← αv − εg, θ ← θ + v)
``rmsprop``     ``RMSprop(lr, rho=ρ, epsilon=δ)``    (θ ← θ − εg/√(r + δ))
``adam``        ``Adam(lr, beta_1=β₁, beta_2=β₂, epsilon=δ)``
==============  ===========================================================================

Keras's ``epsilon`` is δ (``ann.optimizers.DELTA``; ε is the learning rate here, as in the
lecture). δ is passed explicitly, so the two backends cannot drift apart if either library
changes its default.

``clip_norm`` → ``global_clipnorm`` (one L2 norm over every gradient); ``weight_decay`` →
Keras's decoupled ``weight_decay`` (θ ← θ − ελθ); ``lr_decay`` → the rate of epoch ``k``
is ``ε·decay^k`` (a ``LearningRateScheduler`` calling
:meth:`~ann.config.TrainConfig.learning_rate`, as the NumPy loop does); the history records the
rate Keras's optimizer actually held. Shuffling uses ``tf.data`` with the op seed
``seed``, dropout masks are seeded per layer, and :func:`ann.keras_seed.seed_keras` sets the
global seeds and TensorFlow's op determinism, so a run is repeatable on one machine (bit for
bit). A batch whose running loss becomes NaN/Inf or exceeds
:data:`ann.training.BLOWUP` times the first batch's stops the run with
:class:`~ann.training.TrainingDiverged`, as in the NumPy loop.

``logdir``: TensorBoard logs — ``train/`` and ``validation/`` with per-epoch scalars
(``epoch_loss`` and ``epoch_accuracy`` in both, ``epoch_learning_rate`` in ``train/`` only)
from Keras's ``TensorBoard`` callback, and the model's op graph (its inference ``tf.function``)
as a ``graph_def`` event in ``train/``. View with ``tensorboard --logdir DIR``.

The result adds ``numpy_test_accuracy``: the trained Keras weights moved into the NumPy
``Network`` (:func:`ann.keras_models.from_keras`) and evaluated there on the same test set, a
check that the twin and the NumPy model agree on real data.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from common.fileio import atomic_path

from ._tf import keras_module, tf_module
from .config import TrainConfig
from .keras_models import build_keras_model, from_keras
from .network import Network
from .keras_seed import seed_keras
from .keras_data import datasets, one_hot, split
from .training import BLOWUP, diverged
from .training_bookkeeping import loss_diverged

__all__ = ["train_keras", "make_keras_optimizer", "write_model_graph", "save_keras_atomic"]


def make_keras_optimizer(name: str, lr: float, *, alpha: float | None = None,
                         rho: float | None = None, beta_1: float | None = None,
                         beta_2: float | None = None, delta: float | None = None,
                         nesterov: bool = False, clip_norm: float | None = None,
                         weight_decay: float = 0.0):
    """The Keras optimizer that takes the same steps as
    :func:`ann.optimizers.make_optimizer` with the same arguments (table above); a
    hyper-parameter left out (``None``) takes the same default as there."""
    from .optimizers import make_optimizer

    ours = make_optimizer(name, lr, alpha=alpha, rho=rho, beta_1=beta_1, beta_2=beta_2,
                          delta=delta, nesterov=nesterov)   # checks and fills the defaults
    keras = keras_module()
    common = {"learning_rate": lr, "global_clipnorm": clip_norm,
              "weight_decay": weight_decay or None}
    if name == "sgd":
        return keras.optimizers.SGD(**common)
    if name == "momentum":
        return keras.optimizers.SGD(momentum=ours.alpha, nesterov=ours.nesterov, **common)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(rho=ours.rho, epsilon=ours.delta, **common)
    return keras.optimizers.Adam(beta_1=ours.beta_1, beta_2=ours.beta_2, epsilon=ours.delta,
                                 **common)


def write_model_graph(model, logdir: str | os.PathLike) -> Path:
    """Write ``model``'s inference graph (a traced ``tf.function``) as a TensorBoard
    ``graph_def`` event into ``logdir``; returns the event file."""
    tf = tf_module()
    logdir = Path(logdir)
    before = set(logdir.glob("events.out.tfevents.*"))
    fn = tf.function(lambda x: model(x, training=False))
    concrete = fn.get_concrete_function(
        tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32, name="images"))
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        tf.summary.graph(concrete.graph)
    writer.close()
    new = sorted(set(logdir.glob("events.out.tfevents.*")) - before)
    if not new:  # pragma: no cover - tf.summary always writes a new file per writer
        raise OSError(f"{logdir}: TensorFlow wrote no event file")
    return new[-1]


def save_keras_atomic(model, path: str | os.PathLike) -> Path:
    """``model.save(path)`` through a temporary ``.keras`` file in the same folder and an
    ``os.replace`` (:func:`common.fileio.atomic_path`), so an interrupted save leaves the
    previous file intact."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: a Keras model file must end in .keras")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, suffix=".keras") as tmp:
        model.save(tmp)
    return path


def _epochs_callback(keras, config: TrainConfig, steps: int, progress):
    """A Keras callback that keeps the per-epoch history in :func:`ann.training.fit`'s format,
    sends the same progress events, and stops a diverging run (its ``diverged`` error)."""

    class _Epochs(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.history: list[dict] = []
            self.first_loss = None
            self.diverged = None

        def on_train_batch_end(self, batch, logs=None):
            loss, epoch = float(logs["loss"]), len(self.history) + 1
            if diverged(loss, self.first_loss, BLOWUP):
                self.model.stop_training = True
                self.diverged = loss_diverged(loss, self.first_loss, epoch, batch + 1, config.lr)
                return
            if self.first_loss is None:
                self.first_loss = loss
            if progress is not None:
                progress({"kind": "batch", "epoch": epoch, "epochs": config.epochs,
                          "step": batch + 1, "steps": steps, "loss": loss})

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            h = {"epoch": epoch + 1, "loss": float(logs["loss"]),
                 "accuracy": float(logs["accuracy"]),
                 "lr": float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)),
                 "seconds": time.perf_counter() - self.t0}
            if "val_loss" in logs:   # the plain cross-entropy where smoothing is on, as NumPy's
                h["val_loss"] = float(logs.get("val_cross_entropy", logs["val_loss"]))
                h["val_accuracy"] = float(logs["val_accuracy"])
            if self.diverged is not None:
                return
            self.history.append(h)
            if progress is not None:
                progress({"kind": "epoch", "epoch": epoch + 1, "epochs": config.epochs,
                          "history": h})

    return _Epochs()


def _callbacks(config: TrainConfig, steps: int, progress):
    """``(epochs callback, every callback)``: :func:`_epochs_callback`, the learning-rate
    schedule and TensorBoard where the config asks for them."""
    keras = keras_module()
    epochs_cb = _epochs_callback(keras, config, steps, progress)
    callbacks = [epochs_cb]
    if config.lr_decay != 1.0:
        callbacks.append(keras.callbacks.LearningRateScheduler(config.learning_rate))
    if config.logdir is not None:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(config.logdir),
                                                     update_freq="epoch", write_graph=True))
    return epochs_cb, callbacks


def train_keras(config: TrainConfig, mnist=None, progress=None) -> dict:
    """Train ``config`` with Keras; return the same result dict as
    :func:`ann.training.train_numpy` (plus ``numpy_test_accuracy``).

    Parameters
    ----------
    config : the run (model, epochs, batch size, optimizer, ..., ``out``, ``logdir``).
    mnist : ``(x_train, y_train, x_test, y_test)`` as from :func:`ann.data.load_mnist`
        (images ``(N, 28, 28)`` uint8); loaded (and verified) if ``None``.
    progress : called with the same ``"batch"`` / ``"epoch"`` events as
        :func:`ann.training.fit` (a batch's ``loss`` is Keras's running mean over the epoch).

    ``config.out`` ending in ``.keras`` saves the Keras model; any other path saves the
    equivalent NumPy network with :func:`ann.io.save_model` (the NumPy backend's format).
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    if mnist is None:
        from .data import load_mnist

        mnist = load_mnist()
    tf = tf_module()
    seed_keras(config.seed)
    (x_tr, y_tr), val, (xt, yt) = split(config, mnist)
    model = _compiled_model(config)
    train_ds, val_ds = datasets(tf, config, x_tr, y_tr, val)
    steps = -(-len(x_tr) // config.batch_size)
    epochs_cb, callbacks = _callbacks(config, steps, progress)
    t0 = time.perf_counter()
    model.fit(train_ds, epochs=config.epochs, validation_data=val_ds, callbacks=callbacks,
              shuffle=False, verbose=0)  # shuffled by train_ds, with its seed
    seconds = time.perf_counter() - t0
    if epochs_cb.diverged is not None:
        raise epochs_cb.diverged
    # a tf.data pipeline, not arrays: Keras's array adapter maps in parallel, which op
    # determinism rewrites with a (harmless) error-level log line
    test_ds = one_hot(tf, config, tf.data.Dataset.from_tensor_slices((xt, yt))).batch(1000)
    scores = model.evaluate(test_ds, verbose=0, return_dict=True)
    test_loss, test_acc = scores.get("cross_entropy", scores["loss"]), scores["accuracy"]
    net = from_keras(model)
    result = {"model": config.model, "backend": "keras", "test_accuracy": float(test_acc),
              "test_loss": float(test_loss), "train_seconds": seconds,
              "epochs": len(epochs_cb.history), "model_path": None,
              "history": epochs_cb.history, "params": net.count_params(),
              "numpy_test_accuracy": float(net.evaluate(xt, yt)[1]),
              "config": config.to_dict()}
    if config.out is not None:
        _save(config.out, model, net, result)
        result["model_path"] = str(config.out)
    if config.logdir is not None:
        result["logdir"] = str(config.logdir)
    return result


def _compiled_model(config: TrainConfig):
    """The Keras twin of ``config.spec()`` with the NumPy network's initial weights, compiled
    with :func:`make_keras_optimizer`; its graph written to ``logdir/train`` if asked."""
    spec = config.spec()
    init = Network.from_spec(spec, np.random.default_rng([config.seed, 1])).get_weights()
    model = build_keras_model(spec, init, seed=config.seed)
    model.compile(optimizer=make_keras_optimizer(config.optimizer, config.lr,
                                                 **config.optimizer_options()),
                  **_loss_and_metrics(config))
    if config.logdir is not None:
        write_model_graph(model, Path(config.logdir) / "train")
    return model


def _loss_and_metrics(config: TrainConfig) -> dict:
    """``compile``'s ``loss`` and ``metrics``: cross-entropy on integer labels; with label
    smoothing Keras's ``CategoricalCrossentropy(label_smoothing=ε_ls)`` on one-hot labels
    (:func:`ann.keras_data.one_hot`: Keras smooths one-hot targets only), the same targets as
    :func:`ann.losses.smooth_labels`, and the plain cross-entropy as the metric
    ``cross_entropy`` (the test loss reported, as the NumPy backend's)."""
    if not config.label_smoothing:
        return {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
    keras = keras_module()
    return {"loss": keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
            "metrics": ["accuracy", keras.metrics.CategoricalCrossentropy(name="cross_entropy")]}


def _save(path, model, net, result: dict) -> None:
    """``path`` ending in ``.keras``: the Keras model; else the NumPy ``net``
    (:func:`ann.io.save_model`) with the result (less the history) as metadata."""
    if Path(path).suffix == ".keras":
        save_keras_atomic(model, path)
    else:
        from .io import save_model

        save_model(path, net, metadata={k: v for k, v in result.items() if k != "history"})
