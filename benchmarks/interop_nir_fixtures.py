"""Client side of ``benchmarks/interop_nir.py --fixtures`` (runs in ``.venv-interop``).

Each client builds an MLP and a small CNN from its own classes (seeded random weights), exports
them with its own exporter (norse ``to_nir``, snnTorch ``export_to_nir``), and runs the exported
graph with its own importer (norse ``from_nir`` at its default ``dt = 1e-3``; snnTorch
``import_from_nir``, whose ``dt = 1e-4`` is fixed) on a fixed random input sequence. Written to
``tests/bridge/fixtures/nir/``: ``NAME.nir`` and ``NAME.npz`` with ``inputs (T, B, ...)``,
``outputs (T, B, ...)`` (what the client's run of the graph returned at every step), ``dt``,
and ``versions`` (JSON); for norse also ``module_outputs``, the original module's outputs.

What the exporters need here: neuron parameters as arrays of the layer's shape (scalars make
``nir.write`` or nir's type inference fail) and a sample without a batch axis; inputs run one
sample at a time (their Flatten is ``start_dim=0``).
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import numpy as np


def _versions() -> str:
    return json.dumps({p: version(p) for p in ("torch", "norse", "snntorch", "nirtorch", "nir",
                                                "numpy")})


def _init(model, seed):
    import torch

    g = torch.Generator().manual_seed(seed)
    for p in model.parameters():
        if p.dim() > 1:
            p.data = torch.randn(p.shape, generator=g) * (2.0 / p.shape[1]) ** 0.5 * 1.5
        elif p.requires_grad:
            p.data = torch.rand(p.shape, generator=g) * 0.2


def _to_numpy_graph(graph):
    """norse's graphs hold torch tensors; nir.write wants numpy arrays."""
    import torch

    for node in graph.nodes.values():
        for k in getattr(node, "__dataclass_fields__", {}):
            v = getattr(node, k, None)
            if isinstance(v, torch.Tensor):
                setattr(node, k, v.detach().numpy())
    return graph


def _norse_models():
    import norse.torch as nt
    import torch

    def lif(shape, inv, th=0.3):
        return nt.LIFBoxCell(nt.LIFBoxParameters(
            tau_mem_inv=torch.full(shape, inv), v_th=torch.full(shape, th),
            v_leak=torch.zeros(shape), v_reset=torch.zeros(shape)))

    mlp = nt.SequentialState(torch.nn.Linear(20, 16), lif((16,), 0.2),
                             torch.nn.Linear(16, 10), lif((10,), 0.3))
    cnn = nt.SequentialState(torch.nn.Conv2d(1, 3, 3, stride=2), lif((3, 4, 4), 0.2),
                             torch.nn.Conv2d(3, 10, 4), lif((10, 1, 1), 0.3))  # norse exports no Flatten
    return {"norse_mlp": (mlp, (20,)), "norse_cnn": (cnn, (1, 10, 10))}


def _snntorch_models():
    import snntorch as snn
    import torch

    def leaky(shape, beta):
        return snn.Leaky(beta=torch.full(shape, beta), threshold=torch.full(shape, 1.0),
                         init_hidden=True, reset_mechanism="zero")

    mlp = torch.nn.Sequential(torch.nn.Linear(20, 16), leaky((16,), 0.9),
                              torch.nn.Linear(16, 10), leaky((10,), 0.8))
    cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), leaky((3, 8, 8), 0.9),
                              torch.nn.AvgPool2d(2), torch.nn.Flatten(0, -1),
                              torch.nn.Linear(48, 10), leaky((10,), 0.8))
    return {"snntorch_mlp": (mlp, (20,)), "snntorch_cnn": (cnn, (1, 10, 10))}


def _run(model, x, stateful):
    """Outputs (T, B, ...) of ``model`` over the inputs ``x (T, B, ...)``, one sample at a time."""
    import torch

    T, B = x.shape[:2]
    out = []
    for b in range(B):
        state, seq = None, []
        for m in model.modules():
            if hasattr(m, "reset_mem"):
                m.reset_mem()
        for t in range(T):
            xt = torch.from_numpy(x[t, b])
            if stateful:
                y, state = model(xt, state)
            else:
                y = model(xt)
            y = y[0] if isinstance(y, tuple) else y
            seq.append(y.detach().numpy().copy())
        out.append(np.stack(seq))
    return np.stack(out, axis=1)


def make_fixtures(folder: Path, threads: int = 1) -> None:
    import nir
    import norse.torch as nt
    import snntorch.export_nir as sen
    import snntorch.import_nir as sin
    import torch

    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20)
    T, B = 20, 4
    models = {**_norse_models(), **_snntorch_models()}
    for seed, (name, (model, shape)) in enumerate(sorted(models.items())):
        _init(model, seed)
        x = (rng.random((T, B) + shape) * 1.5).astype(np.float32)
        sample = torch.zeros(shape)
        if name.startswith("norse"):
            graph = _to_numpy_graph(nt.to_nir(model, sample))
            for node in graph.nodes.values():  # norse leaves Conv2d.input_shape unset
                if isinstance(node, nir.Conv2d) and node.input_shape is None:
                    node.input_shape = (10, 10) if node.weight.shape[1] == 1 else (4, 4)
            nir.write(folder / f"{name}.nir", graph)
            runner, stateful, dt = nt.from_nir(nir.read(folder / f"{name}.nir")), True, 1e-3
            extra = {"module_outputs": _run(model, x, True)}
        else:
            graph = sen.export_to_nir(model, sample)
            nir.write(folder / f"{name}.nir", graph)
            back = nir.read(folder / f"{name}.nir")
            patched = []
            for key, node in back.nodes.items():  # snnTorch 1.0 cannot read its own pooling
                if isinstance(node, nir.AvgPool2d) and np.ndim(node.kernel_size) == 0:
                    node.kernel_size = np.array([node.kernel_size] * 2)
                    node.stride = np.array([node.stride] * 2)
                    node.padding = np.broadcast_to(np.asarray(node.padding), (2,)).copy()
                    patched.append(key)
            runner, stateful, dt = sin.import_from_nir(back), False, 1e-4
            extra = {"patched_for_import": "AvgPool2d kernel_size/stride int -> [k, k] in "
                     + ", ".join(patched) if patched else ""}
        outputs = _run(runner, x, stateful)
        np.savez_compressed(folder / f"{name}.npz", inputs=x, outputs=outputs, dt=dt,
                            versions=_versions(), **extra)
