"""``neurosim tf-lecture``: run the lecture's TensorFlow examples (:mod:`ann.tf_lecture`) and
print what each gives. TensorFlow is imported only when the command runs."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["register", "run_tf_lecture"]


def register(subparsers) -> None:
    """Add ``tf-lecture`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "tf-lecture", help="run the lecture's TensorFlow examples in TensorFlow 2 style",
        description="Constants (3.0 + 4.0), placeholders as tf.function arguments, the "
                    "Dense(1) linear fit by gradient descent, the graphs for TensorBoard, and "
                    "the Keras MNIST MLP (see docs/tensorflow.md).")
    p.add_argument("--steps", type=int, default=100, help="gradient-descent steps of the fit")
    p.add_argument("--lr", type=float, default=0.01, help="learning rate of the fit")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    p.add_argument("--logdir", type=Path, default=None, metavar="DIR",
                   help="write the graphs here for TensorBoard")
    p.add_argument("--mlp-epochs", type=int, default=5,
                   help="epochs of the Keras MNIST MLP (0: skip it)")
    p.add_argument("--offline", action="store_true", help="never download MNIST")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run_tf_lecture)


def run_tf_lecture(args) -> int:
    if isinstance(args.mlp_epochs, bool) or args.mlp_epochs < 0:
        raise ValueError(f"--mlp-epochs must be >= 0, got {args.mlp_epochs}")
    from . import tf_lecture as T

    fit = T.linear_fit(steps=args.steps, lr=args.lr, seed=args.seed)
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

        m = load_mnist(download=not args.offline)
        r = T.train_lecture_mlp(m.x_train, m.y_train, m.x_test, m.y_test,
                                epochs=args.mlp_epochs, seed=args.seed)
        out["mlp"] = {"epochs": args.mlp_epochs, "test_accuracy": r["test_accuracy"],
                      "test_loss": r["test_loss"], "history": r["history"]}
    if args.json:
        print(json.dumps(out))
        return 0
    f = out["linear_fit"]
    print(f"constants      3.0 + 4.0 = {out['constants']}")
    print(f"placeholders   a + b = {out['adder_scalars']} (3, 4.5); {out['adder_vectors']} "
          f"([1, 3], [2, 4]); (a + b) * 3 = {out['add_and_triple']}; "
          f"{out['adder_graphs_traced']} graph traced")
    print(f"linear fit     {f['steps']} steps of gradient descent at lr {f['lr']}: loss "
          f"{f['first_loss']:.4f} -> {f['final_loss']:.4f}; y = {f['w']:.3f} x + {f['b']:.3f} "
          f"(exact: y = -x + 1)")
    for p in out.get("graph_files", []):
        print(f"graph          {p}")
    if "mlp" in out:
        print(f"Keras MLP      {out['mlp']['epochs']} epochs: test accuracy "
              f"{out['mlp']['test_accuracy']:.4f} on 10 000 images")
    if args.logdir is not None:
        print(f"view the graphs: tensorboard --logdir {args.logdir}")
    return 0
