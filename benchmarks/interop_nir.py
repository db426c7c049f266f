"""NIR both ways with the real clients (issue #20), outside CI.

    .venv/bin/python benchmarks/interop_nir.py [--n 500] [--T 32] [--models DIR] [--fixtures]
                                               [--reset zero|subtract] [--v-init F]

1. Installs the clients on demand into ``.venv-interop/`` (git-ignored; torch comes from PyPI,
   several GB with its CUDA libraries, so it stays out of the project's ``.venv``):
   ``python3 -m venv .venv-interop && .venv-interop/bin/pip install torch norse snntorch nirtorch
   nir==<the project's version>``. A second run finds them and installs nothing.
2. Exports neurosim's conversions of an average-pooling LeNet and an MLP (``neurosim train lenet
   --pool avg --epochs 1`` and ``neurosim train mlp --epochs 1``, trained here if missing; reset
   to zero, V0 = 0, potential readout, T steps) in norse's and snnTorch's node forms
   (:mod:`bridge.nir_export`), runs them in norse (``from_nir``) and snnTorch
   (``import_from_nir``) image by image, and compares per image with neurosim's simulator:
   predictions, and spike counts per layer (float32 and float64 simulator).
3. With ``--fixtures``: builds an MLP and a small CNN with each client's own classes (seeded random
   weights), exports them with the client's exporter, runs the exported graph in that client
   (its importer) on a fixed random input, and writes graph + inputs + outputs + versions to
   ``tests/bridge/fixtures/nir/``.

The client side of this script runs in ``.venv-interop`` (``--client-side DIR``) and talks to
the project side through ``.npz`` files only. torch uses one thread unless ``--threads``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-interop"
PACKAGES = ["torch", "norse", "snntorch", "nirtorch"]
FIXTURES = ROOT / "tests" / "bridge" / "fixtures" / "nir"


# ----------------------------------------------------------------- client side (.venv-interop)
def _client_side(work: Path, threads: int) -> None:
    import nir
    import torch

    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)
    job = json.loads((work / "job.json").read_text())
    for item in job["exports"]:
        data = np.load(work / item["images"])
        x_all, T = data["x"], int(job["T"])
        graph = nir.read(work / item["graph"])
        t0 = time.perf_counter()
        counts, readout = _run_client(item["client"], graph, x_all, T, item["neurons"])
        np.savez(work / item["result"], readout=readout, seconds=time.perf_counter() - t0,
                 **{f"count_{k}": c for k, c in counts.items()})
    if job.get("fixtures"):
        from interop_nir_fixtures import make_fixtures  # noqa: E402 (same folder)

        make_fixtures(Path(job["fixtures"]), threads)


def _run_client(client, graph, x_all, T, neurons):
    """Per image: spike counts of each neuron node and the output layer's potential."""
    import torch

    counts = {n: [] for n in neurons[:-1]}
    readout = []
    if client == "norse":
        import norse.torch as nt

        model = nt.from_nir(graph)
        for x in x_all:
            xt, state = torch.from_numpy(x), None
            c = {n: 0 for n in counts}
            for _ in range(T):
                _, state = model(xt, state)
                for n in c:
                    c[n] = c[n] + state.cache[n]
            for n in c:
                counts[n].append(c[n].numpy())
            readout.append(state.state[neurons[-1]][0].v.numpy().copy())
    else:
        import snntorch.import_nir as sin

        model = sin.import_from_nir(graph)
        mods = dict(model.named_modules())
        spk = {}
        for n in counts:
            mods[n].register_forward_hook(lambda m, i, o, n=n: spk.__setitem__(n, spk[n] + o))
        for x in x_all:
            for m in mods.values():
                if hasattr(m, "reset_mem"):
                    m.reset_mem()
            xt = torch.from_numpy(x)
            for n in counts:
                spk[n] = 0
            for _ in range(T):
                model(xt)
            for n in counts:
                counts[n].append(spk[n].numpy())
            readout.append(mods[neurons[-1]].mem.numpy().copy())
    return {n: np.stack(v) for n, v in counts.items()}, np.stack(readout)


# ------------------------------------------------------------------ project side (.venv)
def ensure_venv() -> Path:
    """The interop venv's python, creating the venv and installing the clients if missing."""
    import nir  # the project's version, pinned in the client venv too

    py = VENV / "bin" / "python"
    version = getattr(nir, "__version__", None) or _dist_version("nir")
    probe = "import torch, norse, snntorch, nirtorch, nir; print(nir.__version__)"
    if py.exists():
        r = subprocess.run([py, "-c", probe], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip() == version:
            return py
    if not py.exists():
        subprocess.run([getattr(sys, "_base_executable", "python3"), "-m", "venv", str(VENV)],
                       check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", *PACKAGES, f"nir=={version}",
                    "numpy>=2,<2.4"], check=True)
    return py


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _train(models: Path) -> dict:
    paths = {"lenet_avg": models / "lenet_avg.npz", "mlp": models / "mlp.npz"}
    cmds = {"lenet_avg": ["lenet", "--pool", "avg"], "mlp": ["mlp"]}
    for key, path in paths.items():
        if not path.exists():
            subprocess.run([str(ROOT / ".venv" / "bin" / "neurosim"), "train", *cmds[key],
                            "--epochs", "1", "--seed", "0", "--offline", "--out", str(path)],
                           check=True, stdout=subprocess.DEVNULL)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500, help="test images (default 500)")
    ap.add_argument("--T", type=int, default=32, help="time steps (default 32)")
    ap.add_argument("--models", type=Path, default=ROOT / "out" / "interop_nir")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--fixtures", action="store_true", help="also (re)write the test fixtures")
    ap.add_argument("--reset", default="zero", choices=("zero", "subtract"),
                    help="conversion's reset (default zero; subtract has no NIR form: measures "
                         "what the clients then compute)")
    ap.add_argument("--v-init", type=float, default=0.0, help="conversion's V0/θ (default 0)")
    ap.add_argument("--client-side", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.client_side:
        sys.path.insert(0, str(Path(__file__).parent))
        _client_side(args.client_side, args.threads)
        return 0
    sys.path.insert(0, str(ROOT))
    from ann.data import load_mnist
    from ann.training import prepare_images
    from bridge.convert import convert
    from bridge.evaluate import load_trained
    from bridge.nir_export import write_nir
    from bridge.simulate import spike_counts

    py = ensure_venv()
    args.models.mkdir(parents=True, exist_ok=True)
    work = args.models / f"work_{args.reset}_{args.v_init:g}"
    work.mkdir(exist_ok=True)
    mnist = load_mnist(download=False)
    x_test = prepare_images(mnist.x_test[:args.n])
    x_norm = prepare_images(mnist.x_train[:10000])
    exports, ours = [], {}
    for key, path in _train(args.models).items():
        snn = convert(load_trained(path), x_norm, reset=args.reset, signed=False,
                      v_init=args.v_init, readout="potential")
        x = x_test.reshape((len(x_test),) + tuple(snn.input_shape))
        chw = x.transpose(0, 3, 1, 2) if x.ndim == 4 else x
        np.savez(work / f"{key}_images.npz", x=np.ascontiguousarray(chw, np.float32))
        ours[key] = {dt: spike_counts(snn, x, args.T, dtype=dt) for dt in (np.float32, np.float64)}
        ours[key]["readout"] = _readout(snn, x, args.T)
        syn = [i for i, op in enumerate(snn.ops) if hasattr(op, "W")]
        neurons = [f"{i}_neurons" for i in syn]
        for client in ("norse", "snntorch"):
            g = write_nir(snn, work / f"{key}_{client}.nir", client=client)
            exports.append({"model": key, "client": client, "graph": g.name,
                            "images": f"{key}_images.npz", "neurons": neurons,
                            "result": f"{key}_{client}_out.npz"})
    job = {"T": args.T, "exports": exports,
           "fixtures": str(FIXTURES) if args.fixtures else None}
    (work / "job.json").write_text(json.dumps(job))
    subprocess.run([str(py), __file__, "--client-side", str(work), "--threads",
                    str(args.threads)], check=True, stdout=sys.stderr)  # clients print
    rows = [_compare(e, ours[e["model"]], work, mnist.y_test[:args.n]) for e in exports]
    print(json.dumps(rows, indent=1))
    return 0


def _readout(snn, x, T):
    """neurosim's output potential after T steps (float32), for each image."""
    from bridge.plan import Plan
    from bridge.step_loop import run_batch

    plan = Plan(snn, np.float32)
    last = {}
    run_batch(plan, x, T, "constant", None, False, lambda t, r: last.__setitem__("r", r.copy()))
    return last["r"]


def _compare(e, ours, work, y) -> dict:
    theirs = np.load(work / e["result"])
    pred_ours = ours["readout"].argmax(1)
    pred_theirs = theirs["readout"].reshape(len(pred_ours), -1).argmax(1)
    row = {"model": e["model"], "client": e["client"], "images": int(len(pred_ours)),
           "predictions_equal": float(np.mean(pred_ours == pred_theirs)),
           "accuracy_neurosim": float(np.mean(pred_ours == y)),
           "accuracy_client": float(np.mean(pred_theirs == y)),
           "client_seconds": float(theirs["seconds"]),
           "readout_max_abs_diff": float(np.abs(ours["readout"] - theirs["readout"].reshape(
               ours["readout"].shape)).max())}
    for prec in (np.float32, np.float64):
        layers = []
        for k, n in enumerate(e["neurons"][:-1]):
            a = ours[prec][k]
            a = a.transpose(0, 3, 1, 2) if a.ndim == 4 else a
            b = theirs[f"count_{n}"].reshape(a.shape)
            layers.append({"layer": n, "spikes_neurosim": int(a.sum()),
                           "spikes_client": int(b.sum()),
                           "neurons_differing": int(np.count_nonzero(a != b)),
                           "images_all_equal": float(np.mean(
                               (a != b).reshape(len(a), -1).sum(1) == 0))})
        row[f"layers_vs_{np.dtype(prec).name}"] = layers
    return row


if __name__ == "__main__":
    sys.exit(main())
