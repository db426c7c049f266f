"""``neurosim train``: options, their checks (before any work), the run and its one-line report.

Every check that can fail is made before MNIST is loaded: values (named by the option the user
typed, ``--epochs`` not ``epochs``), options that would be ignored (``--momentum``, ``--rho`` or
``--beta1`` with another optimizer than theirs, ``--logdir`` with the NumPy backend,
``--threads`` or ``--checkpoint`` with Keras, ``--dropout``/``--batch-norm``/``--pool`` on a
model without those layers) and every output path (:mod:`common.paths`). A run whose loss
diverges ends with one line naming ``--lr`` (exit 2: the learning rate was a bad value) and
saves nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import fields
from pathlib import Path

from common.cli_types import count_at_most

__all__ = ["register_train", "config_from_args", "run_train", "N_TRAIN", "N_TEST"]

#: sizes of the MNIST training and test sets (the upper bounds of --n-train and --n-test)
N_TRAIN, N_TEST = 60000, 10000

_PER_MODEL = "(default: per model, see the table below)"



def register_train(subparsers) -> None:
    """Add ``train`` to the ``neurosim`` parser."""
    # long by design: a declarative argparse table, one add_argument per option
    from .config import MODELS, OPTIMIZERS, POOLS, architectures_table, defaults_table

    p = subparsers.add_parser(
        "train", help="train a perceptron, MLP, LeNet-5, CNN or ResNet on MNIST (NumPy or Keras)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train a network on the 60 000 MNIST training images (the last "
                    "--validation-split of them held out), report accuracy on the 10 000 test "
                    "images and save the model. Options left out take the model's defaults "
                    "(table below), which give good models.",
        epilog="defaults per model (every option left out):\n" + defaults_table() + "\n\n"
               "architectures with those defaults (input -> layers, size after each stage;\n"
               "--pool avg gives AvgPool, --batch-norm +BN, --dropout the Dropout rates):\n"
               + architectures_table() + "\n\n"
               "A loss that becomes NaN/Inf or grows 1000-fold stops the run: one line naming\n"
               "--lr, exit 2, nothing saved. --n-train N uses the first N training images (not\n"
               "stratified: MNIST's order is already mixed; every class is within 2 points of\n"
               "its share in the first 500, within 1.3 in the first 1000).\n\n"
               "examples:\n  neurosim train mlp --out mlp.npz\n"
               "  neurosim train lenet --pool avg --out avgpool.npz   # for convert --nir\n"
               "  neurosim train mlp --n-train 500 --n-test 100 --epochs 1   # a quick try")
    p.add_argument("model", choices=MODELS, help="architecture")
    p.add_argument("--epochs", type=int, default=None, help=f"passes over the training set "
                   f"{_PER_MODEL}")
    p.add_argument("--batch-size", type=int, default=None,
                   help=f"samples per mini-batch {_PER_MODEL}")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=None, help=_PER_MODEL)
    p.add_argument("--lr", type=float, default=None, help=f"learning rate {_PER_MODEL}")
    p.add_argument("--momentum", type=float, default=None,
                   help="--optimizer momentum: the momentum coefficient alpha "
                        "(v = alpha v - lr g) (default 0.9)")
    p.add_argument("--rho", type=float, default=None,
                   help="--optimizer rmsprop: the decay rate rho of the squared-gradient "
                        "average (default 0.9)")
    p.add_argument("--beta1", dest="beta_1", type=float, default=None,
                   help="--optimizer adam: the decay rate beta1 of the first moment "
                        "(default 0.9)")
    p.add_argument("--nesterov", action="store_true", default=None,
                   help="momentum optimizer: Nesterov's look-ahead step, as Keras's (default off)")
    p.add_argument("--clip-norm", type=float, default=None,
                   help="clip gradients to this global L2 norm (default: no clipping)")
    p.add_argument("--dropout", type=float, default=None,
                   help=f"dropout rate, 0 for none; not for perceptron {_PER_MODEL}")
    p.add_argument("--batch-norm", action=argparse.BooleanOptionalAction, default=None,
                   help=f"BatchNorm before each hidden activation; not for perceptron "
                        f"{_PER_MODEL}")
    p.add_argument("--pool", choices=POOLS, default=None,
                   help="lenet and cnn: max or average pooling; convert --nir and "
                        "--brian2-check need avg (default max)")
    p.add_argument("--shift", type=int, default=None, metavar="PIXELS",
                   help=f"augmentation: move each training image by up to PIXELS in y and x, "
                        f"0 for none {_PER_MODEL}")
    p.add_argument("--label-smoothing", type=float, default=None, metavar="EPS",
                   help=f"mix the one-hot targets with the uniform distribution: "
                        f"t = (1 - EPS) onehot + EPS/10, 0 for none {_PER_MODEL}")
    p.add_argument("--lr-decay", type=float, default=None,
                   help=f"multiply the learning rate by this after every epoch {_PER_MODEL}")
    p.add_argument("--weight-decay", type=float, default=None,
                   help="decoupled weight decay (default 0)")
    p.add_argument("--validation-split", type=float, default=None,
                   help=f"fraction of the training images held out, from the end "
                        f"{_PER_MODEL}")
    p.add_argument("--n-train", type=count_at_most(N_TRAIN, "MNIST training set"),
                   default=None, metavar="N",
                   help="use the first N training images (default: all 60000)")
    p.add_argument("--n-test", type=count_at_most(N_TEST, "MNIST test set"),
                   default=None, metavar="N",
                   help="evaluate on the first N test images (default: all 10000)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed for weights, shuffling and dropout; with --backend keras also "
                        "TensorFlow's deterministic ops, so the same machine gives the same "
                        "result (default 0)")
    p.add_argument("--out", type=Path, default=None, metavar="PATH",
                   help="save the trained model here (.npz; with --backend keras also .keras; "
                        "default: do not save)")
    p.add_argument("--checkpoint", type=Path, default=None, metavar="PATH",
                   help="NumPy backend: write a checkpoint here every 500 steps and resume "
                        "from it if it exists (default: none)")
    p.add_argument("--logdir", type=Path, default=None, metavar="DIR",
                   help="Keras backend: TensorBoard logs (default: none)")
    p.add_argument("--backend", choices=("numpy", "keras"), default="numpy",
                   help="default %(default)s")
    p.add_argument("--threads", type=int, default=None,
                   help="NumPy backend: OpenBLAS threads (default 1: fastest for mini-batches "
                        "on a small or shared machine; see ann.blas)")
    p.add_argument("--offline", action="store_true", help="never download MNIST")
    p.add_argument("--json", action="store_true", help="last line: one JSON object")
    p.set_defaults(run=run_train)


#: TrainConfig fields whose option is not ``--`` + the name with ``-`` for ``_``
_FLAG = {"beta_1": "--beta1"}

#: each optimizer's own option: (TrainConfig field, flag, what it is)
_OWN_OPTION = {"momentum": ("momentum", "--momentum", "the momentum coefficient alpha"),
               "rmsprop": ("rho", "--rho", "RMSProp's decay rate rho"),
               "adam": ("beta_1", "--beta1", "Adam's decay rate beta1")}


def _option_names(message: str) -> str:
    """``epochs must be ...`` → ``--epochs must be ...``: a config error names the option."""
    from .config import TrainConfig

    names = {f.name for f in fields(TrainConfig)}
    return re.sub(r"^([a-z_0-9]+)\b",
                  lambda m: _FLAG.get(m.group(1), "--" + m.group(1).replace("_", "-"))
                  if m.group(1) in names else m.group(1), message)


def config_from_args(args):
    """The :class:`ann.config.TrainConfig` for parsed ``neurosim train`` arguments; a bad value
    is a one-line ``ValueError`` naming the option."""
    from .config import TrainConfig

    try:
        return TrainConfig.for_model(
            args.model, epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
            lr=args.lr, momentum=args.momentum, rho=getattr(args, "rho", None),
            beta_1=getattr(args, "beta_1", None), nesterov=args.nesterov,
            clip_norm=args.clip_norm, dropout=args.dropout, batch_norm=args.batch_norm,
            lr_decay=args.lr_decay, weight_decay=args.weight_decay,
            validation_split=args.validation_split, seed=args.seed,
            pool=getattr(args, "pool", None), shift=getattr(args, "shift", None),
            label_smoothing=getattr(args, "label_smoothing", None), out=args.out,
            logdir=args.logdir)
    except ValueError as e:
        raise ValueError(_option_names(str(e))) from None


def _check_optimizer_options(args, config) -> None:
    """Refuse ``--momentum``, ``--rho`` or ``--beta1`` given for another optimizer than theirs,
    in one line naming the flag that does apply."""
    default = "" if args.optimizer else f" ({args.model}'s default)"
    for optimizer, (field, flag, _) in _OWN_OPTION.items():
        if getattr(args, field, None) is None or config.optimizer == optimizer:
            continue
        if config.optimizer == "sgd":
            hint = ("plain gradient descent has no velocity; use --optimizer momentum, rmsprop "
                    "or adam" if field == "momentum" else "plain gradient descent has no "
                    f"decay rate; use --optimizer {optimizer}")
        else:
            own = _OWN_OPTION[config.optimizer]
            hint = f"{flag} is for --optimizer {optimizer}; {own[2]} is {own[1]}"
        raise ValueError(f"{flag} does not apply to --optimizer {config.optimizer}{default}: "
                         f"{hint}")


def _check_options(args, config) -> None:
    """Refuse options that would be ignored, and unusable output paths, before any work."""
    from common.paths import check_output_dir, check_output_file

    _check_optimizer_options(args, config)
    if args.backend == "numpy":
        if args.logdir is not None:
            raise ValueError("--logdir writes TensorBoard logs with --backend keras only; the "
                             "NumPy backend prints one line per epoch (and --json the history)")
        if args.out is not None and args.out.suffix.lower() == ".keras":
            raise ValueError(f"--out {args.out}: the NumPy backend saves .npz; use --backend "
                             f"keras, or 'neurosim export MODEL.npz --keras {args.out}'")
    else:
        if args.checkpoint is not None:
            raise ValueError("--checkpoint works with the NumPy backend only")
        if args.threads is not None:
            raise ValueError("--threads sets the NumPy backend's OpenBLAS threads; Keras "
                             "chooses its own")
    if args.threads is not None and args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    if args.out is not None:
        check_output_file(args.out, "--out")
    if args.checkpoint is not None:
        check_output_file(args.checkpoint, "--checkpoint")
    if args.logdir is not None:
        check_output_dir(args.logdir, "--logdir")


def diverged_message(error, option: str, value: float, default_note: str = "",
                     clip: bool = True) -> str:
    """The one line for a :class:`~ann.training.TrainingDiverged`: ``--lr 100: training
    diverged (loss inf at epoch 1, step 37); try a smaller --lr``."""
    import math

    if error.step is None:
        where = f"weights NaN/Inf at the end of epoch {error.epoch}"
    elif not math.isfinite(error.loss):
        where = f"loss {error.loss} at epoch {error.epoch}, step {error.step}"
    else:
        where = (f"loss {error.loss:.3g} at epoch {error.epoch}, step {error.step}, from "
                 f"{error.first_loss:.3g} at the first step")
    return (f"{option} {value:g}{default_note}: training diverged ({where}); try a smaller "
            f"{option}" + (" or --clip-norm 1" if clip else ""))


def _subset(mnist, n_train, n_test):
    """The first ``n_train`` training and ``n_test`` test images (``None``: all) of ``mnist``,
    any ``(x_train, y_train, x_test, y_test)`` tuple."""
    from .data import Mnist

    x, y, xt, yt = mnist
    return Mnist(x[:n_train], y[:n_train], xt[:n_test], yt[:n_test])


def run_train(args) -> int:
    from .jsonout import dumps
    from .progress import plural, progress_printer
    from .training import TrainingDiverged

    config = config_from_args(args)
    _check_options(args, config)
    if args.backend == "keras":
        try:
            from .keras_train import train_keras
        except ModuleNotFoundError as e:
            if e.name not in ("ann.keras_train", "tensorflow", "keras"):
                raise
            raise ValueError(
                f"--backend keras is not available here ({e.name} is missing)") from None
    else:
        from .blas import set_blas_threads
        from .training import train_numpy

        set_blas_threads(args.threads or 1)
    from . import data

    mnist = _subset(data.load_mnist(download=not args.offline), args.n_train, args.n_test)
    stream = sys.stderr if args.json else sys.stdout
    try:
        if args.backend == "keras":
            result = train_keras(config, mnist, progress=progress_printer(stream))
        else:
            result = train_numpy(config, mnist, progress=progress_printer(stream),
                                 checkpoint=args.checkpoint)
    except TrainingDiverged as e:
        note = "" if args.lr is not None else f" ({args.model}'s default)"
        raise ValueError(diverged_message(e, "--lr", config.lr, note,
                                          clip=config.clip_norm is None)) from None
    result["n_train"], result["n_test"] = len(mnist.x_train), len(mnist.x_test)
    if args.json:
        print(dumps(result))
    else:
        n_test = f"{result['n_test']:,}".replace(",", " ")
        print(f"{config.model} ({args.backend}): test accuracy {result['test_accuracy']:.4f} on "
              f"{n_test} images, {plural(result['epochs'], 'epoch')} in "
              f"{result['train_seconds']:.1f} s"
              + (f"; saved to {result['model_path']}" if result.get("model_path") else ""))
    return 0
