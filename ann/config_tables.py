"""The plain-text tables ``neurosim train --help`` shows: each model's defaults
(:func:`defaults_table`) and its architecture, written from its spec (:func:`architecture`,
:func:`architectures_table`). Importable from :mod:`ann.config` too."""

from __future__ import annotations

from .config import MODELS, TrainConfig
from .spec import ModelSpec

__all__ = ["defaults_table", "architecture", "architectures_table"]


#: the columns of :func:`defaults_table`: (TrainConfig field, heading)
_TABLE_COLUMNS = (("epochs", "epochs"), ("batch_size", "batch"), ("optimizer", "optimizer"),
                  ("lr", "lr"), ("lr_decay", "lr-decay"), ("dropout", "dropout"),
                  ("batch_norm", "batch-norm"), ("pool", "pool"), ("shift", "shift"),
                  ("label_smoothing", "smooth"), ("validation_split", "val"))


def defaults_table() -> str:
    """Each model's defaults (:data:`MODEL_DEFAULTS` over :class:`TrainConfig`'s own) as a
    plain-text table, one row per model (``neurosim train --help`` shows it)."""
    rows = [[head for _, head in _TABLE_COLUMNS]]
    for model in MODELS:
        c = TrainConfig.for_model(model)
        cells = []
        for name, _ in _TABLE_COLUMNS:
            v = getattr(c, name)
            if name == "pool" and model in ("perceptron", "mlp", "resnet"):
                v = "-"
            cells.append("yes" if v is True else "no" if v is False else f"{v:g}"
                         if isinstance(v, float) else str(v))
        rows.append(cells)
    names = ["model"] + list(MODELS)
    width = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return "\n".join(f"  {name:<11}" + "  ".join(cell.rjust(w) for cell, w in zip(r, width))
                     for name, r in zip(names, rows))


def _x(shape) -> str:
    return "x".join(str(d) for d in shape)


def architecture(spec: ModelSpec) -> str:
    """A one-line description of ``spec`` with the size after each stage, written from the spec
    itself: ``28x28x1 -> Conv 6@5x5 relu (28x28x6) -> MaxPool 2x2 (14x14x6) -> … -> Dense 10
    softmax``. A weight layer's BatchNorm and Activation are folded into it (``+BN relu``)."""
    from .spec import output_shapes

    parts: list[str] = []
    for k, (lay, shape) in enumerate(zip(spec.layers, output_shapes(spec))):
        t, p = lay.type, lay.params
        src = spec.sources[k]
        if not spec.is_chain and (t in ("Add", "Concatenate") or src != (k - 1,)):
            names = ", ".join("input" if j < 0 else spec.layers[j].name or str(j) for j in src)
            if t in ("Add", "Concatenate"):      # a merge names what it joins
                parts.append(f"{t}({names})")
                continue
            parts.append(f"[from {names}]")      # a branch starts from a value named here
        act = p.get("activation")
        act = "" if act in (None, "linear") else f" {act}"
        if t == "Dense":
            parts.append(f"Dense {p['units']}{act}")
        elif t == "Conv2D":
            k = p["kernel_size"]
            parts.append(f"Conv {p['filters']}@{k}x{k}{act} ({_x(shape)})")
        elif t in ("MaxPool2D", "AvgPool2D"):
            k = p["pool_size"]
            parts.append(f"{t[:-2]} {k}x{k} ({_x(shape)})")
        elif t == "Flatten":
            parts.append(f"Flatten ({shape[0]})")
        elif t == "Dropout":
            parts.append(f"Dropout {p['rate']:g}")
        elif t == "BatchNorm" and parts:
            parts[-1] = parts[-1].replace(" (", "+BN (", 1) if " (" in parts[-1] \
                else parts[-1] + "+BN"
        elif t == "Activation" and parts:
            last, paren, rest = parts[-1].partition(" (")
            parts[-1] = f"{last}{act}{paren}{rest}"
        else:
            parts.append(t)
    return " -> ".join([_x(spec.input_shape), *parts])


_NBSP = "\u00a0"   # keeps one stage on one line when wrapped (textwrap never breaks at it)


def architectures_table(width: int = 88) -> str:
    """One entry per model: :func:`architecture` of its default config's spec, wrapped to
    ``width`` columns (``neurosim train --help`` shows it under the defaults table)."""
    import textwrap

    rows = []
    for m in MODELS:
        stages = [st.replace(" ", _NBSP) for st in
                  architecture(TrainConfig.for_model(m).spec()).split(" -> ")]
        rows.append(textwrap.fill(" -> ".join(stages), width, initial_indent=f"  {m:<11}",
                                  subsequent_indent=" " * 13, break_on_hyphens=False))
    return "\n".join(rows).replace(_NBSP, " ")
