"""What the training loop (:func:`ann.training.fit`) does beside the lecture's SGD: the
divergence watch, resumable checkpoints, progress events, the running sums of an epoch, the
history. The behaviour is described in :mod:`ann.training`'s docstring.

A checkpoint holds the network, the optimizer state, the position (epoch, step), the shuffling
generator's state at the start of the epoch, the dropout generator's state, the history and the
epoch's running sums, and a fingerprint of the run; one with another fingerprint is refused.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from .config import TrainConfig
from .io import network_from_arrays, read_arrays, weights_to_arrays, write_arrays

__all__ = ["TrainingDiverged", "diverged", "divergence", "loss_diverged", "Bookkeeping",
           "run_fingerprint"]


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


def divergence(value: float, first: float | None) -> str:
    """What went wrong, for an error message: ``loss became nan`` or ``loss grew to 6e+07
    (from 2.4 at the first step)``."""
    if not math.isfinite(value):
        return f"loss became {value}"
    return f"loss grew to {value:.3g} (from {first:.3g} at the first step)"


def loss_diverged(value: float, first: float | None, epoch: int, step: int,
                  lr: float) -> TrainingDiverged:
    """The :class:`TrainingDiverged` for a loss ``value`` that :func:`diverged` refused at
    (1-based) ``epoch`` and ``step``, ``first`` the first step's loss (both backends)."""
    return TrainingDiverged(f"{divergence(value, first)} at epoch {epoch}, step {step} "
                            f"(lr {lr:g}); try a smaller learning rate or clip_norm",
                            loss=value, epoch=epoch, step=step, first_loss=first)


def run_fingerprint(config: TrainConfig, n_train: int) -> str:
    """The fingerprint of a :func:`ann.training.train_numpy` run: its config (without the
    output paths) and training-set size, as JSON."""
    d = config.to_dict()
    d.pop("out"), d.pop("logdir")
    return json.dumps({"config": d, "n_train": n_train}, sort_keys=True)


def _run_key(fingerprint):
    """A fingerprint in today's form: one written by :func:`_fingerprint` is read back through
    :meth:`TrainConfig.from_dict` (so a checkpoint written before ``rho``/``beta_1`` were
    options, with Adam's β₁ in ``momentum``, still resumes); any other is returned as it is."""
    try:
        d = json.loads(fingerprint)
        return run_fingerprint(TrainConfig.from_dict(d["config"]), d["n_train"])
    except (TypeError, ValueError, KeyError):
        return fingerprint


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
    if _run_key(meta.get("fingerprint")) != _run_key(fingerprint):
        raise ValueError(f"checkpoint {path} belongs to a different run (other model, data or "
                         f"options); remove it or choose another path")
    restored = network_from_arrays(path, arrays, meta)
    network.set_weights(restored.get_weights())
    opt = {k[4:]: v for k, v in arrays.items() if k.startswith("opt/")}
    optimizer.set_state(opt, network.parameters())
    network.rng.bit_generator.state = meta["dropout_rng_state"]
    return meta


def _zero_sums() -> dict:
    return {"loss": 0.0, "correct": 0, "seen": 0, "seconds": 0.0}


class Bookkeeping:
    """What :func:`fit` does beside the SGD loop: resuming from and writing checkpoints,
    progress events, the divergence watch (:func:`diverged`), the epoch's running sums (loss,
    correct, seen, seconds), validation and the history. See :func:`fit` for the arguments."""

    def __init__(self, network, optimizer, epochs, steps, progress, checkpoint,
                 checkpoint_every, fingerprint, blowup):
        self.network, self.optimizer, self.epochs, self.steps = network, optimizer, epochs, steps
        self.progress, self.checkpoint, self.every = progress, checkpoint, checkpoint_every
        self.fingerprint, self.blowup = fingerprint, blowup
        self.history: list[dict] = []
        self.sums = _zero_sums()
        self.first_loss: float | None = None

    def _emit(self, event: dict) -> None:
        if self.progress is not None:
            self.progress(event)

    def resume(self, rng) -> tuple[int, int]:
        """``(epoch, step)`` to start at: ``(0, 0)``, or where the checkpoint left off (the
        network, optimizer, history, sums and ``rng`` restored)."""
        if self.checkpoint is None or not Path(self.checkpoint).exists():
            return 0, 0
        meta = _load_checkpoint(self.checkpoint, self.network, self.optimizer, self.fingerprint)
        epoch, step = meta["position"]["epoch"], meta["position"]["step"]
        self.history, self.sums = meta["history"], meta["sums"]
        rng.bit_generator.state = meta["epoch_rng_state"]
        self._emit({"kind": "resume", "path": str(self.checkpoint), "epoch": epoch + 1,
                    "step": step})
        return epoch, step

    def start_epoch(self, epoch: int, rng_state, resumed: bool) -> None:
        """Remember the shuffling state (for checkpoints); new sums unless resuming mid-epoch."""
        self.epoch_rng_state = rng_state
        if not resumed:
            self.sums = _zero_sums()
        self.t0 = time.perf_counter() - self.sums["seconds"]

    def check_loss(self, epoch: int, step: int, value: float) -> None:
        """:class:`TrainingDiverged` if ``value`` is NaN/Inf or past ``blowup`` × the first."""
        if diverged(value, self.first_loss, self.blowup):
            raise loss_diverged(value, self.first_loss, epoch + 1, step + 1, self.optimizer.lr)
        if self.first_loss is None:
            self.first_loss = value

    def end_step(self, epoch: int, step: int, value: float, yb: np.ndarray) -> None:
        """Add the batch to the sums, report it, and write a checkpoint every ``every`` steps
        (not at the epoch's last step: :meth:`end_epoch` writes that one)."""
        sums = self.sums
        sums["loss"] += value * len(yb)
        sums["seen"] += len(yb)
        if yb.ndim == 1:
            sums["correct"] += int((self.network.last_output.argmax(axis=-1) == yb).sum())
        self._emit({"kind": "batch", "epoch": epoch + 1, "epochs": self.epochs,
                    "step": step + 1, "steps": self.steps, "loss": value})
        if self.checkpoint is not None and (step + 1) % self.every == 0 \
                and step + 1 < self.steps:
            sums["seconds"] = time.perf_counter() - self.t0
            _save_checkpoint(self.checkpoint, self.network, self.optimizer, epoch, step + 1,
                             self.epoch_rng_state, self.history, sums, self.fingerprint)

    def end_epoch(self, epoch: int, rng_state, validation_data) -> None:
        """Check the weights, validate, append the epoch to the history, report it, and write
        the checkpoint of the next epoch's start."""
        params = self.network.parameters()
        if not all(np.all(np.isfinite(p)) for p in params):
            raise TrainingDiverged(f"weights became NaN/Inf in epoch {epoch + 1} "
                                   f"(lr {self.optimizer.lr:g}); try a smaller learning rate",
                                   epoch=epoch + 1)
        sums = self.sums
        h = {"epoch": epoch + 1, "loss": sums["loss"] / sums["seen"],
             "accuracy": sums["correct"] / sums["seen"], "lr": self.optimizer.lr,
             "seconds": time.perf_counter() - self.t0}
        if validation_data is not None and len(validation_data[0]):
            h["val_loss"], h["val_accuracy"] = self.network.evaluate(*validation_data)
        self.history.append(h)
        self._emit({"kind": "epoch", "epoch": epoch + 1, "epochs": self.epochs, "history": h})
        if self.checkpoint is not None and epoch + 1 < self.epochs:
            _save_checkpoint(self.checkpoint, self.network, self.optimizer, epoch + 1, 0,
                             rng_state, self.history, _zero_sums(), self.fingerprint)

    def finish(self) -> None:
        """Remove the checkpoint: the run is complete."""
        if self.checkpoint is not None:
            Path(self.checkpoint).unlink(missing_ok=True)
