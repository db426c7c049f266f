"""The lecture's TensorFlow examples, in TensorFlow 2 style.

The lecture shows TensorFlow 1: build a graph of nodes, then ``Session.run`` it, feeding
``placeholder`` s. In TensorFlow 2 code runs eagerly; a Python function decorated with
``tf.function`` is traced once into the same kind of graph, its arguments playing the part of
placeholders. ``docs/tensorflow.md`` maps each TF1 snippet to the function here.

* :func:`constants` — ``node1 = tf.constant(3.0); node2 = tf.constant(4.0); node1 + node2``
  → 7.0.
* :func:`adder` — ``a + b`` with ``a, b`` placeholders: a ``tf.function`` whose input signature
  has unknown shape, so one graph serves scalars (3 + 4.5 = 7.5) and vectors
  ([1, 3] + [2, 4] = [3, 7]); :func:`add_and_triple` is ``(a + b) * 3``.
* :func:`linear_fit` — ``Dense(units=1)`` fitted to x = [1, 2, 3, 4] → y = [0, −1, −2, −3]
  by plain gradient descent (lr 0.01) on the mean squared error
  ``E(w, b) = ¼ Σ (w x_i + b − y_i)²``, 100 steps, each ``θ ← θ − 0.01 ∂E/∂θ``.
* :func:`lecture_mlp` — the Keras MNIST example: Flatten → Dense 512 ReLU → Dropout 0.2 →
  Dense 10 softmax, Adam, sparse categorical cross-entropy, 5 epochs (:func:`train_lecture_mlp`).
* :func:`write_graphs` — the adder's and the linear model's training-step graphs written as
  TensorBoard event files (``tensorboard --logdir DIR``, "Graphs" tab).

Every training here stops on divergence as :func:`ann.training.fit` does (a loss that becomes
NaN/Inf or grows past :data:`ann.training.BLOWUP` times the first step's raises
:class:`~ann.training.TrainingDiverged`), and with a seed a run is repeatable on one machine
(:func:`ann.keras_seed.seed_keras`: global seeds and TensorFlow's op determinism).

Source: the TensorFlow 1 "Low Level APIs" guide and the TensorFlow 2 quick-start, whose
examples the lecture uses. TensorFlow is imported lazily (:mod:`ann._tf`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._tf import keras_module, tf_module
from .checks import positive_int

__all__ = ["constants", "adder", "add_and_triple", "linear_fit", "LINEAR_X", "LINEAR_Y",
           "lecture_mlp", "train_lecture_mlp", "write_graphs"]

#: the lecture's toy regression data, shape (4, 1) each (exact fit: y = −x + 1)
LINEAR_X = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
LINEAR_Y = np.array([[0.0], [-1.0], [-2.0], [-3.0]], dtype=np.float32)

_adder = None  # the traced tf.function, created on first use (TensorFlow is imported lazily)


def constants() -> float:
    """TF1: ``node1 = tf.constant(3.0, dtype=tf.float32); node2 = tf.constant(4.0);
    sess.run(tf.add(node1, node2))``. TF2: the same ops run eagerly. Returns 7.0."""
    tf = tf_module()
    node1 = tf.constant(3.0, dtype=tf.float32)
    node2 = tf.constant(4.0)  # float32 too, inferred
    node3 = tf.add(node1, node2)
    return float(node3.numpy())


def _get_adder():
    global _adder
    if _adder is None:
        tf = tf_module()
        any_shape = tf.TensorSpec(shape=None, dtype=tf.float32)  # like tf.placeholder(tf.float32)

        @tf.function(input_signature=[any_shape, any_shape])
        def adder_node(a, b):
            return a + b  # the same as tf.add(a, b)

        _adder = adder_node
    return _adder


def adder(a, b) -> np.ndarray:
    """TF1: ``a = tf.placeholder(tf.float32); b = tf.placeholder(tf.float32); adder_node = a + b;
    sess.run(adder_node, {a: 3, b: 4.5})``. TF2: call the ``tf.function`` with the values.

    ``a``, ``b``: numbers or arrays of any (broadcastable) shape; returns ``a + b`` as float32.
    """
    a32 = np.asarray(a, dtype=np.float32)
    b32 = np.asarray(b, dtype=np.float32)
    try:
        np.broadcast_shapes(a32.shape, b32.shape)
    except ValueError:
        raise ValueError(f"adder: shapes {a32.shape} and {b32.shape} do not broadcast") from None
    return _get_adder()(a32, b32).numpy()


def add_and_triple(a, b) -> np.ndarray:
    """TF1: ``add_and_triple = adder_node * 3.; sess.run(add_and_triple, {a: 3, b: 4.5})`` →
    22.5."""
    return adder(a, b) * np.float32(3.0)


def adder_tracing_count() -> int:
    """How many graphs the adder has traced (1 however many shapes it is fed: the unknown-shape
    signature is what makes it a placeholder)."""
    return int(_get_adder().experimental_get_tracing_count())


def _linear_problem(seed: int):
    """The linear model (``Dense(units=1)``, Glorot-uniform kernel seeded with ``seed``, bias 0)
    and its ``tf.function`` gradient-descent step on the lecture's data."""
    tf, keras = tf_module(), keras_module()
    x, y_true = tf.constant(LINEAR_X), tf.constant(LINEAR_Y)
    linear_model = keras.layers.Dense(units=1, kernel_initializer=keras.initializers.GlorotUniform(
        seed=seed))
    linear_model.build((None, 1))
    mse = keras.losses.MeanSquaredError()

    @tf.function
    def train_step(lr):
        # TF1: optimizer = tf.train.GradientDescentOptimizer(0.01); train = optimizer.minimize(loss)
        with tf.GradientTape() as tape:
            loss = mse(y_true, linear_model(x))
        grads = tape.gradient(loss, linear_model.trainable_variables)
        for v, g in zip(linear_model.trainable_variables, grads):
            v.assign_sub(lr * g)  # plain gradient descent: θ ← θ − lr ∂E/∂θ
        return loss

    return linear_model, train_step


def linear_fit(steps: int = 100, lr: float = 0.01, seed: int = 0) -> dict:
    """Fit ``y = w x + b`` to the lecture's four points by gradient descent.

    Raises :class:`~ann.training.TrainingDiverged` (a ``ValueError``) if the loss becomes
    NaN/Inf or grows 1000-fold (``lr`` above 2/λ_max ≈ 0.12 makes gradient descent diverge).

    Parameters
    ----------
    steps : number of gradient-descent steps (the lecture: 100).
    lr : learning rate (the lecture: 0.01).
    seed : seed of the Glorot-uniform initial ``w`` (``b`` starts at 0).

    Returns
    -------
    dict
        ``losses`` (steps,) float — the loss *before* each step (as ``sess.run((train, loss))``
        prints it); ``final_loss``; ``w0``, ``b0`` initial and ``w``, ``b`` final parameters;
        ``predictions`` (4,) of the fitted model on x.
    """
    positive_int(steps, "steps")
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    from .training import BLOWUP, TrainingDiverged, diverged
    from .training_bookkeeping import divergence

    tf = tf_module()
    model, train_step = _linear_problem(seed)
    w0, b0 = (float(v.numpy().ravel()[0]) for v in (model.kernel, model.bias))
    lr_t = tf.constant(lr, tf.float32)
    losses = []
    for k in range(steps):
        value = float(train_step(lr_t))
        if diverged(value, losses[0] if losses else None, BLOWUP):
            what = divergence(value, losses[0] if losses else None)
            raise TrainingDiverged(f"linear fit: {what} at step {k + 1} (lr {lr:g}); try a "
                                   f"smaller learning rate", loss=value, epoch=1, step=k + 1,
                                   first_loss=losses[0] if losses else None)
        losses.append(value)
    losses = np.array(losses)
    pred = model(tf.constant(LINEAR_X)).numpy().ravel()
    return {"losses": losses, "final_loss": float(np.mean((pred - LINEAR_Y.ravel()) ** 2)),
            "w0": w0, "b0": b0, "w": float(model.kernel.numpy().ravel()[0]),
            "b": float(model.bias.numpy().ravel()[0]), "predictions": pred}


def lecture_mlp(seed: int | None = None):
    """The lecture's Keras model, compiled as in the lecture (``optimizer='adam'``,
    ``loss='sparse_categorical_crossentropy'``, ``metrics=['accuracy']``).

    TF1-era code wrote ``Flatten(input_shape=(28, 28))`` and ``activation=tf.nn.relu``; Keras 3
    takes an ``Input`` and activation names. ``seed`` seeds the initialisers and dropout.
    """
    keras = keras_module()

    def init(i):
        return "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(seed + i)

    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu",
                           kernel_initializer=init(0)),
        keras.layers.Dropout(0.2, seed=seed),
        keras.layers.Dense(10, activation="softmax",
                           kernel_initializer=init(1)),
    ], name="lecture_mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _watch(epochs: int, steps: int, progress):
    """A Keras callback: progress events as :func:`ann.training.fit` sends them, and the
    divergence stop (its ``diverged`` attribute holds the error)."""
    import time

    from .training import BLOWUP, TrainingDiverged, diverged
    from .training_bookkeeping import divergence

    keras = keras_module()

    class Watch(keras.callbacks.Callback):
        first, error, epoch, t0 = None, None, 0, 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch, self.t0 = epoch + 1, time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            loss = float(logs["loss"])
            if diverged(loss, self.first, BLOWUP):
                what = divergence(loss, self.first)
                self.error = TrainingDiverged(
                    f"Keras MLP: {what} at epoch {self.epoch}, step {batch + 1}", loss=loss,
                    epoch=self.epoch, step=batch + 1, first_loss=self.first)
                self.model.stop_training = True
                return
            self.first = loss if self.first is None else self.first
            if progress is not None:
                progress({"kind": "batch", "epoch": self.epoch, "epochs": epochs,
                          "step": batch + 1, "steps": steps, "loss": loss})

        def on_epoch_end(self, epoch, logs=None):
            if progress is not None and self.error is None:
                h = {"loss": float(logs["loss"]), "accuracy": float(logs["accuracy"]),
                     "seconds": time.perf_counter() - self.t0}
                progress({"kind": "epoch", "epoch": epoch + 1, "epochs": epochs, "history": h})

    return Watch()


def train_lecture_mlp(x_train, y_train, x_test, y_test, epochs: int = 5, seed: int | None = 0,
                      batch_size: int = 32, progress=None) -> dict:
    """The lecture's ``model.fit(x_train, y_train, epochs=5); model.evaluate(x_test, y_test)``.

    Images ``(N, 28, 28)`` uint8 are scaled to [0, 1] (``x / 255.0``) as in the lecture.
    ``seed`` (not ``None``) makes the run repeatable on one machine
    (:func:`ann.keras_seed.seed_keras`); ``progress`` receives ``batch`` and ``epoch`` events
    (:mod:`ann.progress`). Returns ``{"model", "history", "test_loss", "test_accuracy"}``;
    :class:`~ann.training.TrainingDiverged` if the loss diverges.
    """
    from .keras_seed import seed_keras

    seed_keras(seed)
    x_train = np.asarray(x_train, np.float32) / 255.0
    x_test = np.asarray(x_test, np.float32) / 255.0
    model = lecture_mlp(seed)
    watch = _watch(epochs, -(-len(x_train) // batch_size), progress)
    # model.fit(x_train, y_train, batch_size=32) as a tf.data pipeline: the same shuffled
    # batches, but no parallel map, which TensorFlow's op determinism rewrites with an
    # error-level log line (harmless; "NodeDef mentions attribute use_unbounded_threadpool")
    tf = tf_module()
    train = (tf.data.Dataset.from_tensor_slices((x_train, np.asarray(y_train)))
             .shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True).batch(batch_size))
    test = tf.data.Dataset.from_tensor_slices((x_test, np.asarray(y_test))).batch(1000)
    history = model.fit(train, epochs=epochs, verbose=0, callbacks=[watch], shuffle=False)
    if watch.error is not None:
        raise watch.error
    test_loss, test_accuracy = model.evaluate(test, verbose=0)
    return {"model": model, "history": {k: [float(v) for v in vals]
                                        for k, vals in history.history.items()},
            "test_loss": float(test_loss), "test_accuracy": float(test_accuracy)}


def write_graphs(logdir: str | os.PathLike) -> list[Path]:
    """Write the adder's graph (``logdir/adder``) and the linear fit's training step
    (``logdir/linear_fit``) for TensorBoard. Returns the event files written.

    TF1 wrote ``tf.summary.FileWriter(logdir, sess.graph)``; TF2 gets the graph of a traced
    ``tf.function`` (``get_concrete_function(...).graph``) and writes it with
    ``tf.summary.graph`` into a ``tf.summary.create_file_writer`` log.
    """
    tf = tf_module()
    logdir = Path(logdir)
    graphs = {
        "adder": _get_adder().get_concrete_function().graph,
        "linear_fit": _linear_problem(0)[1].get_concrete_function(
            tf.TensorSpec((), tf.float32)).graph,
    }
    files = []
    for name, graph in graphs.items():
        before = set((logdir / name).glob("events.out.tfevents.*"))
        writer = tf.summary.create_file_writer(str(logdir / name))
        with writer.as_default():
            tf.summary.graph(graph)
        writer.close()
        files += sorted(set((logdir / name).glob("events.out.tfevents.*")) - before)
    return files
