"""``neurosim tf-lecture``: run the lecture's TensorFlow examples (:mod:`ann.tf_lecture`) and
print what each gives. TensorFlow is imported only when the command runs.

Checks before any work: ``--steps``, ``--lr``, ``--mlp-epochs`` and the ``--logdir`` folder
(:mod:`common.paths`); with ``--mlp-epochs 0`` the MLP's options (``--n-train``, ``--n-test``,
``--offline``) are refused, as ``train`` refuses options that would change nothing. Progress
goes to stderr: one line per phase and per MLP epoch, and on a terminal a live batch line
(:mod:`ann.progress`). A fit whose loss diverges ends with one line
naming ``--lr`` (exit 2). With ``--seed`` the Keras MLP is repeatable on one machine
(:mod:`ann.keras_seed`).
"""

from __future__ import annotations

import sys
from pathlib import Path


__all__ = ["register", "run_tf_lecture"]


def register(subparsers) -> None:
    """Add ``tf-lecture`` to the ``neurosim`` parser."""
    from common.cli_types import count_at_most, positive_number

    from .train_cli import N_TEST, N_TRAIN

    p = subparsers.add_parser(
        "tf-lecture", help="run the lecture's TensorFlow examples in TensorFlow 2 style",
        description="Constants (3.0 + 4.0), placeholders as tf.function arguments, the "
                    "Dense(1) linear fit by gradient descent, the graphs for TensorBoard, and "
                    "the Keras MNIST MLP (see docs/tensorflow.md).")
    p.add_argument("--steps", type=count_at_most(10 ** 9, "step limit"), default=100,
                   help="gradient-descent steps of the linear fit (default %(default)s)")
    p.add_argument("--lr", type=positive_number, default=0.01,
                   help="learning rate of the linear fit (default %(default)s; above about "
                        "0.12 gradient descent diverges and the run stops, exit 2)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the initial weights, dropout and shuffling; TensorFlow's "
                        "deterministic ops are enabled, so the same machine gives the same "
                        "result (default %(default)s)")
    p.add_argument("--logdir", type=Path, default=None, metavar="DIR",
                   help="write the graphs here for TensorBoard (default: none)")
    p.add_argument("--mlp-epochs", type=int, default=5,
                   help="epochs of the Keras MNIST MLP, 0 to skip it (default %(default)s)")
    p.add_argument("--n-train", type=count_at_most(N_TRAIN, "MNIST training set"),
                   default=None, metavar="N", help="train the MLP on the first N training images "
                                     "(default: all 60000)")
    p.add_argument("--n-test", type=count_at_most(N_TEST, "MNIST test set"),
                   default=None, metavar="N",
                   help="evaluate it on the first N test images (default: all 10000)")
    p.add_argument("--offline", action="store_true",
                   help="never download MNIST (default: download what is missing)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (default: text)")
    p.set_defaults(run=run_tf_lecture)


def _results(args, progress) -> dict:
    import math

    from . import tf_lecture as T
    from .training import TrainingDiverged

    try:
        fit = T.linear_fit(steps=args.steps, lr=args.lr, seed=args.seed)
    except TrainingDiverged as e:
        where = (f"loss {e.loss} at step {e.step}" if not math.isfinite(e.loss) else
                 f"loss {e.loss:.3g} at step {e.step}, from {e.first_loss:.3g} at the first")
        raise ValueError(f"--lr {args.lr:g}: the linear fit diverged ({where}); "
                         f"try a smaller --lr (gradient descent here needs lr < 0.12)") from None
    out = {
        "constants": T.constants(),
        "adder_scalars": float(T.adder(3, 4.5)),
        "adder_vectors": T.adder([1, 3], [2, 4]).tolist(),
        "add_and_triple": float(T.add_and_triple(3, 4.5)),
        "adder_graphs_traced": T.adder_tracing_count(),
        "linear_fit": {"steps": args.steps, "lr": args.lr, "first_loss": float(fit["losses"][0]),
                       "final_loss": fit["final_loss"], "w": fit["w"], "b": fit["b"],
                       "predictions": fit["predictions"].tolist()},
    }
    if args.logdir is not None:
        out["graph_files"] = [str(p) for p in T.write_graphs(args.logdir)]
    if args.mlp_epochs:
        from .data import load_mnist
        from .progress import plural

        m = load_mnist(download=not args.offline)
        x, y = m.x_train[:args.n_train], m.y_train[:args.n_train]
        xt, yt = m.x_test[:args.n_test], m.y_test[:args.n_test]
        progress({"kind": "phase", "text": f"Keras MLP: {plural(args.mlp_epochs, 'epoch')} on "
                                           f"{len(x)} images"})
        try:
            r = T.train_lecture_mlp(x, y, xt, yt, epochs=args.mlp_epochs, seed=args.seed,
                                    progress=progress)
        except TrainingDiverged as e:  # Adam at the lecture's 1e-3: not seen, but never silent
            raise ValueError(f"{e}") from None
        out["mlp"] = {"epochs": args.mlp_epochs, "n_train": len(x), "n_test": len(xt),
                      "test_accuracy": r["test_accuracy"], "test_loss": r["test_loss"],
                      "history": r["history"]}
    return out


#: options that only the Keras MNIST MLP uses (``--mlp-epochs 0`` skips it)
_MLP_ONLY = {"n_train": "--n-train", "n_test": "--n-test", "offline": "--offline"}


def _refuse_mlp_options(args) -> None:
    """With ``--mlp-epochs 0`` there is no MLP: refuse its options (they would change nothing)."""
    given = [flag for name, flag in _MLP_ONLY.items() if getattr(args, name) not in (None, False)]
    if given:
        raise ValueError(f"{' and '.join(given)} {'apply' if len(given) > 1 else 'applies'} to "
                         "the Keras MNIST MLP only, which --mlp-epochs 0 skips; drop "
                         f"{'them' if len(given) > 1 else 'it'} or give --mlp-epochs 1 or more")


def run_tf_lecture(args) -> int:
    from common.paths import check_output_dir

    from .jsonout import dumps
    from .progress import plural, progress_printer

    if isinstance(args.mlp_epochs, bool) or args.mlp_epochs < 0:
        raise ValueError(f"--mlp-epochs must be >= 0, got {args.mlp_epochs}")
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    if args.mlp_epochs == 0:
        _refuse_mlp_options(args)
    if args.logdir is not None:
        check_output_dir(args.logdir, "--logdir")
    out = _results(args, progress_printer(sys.stderr))
    if args.json:
        print(dumps(out))
        return 0
    f = out["linear_fit"]
    print(f"constants      3.0 + 4.0 = {out['constants']}")
    print(f"placeholders   a + b = {out['adder_scalars']} (3, 4.5); {out['adder_vectors']} "
          f"([1, 3], [2, 4]); (a + b) * 3 = {out['add_and_triple']}; "
          f"{plural(out['adder_graphs_traced'], 'graph')} traced")
    print(f"linear fit     {f['steps']} steps of gradient descent at lr {f['lr']}: loss "
          f"{f['first_loss']:.4f} -> {f['final_loss']:.4f}; y = {f['w']:.3f} x + {f['b']:.3f} "
          f"(exact: y = -x + 1)")
    for p in out.get("graph_files", []):
        print(f"graph          {p}")
    if "mlp" in out:
        n_test = f"{out['mlp']['n_test']:,}".replace(",", " ")
        print(f"Keras MLP      {plural(out['mlp']['epochs'], 'epoch')}: test accuracy "
              f"{out['mlp']['test_accuracy']:.4f} on {n_test} images")
    if args.logdir is not None:
        print(f"view the graphs: tensorboard --logdir {args.logdir}")
    return 0
