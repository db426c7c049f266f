"""``neurosim visual``: push one image (or a short movie) through retina -> LGN -> V1 (-> HMAX)
and report each stage.

    neurosim visual --image {mnist:INDEX | grating:... | spot:... | annulus:... | bar:... |
                             flash:... | PATH}
                    [--mode {rate,spiking}] [--duration 200ms] [--seed 0] [--plot FILE] [--json]

The stimuli, their keys, defaults, units and the angle convention are in
:mod:`.cli_images` (and in ``neurosim visual --help``); what is computed for static images,
movies and the spiking mode is in :mod:`.cli_compute`; the figure in :mod:`.cli_plots`.
Errors are one line (``ValueError`` -> exit 2); warnings (a stimulus the model cannot
resolve, an option that has no effect) are lines on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
from pathlib import Path

from common.jsonout import rounded as _rounded

__all__ = ["register", "parse_image", "run_visual", "parse_duration_ms", "rounded",
           "compile_notice"]

_DEFAULT_MS = 200.0
#: written into the Brian2 cache after a spiking run compiled with Cython
_COMPILED_MARK = "neurosim-visual-spiking.compiled"


def parse_image(spec: str):
    """The luminance image ``(H, W)`` named by ``spec`` (a movie's most distinct frame)."""
    from .cli_images import parse_image as parse

    return parse(spec).image


def parse_duration_ms(text: str) -> float:
    """``"200"``, ``"200ms"`` or ``"0.2s"`` -> 200.0 (ms); a bare number is in ms."""
    m = re.fullmatch(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(ms|s)?\s*", text)
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (e.g. 200, 200ms, 0.2s)")
    v = float(m.group(1)) * (1000.0 if m.group(2) == "s" else 1.0)
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the duration must be positive")
    return v


def register(subparsers) -> None:
    """Add ``visual`` to the ``neurosim`` parser."""
    from .cli_help import stimulus_help

    p = subparsers.add_parser(
        "visual", help="push an image through retina -> LGN -> V1 -> HMAX (rate or spiking)",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=stimulus_help(),
        description=textwrap.fill(
            "Run one image (or a flash / drifting-grating movie) through the visual pathway "
            "(photoreceptors, OPL, bipolar ON/OFF, midget/parasol ganglion cells, LGN, V1 "
            "simple/complex, HMAX) and summarise every stage.", 88))
    p.add_argument("--image", required=True, metavar="SPEC",
                   help="mnist:INDEX, grating:sf=0.125,theta=30, spot:diameter=6, "
                        "annulus:inner=6,outer=14, bar:theta=45, flash:on=50,off=150, or an "
                        "image file; every key, default and unit is listed below")
    p.add_argument("--mode", choices=("rate", "spiking"), default="rate",
                   help="rate: NumPy rate model with HMAX; spiking: Brian2 LIF network "
                        "retina -> V1 complex, compared with the rate path (default rate)")
    p.add_argument("--duration", type=parse_duration_ms, default=None, metavar="TIME",
                   help="run length: of movies (flash, grating tf>0; at most 2 s in rate mode) "
                        "and of the spiking run; ms, or with a unit: 200ms, 0.2s "
                        f"(default {_DEFAULT_MS:g} ms; a static image in rate mode has no time)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of the ganglion cells' Poisson spike trains, spiking mode only "
                        "(default 0)")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help="write a figure of every stage's maps (and, in spiking mode, a spike "
                        "raster): .png, .pdf or .svg; missing folders are created")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (values rounded to 5 significant digits)")
    p.set_defaults(run=run_visual)


def rounded(x, digits: int = 5):
    """``x`` with every float rounded to ``digits`` significant digits (lists, dicts kept)."""
    return _rounded(x, digits)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _name(report: dict, spec: str) -> str:
    label = report.get("label")
    return f"{spec} (digit {label})" if label is not None else spec


def _format(report: dict, spec: str) -> str:
    from .cli_compute import OSI_THRESHOLD

    h, w = report["image_shape"]
    lines = [f"visual pathway, {report['mode']} mode, image {_name(report, spec)} "
             f"{h}x{w} px ({report['seconds']:.3g} s)"]
    if "movie" in report:
        mv = report["movie"]
        lines.append(f"movie: {_plural(mv['frames'], 'frame')} of {mv['frame_ms']:g} ms"
                     + (", on {:g}-{:g} ms".format(*mv["on_off_ms"]) if "on_off_ms" in mv else "")
                     + "; maps are time-averaged")
    lines.append(f"{'stage':<15}{'shape':<22}{'mean':>10}{'max':>10}  unit")
    for s in report["stages"]:
        lines.append(f"{s['stage']:<15}{'x'.join(map(str, s['shape'])):<22}"
                     f"{s['mean']:>10.3g}{s['max']:>10.3g}  {s['unit']}")
    osi, dominant = report["v1_orientation_selectivity"], report["v1_dominant_orientation_deg"]
    if dominant is None:
        lines.append(f"V1: no dominant orientation (OSI {osi:.2f}, below {OSI_THRESHOLD:g})")
    else:
        lines.append(f"V1 dominant orientation: {dominant:g} deg (OSI {osi:.2f}; wave-vector "
                     "direction, 0 = vertical bars)")
    for key, v in report.get("centre_time_course", {}).items():
        if key != "pixel_yx":
            lines.append(f"centre {key.replace('_', ' ')}: peak {v['peak_hz']:.3g} Hz at "
                         f"{v['peak_ms']:g} ms, mean {v['mean_hz']:.3g} Hz")
    if "spiking" in report:
        sp = report["spiking"]
        lines.append(f"spiking ({sp['target']}, {sp['duration_ms']:g} ms, "
                     f"{_plural(sp['n_synapses'], 'LGN->V1 synapse')}): "
                     + ", ".join(f"{k} {_plural(v, 'spike')}" for k, v in sp["n_spikes"].items()))
        lines.append("correlation with the rate path: " + ", ".join(
            f"{k} {'n/a' if v is None else f'{v:.3f}'}"
            for k, v in sp["corr_with_rate_path"].items()))
    if "plot" in report:
        lines.append(f"plot: {report['plot']}")
    return "\n".join(lines)


def _warn(message: str) -> None:
    print(f"neurosim visual: warning: {message}", file=sys.stderr)


def compile_notice() -> str | None:
    """The line to show before a spiking run whose Brian2 code is not compiled yet, else None.

    Brian2's Cython target compiles the model's code objects on first use (minutes) and loads
    them from :func:`neurosim.codegen.cache_dir` afterwards; a mark file written there after
    the first successful run tells a warm cache from a cold one. The numpy target compiles
    nothing.
    """
    from ..codegen import cache_dir, select_target

    if select_target() != "cython" or (cache_dir() / _COMPILED_MARK).exists():
        return None
    return (f"compiling the spiking model with Brian2 (first run only, a few minutes; cached "
            f"in {cache_dir()})")


def _mark_compiled() -> None:
    from ..codegen import cache_dir

    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        (cache_dir() / _COMPILED_MARK).touch()
    except OSError:  # a read-only cache: the notice is shown again next time, nothing worse
        pass


def run_visual(args) -> int:
    from common.paths import check_output_file

    from .cli_compute import compute
    from .cli_images import parse_image as parse
    from .cli_plots import plot_stages

    if args.plot is not None:
        check_output_file(args.plot, "--plot", suffixes=(".png", ".pdf", ".svg"))
    duration = _DEFAULT_MS if args.duration is None else args.duration
    stim = parse(args.image, duration)
    for line in stim.warnings:
        _warn(line)
    static_rate = args.mode == "rate" and stim.frame_dt is None
    if static_rate and args.duration is not None:
        _warn(f"--duration {args.duration:g} ms has no effect on a static image in rate mode")
    if args.mode == "rate" and args.seed is not None:
        _warn("--seed has no effect in rate mode (no random draws)")
    notice = compile_notice() if args.mode == "spiking" else None
    if notice is not None:
        print(f"neurosim visual: {notice}", file=sys.stderr, flush=True)
    maps, report, extras = compute(stim, args.mode, duration, 0 if args.seed is None else args.seed)
    if notice is not None and report["spiking"]["target"] == "cython":
        _mark_compiled()
    report = {"image": args.image, **({"label": stim.label} if stim.label is not None else {}),
              **report}
    if args.plot is not None:
        title = f"{_name(report, args.image)}, {args.mode} mode"
        plot_stages(maps, stim.image, args.plot, title, extras, stim.window_ms)
        report["plot"] = str(args.plot)
    report = rounded(report)
    if args.json:
        print(json.dumps(report))
        if "plot" in report:
            print(f"plot: {report['plot']}", file=sys.stderr)
    else:
        print(_format(report, args.image))
    return 0
