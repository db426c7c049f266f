"""``neurosim export``: a trained model from the NumPy format (``.npz``) to Keras (``.keras``)
and back, through the Keras twin (:func:`ann.keras_models.to_keras`,
:func:`ann.keras_models.load_keras_file`).

Weights cross unchanged (the spec's layouts are Keras's), so ``.npz → .keras → .npz`` gives
the same architecture and bit-identical weights. A ``.npz``'s metadata (accuracy, config) does
not travel into the ``.keras`` file; the ``.npz`` written from a ``.keras`` file records where it
came from (``metadata["exported_from"]``). TensorFlow is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["register", "run_export", "export_model"]


def register(subparsers) -> None:
    """Add ``export`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "export", help="convert a trained model between .npz (NumPy) and .keras (Keras)",
        description="Write a model saved by 'neurosim train' (.npz) as a Keras file, or a Keras "
                    "file (.keras) in the NumPy format, through the Keras twin: the same "
                    "architecture and the same weights, bit for bit.",
        epilog="examples: neurosim export mlp.npz --keras mlp.keras; "
               "neurosim export mlp.keras --npz mlp.npz")
    p.add_argument("model", type=Path, help="the model to read: .npz or .keras")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--keras", type=Path, metavar="OUT.keras",
                     help="write a Keras 3 file (from a .npz model)")
    out.add_argument("--npz", type=Path, metavar="OUT.npz",
                     help="write the NumPy format of ann.io (from a .keras model)")
    p.set_defaults(run=run_export)


def export_model(model: Path, out: Path) -> dict:
    """Read ``model`` (``.npz`` or ``.keras``) and write it as ``out`` (the other format).

    Returns ``{"model", "out", "layers", "params"}``. ``ValueError`` (one line) for a file of the
    wrong kind or a model the other side cannot represent.
    """
    from .io import read_model_file, save_model
    from .keras_models import load_keras_file, to_keras
    from .keras_train import save_keras_atomic

    src, dst = model.suffix.lower(), out.suffix.lower()
    if src == ".npz" and dst == ".keras":
        net, _ = read_model_file(model)
        save_keras_atomic(to_keras(net), out)
    elif src == ".keras" and dst == ".npz":
        net = load_keras_file(model)
        save_model(out, net, metadata={"exported_from": str(model)})
    else:
        raise ValueError(f"{model} -> {out}: export converts .npz to .keras or .keras to .npz")
    return {"model": str(model), "out": str(out), "layers": len(net.spec.layers),
            "params": net.count_params()}


def run_export(args) -> int:
    from common.paths import check_input_file, check_output_file

    check_input_file(args.model, "MODEL")
    if args.keras is not None:
        if args.model.suffix.lower() != ".npz":
            raise ValueError(f"--keras: {args.model} is not a .npz model (a .keras file is "
                             f"exported with --npz OUT.npz)")
        out = check_output_file(args.keras, "--keras", suffixes=(".keras",))
    else:
        if args.model.suffix.lower() != ".keras":
            raise ValueError(f"--npz: {args.model} is not a .keras model (a .npz file is "
                             f"exported with --keras OUT.keras)")
        out = check_output_file(args.npz, "--npz", suffixes=(".npz",))
    if out.resolve() == args.model.resolve():
        raise ValueError(f"{out}: the output would overwrite the model it is read from")
    r = export_model(args.model, out)
    params = f"{r['params']:,}".replace(",", " ")
    print(f"wrote {r['out']} ({r['layers']} layers, {params} parameters) from {r['model']}")
    return 0
