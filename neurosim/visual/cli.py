"""``neurosim visual``: push one image through retina -> LGN -> V1 (-> HMAX) and report
each stage.

    neurosim visual --image {mnist:INDEX | grating:KEY=VAL,... | spot:KEY=VAL,... | PATH}
                    [--mode {rate,spiking}] [--plot FILE] [--json]

``grating:`` keys: ``sf`` (cycles/pixel, default 0.125), ``theta`` (deg), ``contrast``,
``phase`` (deg), ``size`` (pixels, default 28). ``spot:`` keys: ``diameter``, ``luminance``,
``background``, ``size``. ``mnist:INDEX`` reads the verified MNIST test file from the
``neurosim data`` cache (see :mod:`.images`). ``PATH`` is an image file (PNG, or what Pillow
reads). Orientations ``theta`` are wave-vector directions (0 = vertical bars). The spiking mode
runs retina -> V1 in Brian2 and reports its correlation with the rate path; the rate mode
also runs the HMAX stages, with S2/S3 templates imprinted from a fixed
set of synthetic shapes (seed 0), so results do not depend on any data set.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

__all__ = ["register", "parse_image", "run_visual"]

_GRATING = {"sf": 0.125, "theta": 0.0, "contrast": 1.0, "phase": 0.0, "size": 28}
_SPOT = {"diameter": 6.0, "luminance": 1.0, "background": 0.5, "size": 28}


def register(subparsers) -> None:
    """Add ``visual`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "visual", help="push an image through retina -> LGN -> V1 -> HMAX (rate or spiking)",
        description="Run one image through the visual pathway (photoreceptors, OPL, bipolar "
                    "ON/OFF, midget/parasol ganglion cells, LGN, V1 simple/complex, HMAX) and "
                    "summarise every stage.")
    p.add_argument("--image", required=True, metavar="SPEC",
                   help="mnist:INDEX, grating:sf=0.125,theta=45,contrast=1,phase=0,size=28, "
                        "spot:diameter=6, or an image file")
    p.add_argument("--mode", choices=("rate", "spiking"), default="rate")
    p.add_argument("--duration", type=float, default=200.0, metavar="MS",
                   help="simulated time of the spiking mode, ms (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the Poisson spike trains")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help="write a figure of every stage's response maps (.png, .pdf, .svg)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run_visual)


def _keyvals(spec: str, defaults: dict, kind: str) -> dict:
    out = dict(defaults)
    body = spec.split(":", 1)[1]
    for item in filter(None, body.split(",")):
        key, sep, val = item.partition("=")
        if not sep or key not in defaults:
            raise ValueError(f"--image {spec}: {item!r} is not one of "
                             f"{', '.join(k + '=VALUE' for k in defaults)}")
        try:
            out[key] = float(val)
        except ValueError:
            raise ValueError(f"--image {spec}: {key}={val!r} is not a number") from None
    if not 4 <= out["size"] <= 512 or out["size"] != int(out["size"]):
        raise ValueError(f"--image {spec}: size={out['size']:g} must be an integer in 4..512")
    out["size"] = int(out["size"])
    return out


def parse_image(spec: str) -> np.ndarray:
    """The luminance image ``(H, W)`` named by ``spec``."""
    from . import stimuli as st
    from .images import check_images, load_image_file, load_mnist_test_image

    if spec.startswith("mnist:"):
        idx = spec[6:]
        if not idx.isdigit():
            raise ValueError(f"--image {spec}: INDEX must be an integer in 0..9999")
        return load_mnist_test_image(int(idx))
    if spec.startswith("grating:"):
        g = _keyvals(spec, _GRATING, "grating")
        if not 0 <= g["contrast"] <= 1:
            raise ValueError(f"--image {spec}: contrast={g['contrast']:g} must lie in [0, 1]")
        img = st.grating(g["size"], g["sf"], g["theta"], g["contrast"], np.deg2rad(g["phase"]))
        return check_images(img, spec)[0]
    if spec.startswith("spot:"):
        s = _keyvals(spec, _SPOT, "spot")
        img = st.spot(s["size"], s["diameter"], s["luminance"], s["background"])
        return check_images(img, spec)[0]
    return load_image_file(spec)


def _templates_shapes(size: int) -> np.ndarray:
    """Synthetic shapes the HMAX templates are imprinted from."""
    from . import stimuli as st

    L = max(4.0, size / 2)
    w = max(1.5, size / 10)
    shapes = [st.bar(size, L, w, th, 1.0, 0.0) for th in range(0, 180, 30)]
    shapes += [np.maximum(st.bar(size, L, w, th, 1.0, 0.0), st.bar(size, L, w, th + 90, 1.0, 0.0))
               for th in (0, 45)]
    shapes += [st.annulus(size, L / 2, L, 1.0, 0.0), st.spot(size, L / 2, 1.0, 0.0)]
    return np.stack(shapes)


def _summary(name, a, unit):
    a = np.asarray(a, float)
    return {"stage": name, "shape": list(a.shape), "mean": round(float(a.mean()), 4),
            "max": round(float(a.max()), 4), "min": round(float(a.min()), 4), "unit": unit}


_UNITS = {"photoreceptors": "1", "opl": "1", "bipolar_on": "1", "bipolar_off": "1",
          "rgc_on": "Hz", "rgc_off": "Hz", "lgn_on": "Hz", "lgn_off": "Hz", "v1_drive": "mV",
          "v1_simple": "Hz", "v1_complex": "Hz", "c1": "Hz", "s2": "1", "c2": "1", "s3": "1",
          "c3": "1"}


def compute(image: np.ndarray, mode: str, duration_ms: float, seed: int) -> tuple[dict, dict]:
    """All stage maps (for the plot) and the JSON-able report."""
    from .hmax import HMAX, c1_layer
    from .pathway import RatePath

    model = RatePath()
    t0 = time.perf_counter()
    maps = {k: v[0] for k, v in model.run(image).items()}
    report = {"mode": mode, "image_shape": list(image.shape)}
    if mode == "rate":
        c1 = c1_layer(maps["v1_complex"][None])
        shapes = _templates_shapes(image.shape[0])
        c1_shapes = c1_layer(model.run(shapes, stages=["v1_complex"])["v1_complex"])
        h = HMAX(n_s2=32, n_s3=16).fit(c1_shapes, np.random.default_rng(0))
        maps["c1"] = c1[0]
        maps.update({k: v[0] for k, v in h.transform(c1).items()})
    else:
        from .spiking import SpikingParams, simulate

        if not 1 <= duration_ms <= 10000:
            raise ValueError(f"--duration {duration_ms:g}: must lie in 1..10000 ms")
        rate_maps = maps
        sim = simulate(model, image, np.random.default_rng(seed),
                       SpikingParams(duration=duration_ms / 1000))
        st = SpikingParams().stride
        sl = (Ellipsis, slice(None, None, st), slice(None, None, st))
        corr = {}
        for key in ("rgc_on", "rgc_off", "lgn_on", "lgn_off", "v1_simple", "v1_complex"):
            ref = rate_maps[key][sl] if key.startswith("v1") else rate_maps[key]
            a, b = sim[key].ravel(), ref.ravel()
            ok = a.std() > 0 and b.std() > 0
            corr[key] = round(float(np.corrcoef(a, b)[0, 1]), 4) if ok else None
        maps = {"photoreceptors": rate_maps["photoreceptors"], "opl": rate_maps["opl"],
                **{k: sim[k] for k in corr}}
        report["spiking"] = {"target": sim["target"], "n_synapses": sim["n_synapses"],
                             "duration_s": sim["duration"], "v1_stride_px": st,
                             "corr_with_rate_path": corr}
    report["seconds"] = round(time.perf_counter() - t0, 3)
    report["stages"] = [_summary(k, v, _UNITS[k]) for k, v in maps.items()]
    cx = maps["v1_complex"]                                   # (S, O, h, w)
    ori = np.arange(cx.shape[1]) * 180.0 / cx.shape[1]
    energy = cx.sum(axis=(0, 2, 3))
    report["v1_orientation_energy"] = {f"{o:g}": round(float(e), 3) for o, e in zip(ori, energy)}
    report["v1_dominant_orientation_deg"] = float(ori[int(np.argmax(energy))])
    if "c3" in maps:
        report["it_c3"] = [round(float(v), 4) for v in maps["c3"]]
    return maps, report


def _format(report: dict, spec: str) -> str:
    lines = [f"visual pathway, {report['mode']} mode, image {spec} "
             f"{report['image_shape'][0]}x{report['image_shape'][1]} ({report['seconds']} s)",
             f"{'stage':<15}{'shape':<22}{'mean':>10}{'max':>10}  unit"]
    for s in report["stages"]:
        lines.append(f"{s['stage']:<15}{'x'.join(map(str, s['shape'])):<22}"
                     f"{s['mean']:>10.3g}{s['max']:>10.3g}  {s['unit']}")
    lines.append(f"V1 dominant orientation: {report['v1_dominant_orientation_deg']:g} deg")
    if "spiking" in report:
        sp = report["spiking"]
        lines.append(f"spiking ({sp['target']}, {sp['n_synapses']} LGN->V1 synapses): "
                     "correlation with the rate path " + ", ".join(
                         f"{k} {v}" for k, v in sp["corr_with_rate_path"].items()))
    return "\n".join(lines)


def _plot(maps: dict, path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from common.fileio import atomic_path

    panels = [("photoreceptors", maps["photoreceptors"], "gray")]
    names = ("midget", "parasol")
    panels += [(f"OPL {names[c]}", maps["opl"][c], "RdBu_r") for c in range(2)]
    for key in ("rgc_on", "rgc_off", "lgn_on", "lgn_off"):
        panels += [(f"{key.replace('_', ' ').upper()} {names[c]} (Hz)", maps[key][c], "magma")
                   for c in range(2)]
    for s in range(maps["v1_simple"].shape[0]):
        panels.append((f"V1 simple scale {s}, max (Hz)",
                       maps["v1_simple"][s].max(axis=(0, 1)), "magma"))
    cx = maps["v1_complex"]
    for o in range(cx.shape[1]):
        panels.append((f"V1 complex θ={o * 180 / cx.shape[1]:g}° (Hz)", cx[:, o].max(axis=0),
                       "magma"))
    if "c1" in maps:
        panels.append(("C1 max over ori (Hz)", maps["c1"].max(axis=0), "magma"))
        panels.append(("S2 (V2/V4) max over templates", maps["s2"].max(axis=0), "viridis"))
        panels.append(("C2 (V4) max over templates", maps["c2"].max(axis=0), "viridis"))
        panels.append(("S3 (IT) max over templates", maps["s3"].max(axis=0), "viridis"))
    ncol = 6
    nrow = int(np.ceil((len(panels) + ("c3" in maps)) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.4 * ncol, 2.4 * nrow))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (name, m, cmap) in zip(axes.ravel(), panels):
        if cmap == "RdBu_r":
            v = float(np.abs(m).max()) or 1.0
            im = ax.imshow(m, cmap=cmap, vmin=-v, vmax=v)
        else:
            im = ax.imshow(m, cmap=cmap)
        ax.set_title(name, fontsize=7)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02).ax.tick_params(labelsize=6)
    if "c3" in maps:
        ax = axes.ravel()[len(panels)]
        ax.axis("on")
        ax.bar(np.arange(len(maps["c3"])), maps["c3"])
        ax.set_title("C3 (IT) units", fontsize=7)
        ax.tick_params(labelsize=6)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    try:
        with atomic_path(path) as tmp:  # temp file in the same folder, then os.replace
            fig.savefig(tmp, format=fmt, dpi=110)
    finally:
        plt.close(fig)


def run_visual(args) -> int:
    if args.plot is not None:
        fmt = args.plot.suffix.lstrip(".").lower()
        if fmt not in ("png", "pdf", "svg"):
            raise ValueError(f"--plot {args.plot}: the file name must end in .png, .pdf or .svg")
        if not args.plot.parent.is_dir():
            raise ValueError(f"--plot {args.plot}: no such directory {args.plot.parent}")
    image = parse_image(args.image)
    maps, report = compute(image, args.mode, args.duration, args.seed)
    report["image"] = args.image
    if args.plot is not None:
        _plot(maps, args.plot, f"{args.image} ({args.mode})")
        report["plot"] = str(args.plot)
    print(json.dumps(report) if args.json else _format(report, args.image))
    return 0
