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

import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .config import MODELS, OPTIMIZERS, TrainConfig
from .io import network_from_arrays, read_arrays, save_model, weights_to_arrays, write_arrays
from .memory import keep_freed_memory
from .network import Network
from .optimizers import Optimizer, make_optimizer
from .spec import output_shapes

__all__ = ["TrainConfig", "MODELS", "OPTIMIZERS", "TrainingDiverged", "diverged", "fit",
           "prepare_images",
           "check_labelled", "train_numpy"]

Progress = Callable[[dict], None]
Augment = Callable[[np.ndarray, int, int], np.ndarray]


class TrainingDiverged(ValueError):
    """The loss became NaN or infinite, or grew far past its start.

    Attributes ``loss`` (the value), ``epoch`` and ``step`` (1-based; ``step`` is ``None`` when
    the weights were found non-finite at an epoch's end) and ``first_loss`` (the first step's
    loss, or ``None``), so a caller can name the option that caused it.
    """

    def __init__(self, message: str, *, loss: float = float("nan"), epoch: int = 0,
                 step: int | None = None, first_loss: float | None = None):
        super().__init__(message)
        self.loss, self.epoch, self.step, self.first_loss = loss, epoch, step, first_loss


def diverged(value: float, first: float | None, blowup: float | None) -> bool:
    """Whether a loss ``value`` means divergence: NaN/±Inf, or above ``blowup`` times the first
    loss ``first`` (when both are given and ``first > 0``)."""
    if not math.isfinite(value):
        return True
    return bool(blowup and first and first > 0 and value > blowup * first)


def prepare_images(x: np.ndarray, dtype=np.float32) -> np.ndarray:
    """MNIST ``uint8 (N, 28, 28)`` → ``(N, 28, 28, 1)`` in [0, 1] (other inputs: cast only)."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        x = x.astype(dtype) / dtype(255)
        return x[..., None] if x.ndim == 3 else x
    return x.astype(dtype, copy=False)


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


def _save_checkpoint(path, network, optimizer, epoch, step, epoch_rng_state, history, sums,
                     fingerprint):
    arrays = weights_to_arrays(network.get_weights())
    arrays.update({f"opt/{k}": v for k, v in optimizer.get_state().items()})
    meta = {"kind": "checkpoint", "spec": network.spec.to_dict(), "dtype": network.dtype.name,
            "metadata": {}, "position": {"epoch": epoch, "step": step},
            "epoch_rng_state": epoch_rng_state,
            "dropout_rng_state": network.rng.bit_generator.state,
            "history": history, "sums": sums, "fingerprint": fingerprint}
    write_arrays(path, arrays, meta)


def _load_checkpoint(path, network, optimizer, fingerprint):
    arrays, meta = read_arrays(path, kind="checkpoint")
    if meta.get("fingerprint") != fingerprint:
        raise ValueError(f"checkpoint {path} belongs to a different run (other model, data or "
                         f"options); remove it or choose another path")
    restored = network_from_arrays(path, arrays, meta)
    network.set_weights(restored.get_weights())
    opt = {k[4:]: v for k, v in arrays.items() if k.startswith("opt/")}
    optimizer.set_state(opt, network.parameters())
    network.rng.bit_generator.state = meta["dropout_rng_state"]
    return meta


def fit(network: Network, x: np.ndarray, y: np.ndarray, optimizer: Optimizer, *, epochs: int,
        batch_size: int, rng: np.random.Generator, validation_data=None, lr_decay: float = 1.0,
        loss: str = "auto", progress: Progress | None = None, checkpoint=None,
        checkpoint_every: int = 500, fingerprint: str = "",
        blowup: float | None = None, augment: Augment | None = None) -> list[dict]:
    """Train ``network`` in place; return the history (one dict per epoch).

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

    Training asks the C allocator to keep freed memory for the next step
    (:func:`ann.memory.keep_freed_memory`, process-wide): it saves ~3 ms of page faults per
    LeNet step.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    x = network.check_input(x)
    y = np.asarray(y)
    n_out = output_shapes(network.spec)[-1][-1]
    check_labelled(x, y, n_out if y.ndim == 1 else None)
    n = len(x)
    steps = -(-n // batch_size)
    keep_freed_memory()
    lr0 = optimizer.lr
    history: list[dict] = []
    start_epoch, start_step, sums = 0, 0, {"loss": 0.0, "correct": 0, "seen": 0, "seconds": 0.0}
    if checkpoint is not None and Path(checkpoint).exists():
        meta = _load_checkpoint(checkpoint, network, optimizer, fingerprint)
        start_epoch, start_step = meta["position"]["epoch"], meta["position"]["step"]
        history, sums = meta["history"], meta["sums"]
        rng.bit_generator.state = meta["epoch_rng_state"]
        if progress is not None:
            progress({"kind": "resume", "path": str(checkpoint), "epoch": start_epoch + 1,
                      "step": start_step})
    params = network.parameters()
    first_loss = None
    for epoch in range(start_epoch, epochs):
        epoch_rng_state = rng.bit_generator.state
        perm = rng.permutation(n)
        optimizer.lr = lr0 * lr_decay ** epoch
        if epoch != start_epoch or start_step == 0:
            sums = {"loss": 0.0, "correct": 0, "seen": 0, "seconds": 0.0}
        t0 = time.perf_counter() - sums["seconds"]
        for step in range(start_step if epoch == start_epoch else 0, steps):
            idx = perm[step * batch_size:(step + 1) * batch_size]
            xb, yb = x[idx], y[idx]
            if augment is not None:
                xb = augment(xb, epoch, step)
            value = network.loss_and_gradients(xb, yb, loss)
            if diverged(value, first_loss, blowup):
                what = (f"loss became {value}" if not math.isfinite(value) else
                        f"loss grew to {value:.3g} (from {first_loss:.3g} at the first step)")
                raise TrainingDiverged(
                    f"{what} at epoch {epoch + 1}, step {step + 1} "
                    f"(lr {optimizer.lr:g}); try a smaller learning rate or clip_norm",
                    loss=value, epoch=epoch + 1, step=step + 1, first_loss=first_loss)
            if first_loss is None:
                first_loss = value
            optimizer.apply(params, network.gradients())
            sums["loss"] += value * len(idx)
            sums["seen"] += len(idx)
            if yb.ndim == 1:
                sums["correct"] += int((network.last_output.argmax(axis=-1) == yb).sum())
            if progress is not None:
                progress({"kind": "batch", "epoch": epoch + 1, "epochs": epochs,
                          "step": step + 1, "steps": steps, "loss": value})
            if checkpoint is not None and (step + 1) % checkpoint_every == 0 and step + 1 < steps:
                sums["seconds"] = time.perf_counter() - t0
                _save_checkpoint(checkpoint, network, optimizer, epoch, step + 1,
                                 epoch_rng_state, history, sums, fingerprint)
        if not all(np.all(np.isfinite(p)) for p in params):
            raise TrainingDiverged(f"weights became NaN/Inf in epoch {epoch + 1} "
                                   f"(lr {optimizer.lr:g}); try a smaller learning rate",
                                   epoch=epoch + 1)
        h = {"epoch": epoch + 1, "loss": sums["loss"] / sums["seen"],
             "accuracy": sums["correct"] / sums["seen"], "lr": optimizer.lr,
             "seconds": time.perf_counter() - t0}
        if validation_data is not None and len(validation_data[0]):
            h["val_loss"], h["val_accuracy"] = network.evaluate(*validation_data)
        history.append(h)
        start_step = 0
        if progress is not None:
            progress({"kind": "epoch", "epoch": epoch + 1, "epochs": epochs, "history": h})
        if checkpoint is not None and epoch + 1 < epochs:
            _save_checkpoint(checkpoint, network, optimizer, epoch + 1, 0, rng.bit_generator.state,
                             history, {"loss": 0.0, "correct": 0, "seen": 0, "seconds": 0.0},
                             fingerprint)
    optimizer.lr = lr0
    if checkpoint is not None:
        Path(checkpoint).unlink(missing_ok=True)
    return history


def _fingerprint(config: TrainConfig, n_train: int) -> str:
    d = config.to_dict()
    d.pop("out"), d.pop("logdir")
    return json.dumps({"config": d, "n_train": n_train}, sort_keys=True)


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
    n_val = int(round(len(x) * config.validation_split))
    x_tr, y_tr = x[:len(x) - n_val], y[:len(y) - n_val]
    val = (x[len(x) - n_val:], y[len(y) - n_val:]) if n_val else None
    rng = np.random.default_rng(config.seed)
    net = Network.from_spec(config.spec(), np.random.default_rng([config.seed, 1]))
    opt = make_optimizer(config.optimizer, config.lr, config.momentum, config.clip_norm,
                         config.weight_decay, config.nesterov)
    t0 = time.perf_counter()
    history = fit(net, x_tr, y_tr, opt, epochs=config.epochs, batch_size=config.batch_size,
                  rng=rng, validation_data=val, lr_decay=config.lr_decay, progress=progress,
                  checkpoint=checkpoint, checkpoint_every=checkpoint_every,
                  fingerprint=_fingerprint(config, len(x_tr)), blowup=BLOWUP,
                  augment=_augment(config))
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
