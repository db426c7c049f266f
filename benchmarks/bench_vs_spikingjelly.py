"""neurosim's conversion against SpikingJelly's, side by side: same weights, images and T.

Usage::

    .venv/bin/python benchmarks/bench_vs_spikingjelly.py [--n 10000] [--T 32] [--threads 2]
        [--models lenet=PATH resnet=PATH]

For each model (default: LeNet trained one epoch and the ResNet of ``neurosim train resnet``,
trained here if ``out/bench_vs_spikingjelly/`` does not hold them yet):

* **neurosim** — ``bridge.convert`` with its defaults (p99.9 per channel, subtract reset,
  signed neurons, V₀ = θ/2, potential readout) and the default layerwise simulator, on
  ``--threads`` threads, without the per-layer rate statistics ``neurosim convert`` adds
  (SpikingJelly computes none);
* **SpikingJelly** — the same weights as a PyTorch module (NCHW; TensorFlow's asymmetric
  "same" padding as zero taps of the kernel, BatchNorm kept for SpikingJelly to fuse),
  converted by ``ann2snn.FXConverter`` with its strongest rate-coding recipe
  (``RateCodingRecipe``: 99.9 % percentile, channel-wise, half threshold), run on
  ``torch.set_num_threads(--threads)``.

Both see the same normalisation images (the first 10 000 training images) and the same test
images as constant input currents. The table gives the accuracy at t = 1, 2, 4, 8, 16, 32 (up to
T) and the wall time of the conversion and of the simulation of each.

SpikingJelly and torch are not project dependencies: they are installed on demand into
``.venv-bench/`` (git-ignored; ``torch==2.13.0``, the CPU build on this machine's disk, and
``spikingjelly==2.0.0``). The SpikingJelly side (``spikingjelly_side.py``) runs there and talks to
this script through ``.npz`` and JSON files only.
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
VENV = ROOT / ".venv-bench"
PACKAGES = ["torch==2.13.0", "spikingjelly==2.0.0", "numpy>=2,<2.4"]
STEPS = (1, 2, 4, 8, 16, 32)


def ensure_venv() -> Path:
    """The benchmark venv's python, creating it and installing the peers if missing."""
    py = VENV / "bin" / "python"
    if py.exists() and subprocess.run([py, "-c", "import torch, spikingjelly"],
                                      capture_output=True).returncode == 0:
        return py
    if not py.exists():
        subprocess.run([getattr(sys, "_base_executable", "python3"), "-m", "venv", str(VENV)],
                       check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", *PACKAGES], check=True)
    return py


def torch_layers(net) -> list[dict]:
    """The layers of an ``ann`` Network as the SpikingJelly side builds them: type, params,
    input indices (−1: the image), torch-layout weights (NCHW; a Dense after Flatten reads
    (c, h, w) order) and, for a convolution, TensorFlow's padding as (left, right, top, bottom)."""
    from ann.convolution import conv_pads
    from ann.spec import input_shapes

    spec = net.spec
    out = []
    for lay, src, shape, layer in zip(spec.layers, spec.sources, input_shapes(spec), net.layers):
        p, w = dict(lay.params), {k: np.asarray(v, np.float32) for k, v in
                                   layer.get_weights().items()}
        entry = {"type": lay.type, "params": p, "inputs": list(src), "weights": w}
        if lay.type == "Conv2D":
            kh, kw = w["W"].shape[:2]
            entry["pads"] = conv_pads(shape[0], shape[1], kh, kw, p.get("strides", 1),
                                      p.get("padding", "valid"))
            w["W"] = w["W"].transpose(3, 2, 0, 1)
        elif lay.type == "Dense" and src and src[0] >= 0 and \
                spec.layers[src[0]].type == "Flatten" and len(input_shapes(spec)[src[0]]) == 3:
            h, wd, c = input_shapes(spec)[src[0]]
            w["W"] = w["W"].reshape(h, wd, c, -1).transpose(2, 0, 1, 3).reshape(h * wd * c, -1)
        elif lay.type not in ("Dense", "BatchNorm", "Activation", "ReLU", "MaxPool2D",
                              "AvgPool2D", "Flatten", "Add", "GlobalAveragePooling2D",
                              "Dropout"):
            raise ValueError(f"layer {lay.name or lay.type}: no SpikingJelly form here")
        out.append(entry)
    return out


def _write_job(work: Path, key: str, net) -> dict:
    """Write ``net``'s torch-layout weights for the SpikingJelly side; return its job entry."""
    layers = torch_layers(net)
    arrays = {f"{i}_{k}": v for i, e in enumerate(layers) for k, v in e.pop("weights").items()}
    np.savez(work / f"{key}_weights.npz", **arrays)
    return {"model": key, "layers": layers, "weights": f"{key}_weights.npz",
            "result": f"{key}_spikingjelly.json"}


def _neurosim(net, x_norm, x_test, y_test, T, threads) -> dict:
    from bridge.convert import convert
    from bridge.simulate import simulate

    t0 = time.perf_counter()
    snn = convert(net, x_norm)
    t1 = time.perf_counter()
    r = simulate(snn, x_test, y_test, T, workers=threads, statistics=False)
    t2 = time.perf_counter()
    return {"ann": float(r.ann_accuracy), "per_step": [float(a) for a in r.accuracy_per_step],
            "convert_s": t1 - t0, "simulate_s": t2 - t1}


def _train(models: Path) -> dict:
    paths = {"lenet": models / "lenet_1epoch.npz", "resnet": models / "resnet.npz"}
    cmds = {"lenet": ["lenet", "--epochs", "1"], "resnet": ["resnet"]}
    for key, path in paths.items():
        if not path.exists():
            print(f"training {key} into {path} ...", file=sys.stderr)
            subprocess.run([str(ROOT / ".venv" / "bin" / "neurosim"), "train", *cmds[key],
                            "--seed", "0", "--threads", "2", "--offline", "--out", str(path)],
                           check=True, stdout=subprocess.DEVNULL)
    return paths


def _row(name: str, per_step: list, T: int, convert_s: float, simulate_s: float) -> str:
    cells = "  ".join(f"{100 * per_step[t - 1]:6.2f}" for t in STEPS if t <= T)
    return f"  {name:<13}{cells}   {convert_s:7.1f} {simulate_s:8.1f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="test images (default all 10000)")
    ap.add_argument("--T", type=int, default=32, help="time steps (default 32)")
    ap.add_argument("--threads", type=int, default=2, help="threads of each side (default 2)")
    ap.add_argument("--models", nargs="*", default=None, metavar="NAME=PATH",
                    help="models to compare (default: lenet and resnet, trained if missing)")
    ap.add_argument("--work", type=Path, default=ROOT / "out" / "bench_vs_spikingjelly")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from ann.data import load_mnist
    from ann.training import prepare_images
    from bridge.evaluate import load_trained

    py = ensure_venv()
    args.work.mkdir(parents=True, exist_ok=True)
    models = (dict(m.split("=", 1) for m in args.models) if args.models
              else _train(args.work))
    mnist = load_mnist(download=False)
    x_test, y_test = prepare_images(mnist.x_test[:args.n]), np.asarray(mnist.y_test[:args.n])
    x_norm = prepare_images(mnist.x_train[:10000])
    np.savez(args.work / "images.npz", x_norm=x_norm.transpose(0, 3, 1, 2),
             x_test=x_test.transpose(0, 3, 1, 2), y_test=y_test)
    jobs, ours = [], {}
    for key, path in models.items():
        net = load_trained(path)
        jobs.append(_write_job(args.work, key, net))
        ours[key] = _neurosim(net, x_norm, x_test, y_test, args.T, args.threads)
    (args.work / "job.json").write_text(json.dumps({"T": args.T, "threads": args.threads,
                                                    "images": "images.npz", "jobs": jobs}))
    subprocess.run([str(py), str(Path(__file__).with_name("spikingjelly_side.py")),
                    str(args.work)], check=True, stdout=sys.stderr)
    results = {}
    print(f"{len(y_test)} test images, T = {args.T}, {args.threads} threads each; accuracy (%) "
          f"at step t, wall time (s)")
    print("  " + " " * 13 + "  ".join(f"t={t:<4}" for t in STEPS if t <= args.T)
          + "   convert  simulate")
    for job in jobs:
        key = job["model"]
        sj = json.loads((args.work / job["result"]).read_text())
        results[key] = {"neurosim": ours[key], "spikingjelly": sj}
        print(f"{key} (ANN {100 * ours[key]['ann']:.2f} %; SpikingJelly's torch ANN "
              f"{100 * sj['ann']:.2f} %)  SpikingJelly: {sj['recipe']}")
        print(_row("neurosim", ours[key]["per_step"], args.T, ours[key]["convert_s"],
                   ours[key]["simulate_s"]))
        print(_row("SpikingJelly", sj["per_step"], args.T, sj["convert_s"], sj["simulate_s"]))
        print(f"  time ratio SpikingJelly / neurosim (simulation): "
              f"{sj['simulate_s'] / ours[key]['simulate_s']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
