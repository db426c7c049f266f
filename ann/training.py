"""The training loop: seeded shuffling, mini-batches, validation, history, checkpoints.

One epoch: draw a permutation of the training set from ``rng``; for each mini-batch, one
forward/backward pass (:meth:`~ann.network.Network.loss_and_gradients`) and one optimizer step;
then evaluate on the validation set (inference mode). The learning rate of epoch ``k`` is
``ε·decay^k``. A loss that becomes NaN or ±Inf, or that grows past ``blowup`` times the first
step's loss (``train_numpy``: 1000×; a step too large throws the weights far away and the loss
may stay finite: ``mlp`` at lr 100 jumps from 2.4 to 6·10⁷ at its second step and ends at 12 %),
stops the run with :class:`TrainingDiverged` (a ``ValueError``) naming the epoch and step.
A run that resumes from a checkpoint reports it as a progress event
``{"kind": "resume", "path", "epoch", "step"}``.

Checkpoints: every ``checkpoint_every`` steps and at the end of each epoch the network, the
optimizer state, the position (epoch, step), the shuffling generator's state *at the start of
the epoch* and the dropout generator's state are written atomically. A run started again with
the same checkpoint path resumes there and — because it replays the same permutation and the
same dropout masks — ends with exactly the weights an uninterrupted run would have. The
checkpoint is removed when the run finishes.

Result dict of :func:`train_numpy` (``ann.keras_train.train_keras`` returns the same keys):
``model``, ``backend``, ``test_accuracy`` (full 10 000-image test set), ``test_loss``,
``train_seconds``, ``epochs``, ``model_path`` (``None`` when not saved), ``history`` (one dict
per epoch: ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``lr``, ``seconds``),
``params`` (trainable parameter count), ``config`` (:meth:`TrainConfig.to_dict`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .checks import positive_int
from .config import MODELS, OPTIMIZERS, TrainConfig
from .io import save_model
from .memory import keep_freed_memory
from .network import Network
from .optimizers import Optimizer, make_optimizer
from .spec import output_shapes
from .training_bookkeeping import Bookkeeping, TrainingDiverged, diverged, run_fingerprint

__all__ = ["TrainConfig", "MODELS", "OPTIMIZERS", "TrainingDiverged", "diverged", "fit",
           "prepare_images", "hold_out", "check_labelled", "train_numpy"]

Progress = Callable[[dict], None]
Augment = Callable[[np.ndarray, int, int], np.ndarray]


def prepare_images(x: np.ndarray, dtype=np.float32) -> np.ndarray:
    """MNIST ``uint8 (N, 28, 28)`` → ``(N, 28, 28, 1)`` in [0, 1] (other inputs: cast only)."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        x = x.astype(dtype) / dtype(255)
        return x[..., None] if x.ndim == 3 else x
    return x.astype(dtype, copy=False)


def hold_out(x: np.ndarray, y: np.ndarray, fraction: float):
    """``((x_train, y_train), validation or None)``: the last ``round(N·fraction)`` samples
    held out for validation, as Keras's ``validation_split`` (both backends split here)."""
    n_val = int(round(len(x) * fraction))
    val = (x[len(x) - n_val:], y[len(y) - n_val:]) if n_val else None
    return (x[:len(x) - n_val], y[:len(y) - n_val]), val


def check_labelled(x: np.ndarray, y: np.ndarray, n_classes: int | None = None,
                   name: str = "training data") -> None:
    """``ValueError`` naming the problem: length mismatch, NaN/Inf in ``x``, labels out of
    range or not integers."""
    if len(x) != len(y):
        raise ValueError(f"{name}: {len(x)} inputs but {len(y)} labels")
    if len(x) == 0:
        raise ValueError(f"{name}: no samples")
    if np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x)):
        bad = int(np.count_nonzero(~np.isfinite(x)))
        raise ValueError(f"{name}: inputs hold {bad} NaN/Inf values")
    y = np.asarray(y)
    if y.ndim == 1:
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{name}: labels must be integers, got dtype {y.dtype}")
        if n_classes is not None and (y.min() < 0 or y.max() >= n_classes):
            bad = y[(y < 0) | (y >= n_classes)][0]
            raise ValueError(f"{name}: label {int(bad)} out of range 0..{n_classes - 1}")


def fit(network: Network, x: np.ndarray, y: np.ndarray, optimizer: Optimizer, *, epochs: int,
        batch_size: int, rng: np.random.Generator, validation_data=None, lr_decay: float = 1.0,
        loss: str = "auto", progress: Progress | None = None, checkpoint=None,
        checkpoint_every: int = 500, fingerprint: str = "",
        blowup: float | None = None, augment: Augment | None = None,
        label_smoothing: float = 0.0) -> list[dict]:
    """Train ``network`` in place by mini-batch SGD; return the history (one dict per epoch).

    The loop is the lecture's: for each epoch ``k`` set ``ε_k = ε·decay^k``; for each mini-batch
    ``B`` of a fresh permutation, compute ``g = ∇_θ E_B(θ)`` by a forward and backward pass and
    let the optimizer step (``θ ← θ − ε g`` for SGD). Everything else — checkpoints, progress
    events, the divergence watch, running sums, validation — is done by
    :class:`ann.training_bookkeeping.Bookkeeping`.

    Parameters
    ----------
    network : the model (its dtype decides the arithmetic, float32 normally).
    x, y : training inputs ``(N, *input_shape)`` and integer labels ``(N,)`` (or targets
        ``(N, K)`` for the MSE loss).
    optimizer : updates ``network.parameters()`` in place.
    epochs, batch_size : the schedule; the last batch of an epoch may be smaller.
    rng : draws the permutation of each epoch.
    validation_data : ``(x_val, y_val)`` evaluated after each epoch, or ``None``.
    lr_decay : the learning rate of epoch ``k`` is ``optimizer.lr·lr_decay^k`` (the rate the
        optimizer had when ``fit`` was called).
    progress : called with ``{"kind": "batch", epoch, epochs, step, steps, loss}`` after every
        step and ``{"kind": "epoch", epoch, epochs, history}`` after every epoch.
    checkpoint : path for resumable checkpoints (see the module docstring), or ``None``.
    fingerprint : identifies the run; a checkpoint with another fingerprint is refused.
    blowup : stop (:class:`TrainingDiverged`) when a step's loss exceeds ``blowup`` times the
        first step's loss of this call; ``None``: only NaN/Inf stop the run.
    augment : ``augment(x_batch, epoch, step)`` → the batch the step trains on (0-based epoch
        and step; :mod:`ann.augment`), or ``None``. It must depend on its arguments only, so that
        a resumed run trains on the batches an uninterrupted run does.
    label_smoothing : ``ε_ls`` of the cross-entropy's targets (:mod:`ann.losses`); 0: none.

    Training asks the C allocator to keep freed memory for the next step
    (:func:`ann.memory.keep_freed_memory`, process-wide): it saves ~3 ms of page faults per
    LeNet step.
    """
    positive_int(epochs, "epochs")
    positive_int(batch_size, "batch_size")
    x, y = _checked_data(network, x, y)
    n, steps = len(x), -(-len(x) // batch_size)
    keep_freed_memory()
    lr0 = optimizer.lr
    book = Bookkeeping(network, optimizer, epochs, steps, progress, checkpoint,
                        checkpoint_every, fingerprint, blowup)
    start_epoch, start_step = book.resume(rng)
    params = network.parameters()
    for epoch in range(start_epoch, epochs):
        book.start_epoch(epoch, rng.bit_generator.state, resumed=start_step > 0)
        perm = rng.permutation(n)
        optimizer.lr = lr0 * lr_decay ** epoch                  # ε_k = ε·decay^k
        for step in range(start_step, steps):
            idx = perm[step * batch_size:(step + 1) * batch_size]  # the mini-batch B
            xb, yb = x[idx], y[idx]
            if augment is not None:
                xb = augment(xb, epoch, step)
            value = network.loss_and_gradients(xb, yb, loss, label_smoothing)  # E_B, g = ∇_θ E_B
            book.check_loss(epoch, step, value)
            optimizer.apply(params, network.gradients())        # θ ← θ − ε g (SGD's rule)
            book.end_step(epoch, step, value, yb)
        book.end_epoch(epoch, rng.bit_generator.state, validation_data)
        start_step = 0
    optimizer.lr = lr0
    book.finish()
    return book.history


def _checked_data(network: Network, x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x`` checked against the network's input shape and ``y`` against its outputs
    (:func:`check_labelled`)."""
    x = network.check_input(x)
    y = np.asarray(y)
    n_out = output_shapes(network.spec)[-1][-1]
    check_labelled(x, y, n_out if y.ndim == 1 else None)
    return x, y


#: a step whose loss exceeds this many times the first step's stops ``train_numpy`` and
#: ``train_keras`` (see the module docstring)
BLOWUP = 1000.0


def _augment(config: TrainConfig) -> Augment | None:
    """The random translation of ``config.shift`` pixels (:mod:`ann.augment`), or ``None``."""
    if not config.shift:
        return None
    from .augment import random_shift, shift_generator

    return lambda xb, epoch, step: random_shift(xb, config.shift,
                                                shift_generator(config.seed, epoch, step))


def train_numpy(config: TrainConfig, mnist, progress: Progress | None = None,
                checkpoint=None, checkpoint_every: int = 500) -> dict:
    """Train ``config`` on MNIST with the NumPy networks; return the result dict (module docs).

    ``mnist`` is :func:`ann.data.load_mnist`'s ``(x_train, y_train, x_test, y_test)``. The last
    ``validation_split`` of the training images is held out (as Keras's ``validation_split``).
    The model is saved to ``config.out`` (if set) only after training succeeded.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    x_train, y_train, x_test, y_test = mnist
    x, y = prepare_images(x_train), np.asarray(y_train).astype(np.intp)
    (x_tr, y_tr), val = hold_out(x, y, config.validation_split)
    rng = np.random.default_rng(config.seed)
    net = Network.from_spec(config.spec(), np.random.default_rng([config.seed, 1]))
    opt = make_optimizer(config.optimizer, config.lr, **config.optimizer_options())
    t0 = time.perf_counter()
    history = fit(net, x_tr, y_tr, opt, epochs=config.epochs, batch_size=config.batch_size,
                  rng=rng, validation_data=val, lr_decay=config.lr_decay, progress=progress,
                  checkpoint=checkpoint, checkpoint_every=checkpoint_every,
                  fingerprint=run_fingerprint(config, len(x_tr)), blowup=BLOWUP,
                  augment=_augment(config), label_smoothing=config.label_smoothing)
    seconds = time.perf_counter() - t0
    test_loss, test_acc = net.evaluate(prepare_images(x_test), np.asarray(y_test).astype(np.intp))
    result = {"model": config.model, "backend": "numpy", "test_accuracy": test_acc,
              "test_loss": test_loss, "train_seconds": seconds, "epochs": config.epochs,
              "model_path": None, "history": history, "params": net.count_params(),
              "config": config.to_dict()}
    if config.out is not None:
        save_model(config.out, net, metadata={k: v for k, v in result.items() if k != "history"})
        result["model_path"] = str(config.out)
    return result
