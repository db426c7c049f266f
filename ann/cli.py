"""``neurosim`` subcommands implemented by ``ann``: ``data`` and ``train``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["register", "load_and_summarize", "format_summary", "config_from_args", "run_train",
           "progress_printer"]


def register(subparsers) -> None:
    """Add ``ann``'s subcommands to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "data", help="fetch and verify MNIST; print where it is and the class counts",
        description="Find MNIST in the cache (or --dir), fetch what is missing, verify every "
                    "file by SHA-256, and print where it is and the per-class counts.")
    p.add_argument("--dir", type=Path, default=None, metavar="DIR",
                   help="a folder holding the IDX files (raw or .gz) or a Keras mnist.npz")
    p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help="cache folder (default: $NEUROSIM_DATA or ~/.cache/neurosim/mnist)")
    p.add_argument("--offline", action="store_true", help="never download; use the cache or --dir")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run_data)
    _register_train(subparsers)


def load_and_summarize(directory=None, cache_dir=None, download=True):
    """Fetch/verify MNIST; return ``(mnist, summary)`` where the summary gives the cache
    folder, files, shapes and per-class counts."""
    import numpy as np

    from .data import MNIST_FILES, default_cache_dir, load_mnist

    if directory is not None and not Path(directory).is_dir():
        raise ValueError(f"--dir {directory}: no such directory")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    m = load_mnist(directory, cache_dir=cache, download=download)
    summary = {
        "cache_dir": str(cache.resolve()),
        "files": {name: {"path": str((cache / name).resolve()), "sha256": digest,
                         "verified": True} for name, digest in MNIST_FILES.items()},
        "train": {"images": list(m.x_train.shape),
                  "counts": np.bincount(m.y_train, minlength=10).tolist()},
        "test": {"images": list(m.x_test.shape),
                 "counts": np.bincount(m.y_test, minlength=10).tolist()},
    }
    return m, summary


def format_summary(s: dict) -> str:
    """Human-readable form of the summary from :func:`load_and_summarize`."""
    lines = [f"MNIST in {s['cache_dir']} (4 files, SHA-256 verified)",
             "class  " + " ".join(f"{c:>5d}" for c in range(10)) + "    total"]
    for split in ("train", "test"):
        counts = s[split]["counts"]
        lines.append(f"{split:<6} " + " ".join(f"{c:>5d}" for c in counts)
                     + f"  {sum(counts):>7d}")
    return "\n".join(lines)


def run_data(args) -> int:
    _, s = load_and_summarize(args.dir, args.cache_dir, download=not args.offline)
    print(json.dumps(s) if args.json else format_summary(s))
    return 0


# --- neurosim train ------------------------------------------------------------------------

def _register_train(subparsers) -> None:
    from .config import MODELS, OPTIMIZERS

    p = subparsers.add_parser(
        "train", help="train a perceptron, MLP, LeNet-5 or CNN on MNIST (NumPy or Keras)",
        description="Train a network on the 60 000 MNIST training images (a validation split "
                    "held out), report accuracy on the full 10 000-image test set and save "
                    "the model. Options left out take the model's defaults "
                    "(see ann.config.MODEL_DEFAULTS), which give good models.")
    p.add_argument("model", choices=MODELS, help="architecture")
    p.add_argument("--epochs", type=int, default=None, help="passes over the training set")
    p.add_argument("--batch-size", type=int, default=None, help="samples per mini-batch")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=None)
    p.add_argument("--lr", type=float, default=None, help="learning rate")
    p.add_argument("--momentum", type=float, default=None,
                   help="alpha of momentum (v = alpha v - lr g), rho of RMSProp, beta1 of Adam "
                        "(default 0.9)")
    p.add_argument("--nesterov", action="store_true", default=None,
                   help="momentum optimizer: Nesterov's look-ahead step (as Keras's)")
    p.add_argument("--clip-norm", type=float, default=None,
                   help="clip gradients to this global L2 norm")
    p.add_argument("--dropout", type=float, default=None, help="dropout rate (0 for none)")
    p.add_argument("--batch-norm", action=argparse.BooleanOptionalAction, default=None,
                   help="BatchNorm before each hidden activation")
    p.add_argument("--lr-decay", type=float, default=None,
                   help="multiply the learning rate by this after every epoch")
    p.add_argument("--weight-decay", type=float, default=None, help="decoupled weight decay")
    p.add_argument("--validation-split", type=float, default=None,
                   help="fraction of training images held out (default 0.1)")
    p.add_argument("--seed", type=int, default=None, help="seed for weights, shuffling, dropout")
    p.add_argument("--out", type=Path, default=None, metavar="PATH",
                   help="save the trained model here (.npz; default: do not save)")
    p.add_argument("--checkpoint", type=Path, default=None, metavar="PATH",
                   help="NumPy backend: write a checkpoint here every few hundred steps and "
                        "resume from it if it exists")
    p.add_argument("--logdir", type=Path, default=None, metavar="DIR",
                   help="Keras backend: TensorBoard logs")
    p.add_argument("--backend", choices=("numpy", "keras"), default="numpy")
    p.add_argument("--threads", type=int, default=1,
                   help="OpenBLAS threads for the NumPy backend (default 1: fastest for "
                        "mini-batches on a small or shared machine; see ann.blas)")
    p.add_argument("--offline", action="store_true", help="never download MNIST")
    p.add_argument("--json", action="store_true", help="last line: one JSON object")
    p.set_defaults(run=run_train)


def config_from_args(args):
    """The :class:`ann.config.TrainConfig` for parsed ``neurosim train`` arguments."""
    from .config import TrainConfig

    return TrainConfig.for_model(
        args.model, epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
        lr=args.lr, momentum=args.momentum, nesterov=args.nesterov, clip_norm=args.clip_norm,
        dropout=args.dropout,
        batch_norm=args.batch_norm, lr_decay=args.lr_decay, weight_decay=args.weight_decay,
        validation_split=args.validation_split, seed=args.seed, out=args.out,
        logdir=args.logdir)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def progress_printer(stream):
    """A training progress callback printing to ``stream``.

    On a terminal: a batch line refreshed in place with ``\\r`` (at most twice a second), then
    one line per epoch. Elsewhere (``make demo > log``, a pipe): only the line per epoch, as
    Keras does, so a log file gets no run of ``\\r`` updates.
    """
    import time

    state = {"t0": time.perf_counter(), "last": 0.0}
    live = _isatty(stream)
    cr = "\r" if live else ""

    def progress(event: dict) -> None:
        now = time.perf_counter()
        if event["kind"] == "batch":
            if not live:
                return
            if now - state["last"] < 0.5 and event["step"] != event["steps"]:
                return
            state["last"] = now
            print(f"\repoch {event['epoch']}/{event['epochs']}  "
                  f"{event['step']:>5d}/{event['steps']}  loss {event['loss']:.4f}",
                  end="", file=stream, flush=True)
        elif event["kind"] == "epoch":
            h = event["history"]
            val = (f"  val_loss {h['val_loss']:.4f}  val_acc {h['val_accuracy']:.4f}"
                   if "val_loss" in h else "")
            print(f"{cr}epoch {event['epoch']}/{event['epochs']}  loss {h['loss']:.4f}  "
                  f"acc {h['accuracy']:.4f}{val}  ({h['seconds']:.1f} s)",
                  file=stream, flush=True)

    return progress


def run_train(args) -> int:
    import sys

    config = config_from_args(args)
    if args.backend == "numpy":
        from .blas import set_blas_threads

        set_blas_threads(args.threads)
    if args.backend == "keras":
        try:
            from .keras_train import train_keras
        except ModuleNotFoundError as e:
            if e.name not in ("ann.keras_train", "tensorflow", "keras"):
                raise
            raise ValueError(
                f"--backend keras is not available here ({e.name} is missing)") from None
        if args.checkpoint is not None:
            raise ValueError("--checkpoint works with the NumPy backend only")
        from .data import load_mnist

        mnist = load_mnist(download=not args.offline)
        stream = sys.stderr if args.json else sys.stdout
        result = train_keras(config, mnist, progress=progress_printer(stream))
    else:
        from .data import load_mnist
        from .training import train_numpy

        mnist = load_mnist(download=not args.offline)
        stream = sys.stderr if args.json else sys.stdout
        result = train_numpy(config, mnist, progress=progress_printer(stream),
                             checkpoint=args.checkpoint)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{config.model} ({args.backend}): test accuracy {result['test_accuracy']:.4f} on "
              f"10 000 images, {result['epochs']} epochs in {result['train_seconds']:.1f} s"
              + (f"; saved to {result['model_path']}" if result.get("model_path") else ""))
    return 0
