"""SpikingJelly side of ``benchmarks/bench_vs_spikingjelly.py`` (runs in ``.venv-bench``).

Reads ``job.json`` in the work folder the project side wrote: the layers of each model
(torch layouts), their weights (``.npz``) and the images; builds each model as a PyTorch module,
converts it with SpikingJelly's ``ann2snn`` and simulates the test images for T steps. Writes,
per model, a JSON file: the torch ANN's accuracy, the SNN's accuracy after every step, the
conversion and simulation wall times, and the recipe used.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn


class GraphNet(nn.Module):
    """The project's layer list as a module: each layer reads the values of its inputs (−1: the
    image); ``torch.fx`` traces the loop into a flat graph (SpikingJelly's converter needs one)."""

    def __init__(self, layers: list[dict], weights):
        super().__init__()
        self.sources = [tuple(e["inputs"]) for e in layers]
        self.kinds = [e["type"] for e in layers]
        self.mods = nn.ModuleList(_module(i, e, weights) for i, e in enumerate(layers))

    def forward(self, x):
        vals = {-1: x}
        for i, mod in enumerate(self.mods):
            ins = [vals[j] for j in self.sources[i]]
            vals[i] = ins[0] + ins[1] if self.kinds[i] == "Add" else mod(ins[0])
        return vals[len(self.mods) - 1]


def _t(a) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, np.float32))


def _module(i: int, e: dict, w) -> nn.Module:
    mod = _layer(i, e, w)
    if e["type"] in ("Conv2D", "Dense") and e["params"].get("activation") == "relu":
        return nn.Sequential(mod, nn.ReLU())    # the layer's own activation (LeNet's form)
    return mod


def _layer(i: int, e: dict, w) -> nn.Module:
    t, p = e["type"], e["params"]
    get = lambda k: w[f"{i}_{k}"]   # noqa: E731
    if t == "Conv2D":
        # TensorFlow pads "same" asymmetrically (top 0, bottom 1 for a 3×3 kernel of stride 2
        # on an even size); SpikingJelly's converter refuses padding modules, so the kernel
        # gets zero rows and columns instead, turning the padding into torch's symmetric one
        # (exact; 16/9 of the MACs in the two stride-2 3×3 layers of the ResNet)
        W = get("W")
        top, bottom, left, right = e["pads"]
        ph, pw = max(top, bottom), max(left, right)
        W = np.pad(W, ((0, 0), (0, 0), (ph - top, ph - bottom), (pw - left, pw - right)))
        conv = nn.Conv2d(W.shape[1], W.shape[0], W.shape[2:], stride=p.get("strides", 1),
                         padding=(ph, pw), bias=f"{i}_b" in w)
        conv.weight.data = _t(W)
        if conv.bias is not None:
            conv.bias.data = _t(get("b"))
        return conv
    if t == "Dense":
        W = get("W")
        lin = nn.Linear(W.shape[0], W.shape[1], bias=f"{i}_b" in w)
        lin.weight.data = _t(W.T)
        if lin.bias is not None:
            lin.bias.data = _t(get("b"))
        return lin
    if t == "BatchNorm":
        c = get("gamma").shape[0]
        bn = nn.BatchNorm2d(c, eps=p.get("eps", 1e-3))
        bn.weight.data, bn.bias.data = _t(get("gamma")), _t(get("beta"))
        bn.running_mean.data, bn.running_var.data = _t(get("running_mean")), \
            _t(get("running_var"))
        return bn
    if t in ("Activation", "ReLU"):
        return nn.ReLU() if p.get("activation", "relu") == "relu" else nn.Identity()
    if t in ("MaxPool2D", "AvgPool2D"):
        cls = nn.MaxPool2d if t == "MaxPool2D" else nn.AvgPool2d
        return cls(p["pool_size"], p.get("strides") or p["pool_size"])
    if t == "GlobalAveragePooling2D":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if t == "Flatten":
        return nn.Flatten()
    return nn.Identity()   # Add (summed in forward), Dropout


def _converter(ann2snn, loader):
    """SpikingJelly's strongest rate-coding conversion (its ``RateCodingRecipe``: thresholds at
    the 99.9th percentile of each channel's activations, neurons started at half threshold),
    as a function of the ANN, and its description."""
    recipe = ann2snn.RateCodingRecipe(dataloader=loader, mode="99.9%", channel_wise=True,
                                      half_threshold=True)
    return (ann2snn.FXConverter(recipe=recipe, device="cpu").convert,
            'RateCodingRecipe(mode="99.9%", channel_wise=True, half_threshold=True)')


def main(work: Path) -> int:
    from spikingjelly.activation_based import ann2snn, functional

    job = json.loads((work / "job.json").read_text())
    torch.set_num_threads(job["threads"])
    torch.set_grad_enabled(False)
    images = np.load(work / job["images"])
    x_norm, x_test = _t(images["x_norm"]), _t(images["x_test"])
    y_test = torch.from_numpy(images["y_test"].astype(np.int64))
    T = job["T"]
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x_norm, torch.zeros(len(x_norm), dtype=torch.long)),
        batch_size=500)
    for m in job["jobs"]:
        ann = GraphNet(m["layers"], np.load(work / m["weights"])).eval()
        ann_acc = float((ann(x_test).argmax(1) == y_test).float().mean())
        t0 = time.perf_counter()
        convert, recipe = _converter(ann2snn, loader)
        snn = convert(ann).eval()
        t1 = time.perf_counter()
        correct = np.zeros(T)
        for xb, yb in zip(x_test.split(500), y_test.split(500)):
            functional.reset_net(snn)
            out = 0
            for t in range(T):
                out = out + snn(xb)
                correct[t] += float((out.argmax(1) == yb).sum())
        t2 = time.perf_counter()
        (work / m["result"]).write_text(json.dumps({
            "ann": ann_acc, "per_step": list(correct / len(y_test)), "recipe": recipe,
            "convert_s": t1 - t0, "simulate_s": t2 - t1}))
        print(f"{m['model']}: SpikingJelly {100 * correct[-1] / len(y_test):.2f} % at T = {T}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
