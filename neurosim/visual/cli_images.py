"""The ``--image`` specs of ``neurosim visual``: one table of stimuli, their keys, defaults and
units, used both to parse a spec and to write the help text.

    mnist:INDEX | grating:KEY=VAL,... | spot:... | annulus:... | bar:... | flash:... | PATH

Conventions (those of :mod:`.stimuli`, shared with the Gabor filters of :mod:`.gabor`):

* lengths in pixels; the stimulus is centred on the image centre ``((W-1)/2, (H-1)/2)``;
* ``theta`` in degrees is the direction of a grating's wave vector, measured from the +x axis
  (rightwards) towards +y (image rows run *downwards*, so positive angles turn clockwise on
  the screen): ``theta=0`` gives vertical bars, ``theta=90`` horizontal ones. A ``bar:`` of
  angle ``theta`` is one bar of that grating (its long axis perpendicular to ``theta``);
* ``contrast`` is Michelson contrast ``(L_max - L_min)/(L_max + L_min)`` in [0, 1]; luminance
  in [0, 1] (the mean of gratings is 0.5);
* spatial frequency ``sf`` in cycles/pixel, at most the Nyquist limit 0.5 (two pixels per
  cycle): above it the sampled grating aliases to a lower frequency, so it is refused. Above
  the preferred frequency of the finest V1 filter (1/``wavelengths[0]`` = 0.25 cycles/pixel)
  V1 responds weakly, and a warning says so.

Temporal stimuli (``flash:``, ``grating:tf=...``) are movies with one frame per
:data:`FRAME_DT` second; the CLI runs them for ``--duration``.

The help text written from this table is in :mod:`.cli_help`.

Package code: :func:`parse_image` returns a :class:`Stimulus` (data and warnings) and never
prints.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from common.choices import did_you_mean, unknown_choice

__all__ = ["Key", "STIMULI", "EXAMPLES", "FRAME_DT", "Stimulus", "parse_image"]

#: frame interval of movie stimuli, s (the retina's fastest time constant is 8 ms)
FRAME_DT = 1e-3
#: spatial frequency above which a sampled grating aliases, cycles/pixel
NYQUIST = 0.5

_PX, _DEG, _MS = {"px": 1.0}, {"deg": 1.0}, {"ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Key:
    """One ``KEY=VALUE`` of a stimulus spec: default, unit, allowed range (inclusive unless
    ``lo_open``) and accepted unit suffixes (``{"ms": 1, "s": 1000}``)."""
    name: str
    default: float
    unit: str
    help: str
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    integer: bool = False
    suffixes: dict = field(default_factory=dict)


def _size():
    return Key("size", 28, "px", "image side (square)", 4, 512, integer=True, suffixes=_PX)


def _lum(name, default, what):
    return Key(name, default, "0-1", what, 0.0, 1.0)


STIMULI: dict[str, tuple[str, tuple[Key, ...]]] = {
    "grating": ("sinusoidal grating, mean luminance 0.5; static, or drifting when tf > 0", (
        Key("sf", 0.125, "cycles/px", "spatial frequency (Nyquist limit 0.5)", 0.0, NYQUIST,
            lo_open=True),
        Key("theta", 0.0, "deg", "wave-vector direction from +x towards +y (0 = vertical bars)",
            suffixes=_DEG),
        Key("contrast", 1.0, "Michelson", "(Lmax - Lmin)/(Lmax + Lmin)", 0.0, 1.0),
        Key("phase", 0.0, "deg", "phase at the image centre (0 = bright bar there)",
            suffixes=_DEG),
        Key("tf", 0.0, "Hz", "temporal frequency: drifts along theta (0 = static)", 0.0, 100.0,
            suffixes={"Hz": 1.0}),
        _size())),
    "spot": ("disc on a uniform background", (
        Key("diameter", 6.0, "px", "disc diameter", 0.0, lo_open=True, suffixes=_PX),
        _lum("luminance", 1.0, "disc luminance"),
        _lum("background", 0.5, "background luminance"), _size())),
    "annulus": ("ring on a uniform background", (
        Key("inner", 6.0, "px", "inner diameter", 0.0, suffixes=_PX),
        Key("outer", 14.0, "px", "outer diameter (> inner)", 0.0, lo_open=True, suffixes=_PX),
        _lum("luminance", 1.0, "ring luminance"),
        _lum("background", 0.5, "background luminance"), _size())),
    "bar": ("one bar of the grating of the same theta", (
        Key("length", 14.0, "px", "along the bar", 0.0, lo_open=True, suffixes=_PX),
        Key("width", 2.0, "px", "across the bar", 0.0, lo_open=True, suffixes=_PX),
        Key("theta", 0.0, "deg", "normal of the bar from +x towards +y (0 = vertical bar)",
            suffixes=_DEG),
        _lum("luminance", 1.0, "bar luminance"),
        _lum("background", 0.5, "background luminance"), _size())),
    "flash": ("a spot switched on at `on` and off at `off` (a movie; see --duration)", (
        Key("diameter", 10.0, "px", "spot diameter (0 = the whole field)", 0.0, suffixes=_PX),
        _lum("luminance", 1.0, "luminance while on"),
        _lum("background", 0.5, "luminance before and after, and around the spot"),
        Key("on", 50.0, "ms", "switch-on time", 0.0, suffixes=_MS),
        Key("off", 150.0, "ms", "switch-off time (> on, <= --duration)", 0.0, lo_open=True,
            suffixes=_MS),
        _size())),
}


@dataclass
class Stimulus:
    """A parsed ``--image``: ``frames`` is ``(H, W)`` (static) or ``(T, H, W)`` (a movie with
    one frame per ``frame_dt`` s); ``label`` the MNIST class or ``None``; ``window_ms`` the
    (on, off) times of a flash; ``warnings`` one line each, for the caller to print."""
    spec: str
    kind: str
    frames: np.ndarray
    frame_dt: float | None = None
    label: int | None = None
    values: dict = field(default_factory=dict)
    window_ms: tuple | None = None
    warnings: list = field(default_factory=list)

    @property
    def image(self) -> np.ndarray:
        """One ``(H, W)`` image: the static image, or the movie frame that differs most from
        its first frame (a flash's "on" frame)."""
        if self.frame_dt is None:
            return self.frames
        return self.frames[int(np.argmax(np.abs(self.frames - self.frames[0]).sum(axis=(1, 2))))]


_NUM = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z/]*)\s*$")


def _value(spec: str, key: Key, text: str) -> float:
    m = _NUM.match(text)
    suffix = m.group(2) if m else ""
    if m is None or (suffix and suffix not in key.suffixes):
        units = f" (optionally with {' or '.join(key.suffixes)})" if key.suffixes else ""
        raise ValueError(f"--image {spec}: {key.name}={text!r} is not a number{units}")
    v = float(m.group(1)) * key.suffixes.get(suffix, 1.0)
    if not math.isfinite(v):
        raise ValueError(f"--image {spec}: {key.name}={text} is not finite")
    low = v <= key.lo if key.lo_open else v < key.lo
    if low or v > key.hi or (key.integer and v != int(v)):
        unit = "" if key.unit in ("0-1", "Michelson") else f" {key.unit}"
        if key.hi == math.inf:
            rng = f"{'>' if key.lo_open else '>='} {key.lo:g}{unit}"
        else:
            rng = f"lie in {'(' if key.lo_open else '['}{key.lo:g}, {key.hi:g}]{unit}"
        what = "must be an integer and " if key.integer else "must "
        why = " (the Nyquist limit: two pixels per cycle)" if key.name == "sf" else ""
        raise ValueError(f"--image {spec}: {key.name}={v:g} {what}"
                         f"{rng if rng.startswith('lie') else 'be ' + rng}{why}")
    return v


def _keyvals(spec: str, kind: str) -> dict:
    keys = {k.name: k for k in STIMULI[kind][1]}
    out = {name: k.default for name, k in keys.items()}
    seen = set()
    for item in filter(None, spec.split(":", 1)[1].split(",")):
        name, sep, text = (s.strip() for s in item.partition("="))
        if name not in keys:
            raise ValueError(f"--image {spec}: " + str(unknown_choice(f"{kind} key", name, keys)))
        if not sep or not text:
            raise ValueError(f"--image {spec}: {name!r} needs a value: {name}=VALUE "
                             f"({keys[name].unit})")
        if name in seen:
            raise ValueError(f"--image {spec}: {name} is given twice")
        seen.add(name)
        out[name] = _value(spec, keys[name], text)
    out["size"] = int(out["size"])
    return out


def _mnist(spec: str) -> Stimulus:
    from .images import load_mnist_test_image, load_mnist_test_label

    idx = spec[6:].strip()
    if not idx.isdigit():
        raise ValueError(f"--image {spec}: INDEX must be an integer in 0..9999 (a test digit)")
    i = int(idx)
    if i > 9999:
        raise ValueError(f"--image {spec}: index {i} is out of range; the MNIST test set has "
                         "10000 digits, index must lie in 0..9999")
    return Stimulus(spec, "mnist", load_mnist_test_image(i), label=load_mnist_test_label(i),
                    values={"index": i})


def parse_image(spec: str, duration_ms: float = 200.0) -> Stimulus:
    """The stimulus named by ``spec`` (see the module docstring).

    ``duration_ms`` is the run length movie stimuli are made for (``--duration``).

    Raises
    ------
    ValueError
        One line naming the spec: unknown stimulus or key (with "did you mean"), a value out
        of its range (naming the range), a flash outside the run, a bad MNIST index or file.
    """
    from . import stimuli as st
    from .images import check_images, load_image_file

    kind, sep, _ = spec.partition(":")
    if sep and kind == "mnist":
        return _mnist(spec)
    if not sep and not Path(spec).exists():
        _check_not_a_bare_kind(spec)
    if not sep or kind not in STIMULI:
        if Path(spec).exists() or not sep or len(kind) < 2 or "/" in kind:
            return Stimulus(spec, "file", load_image_file(spec))
        raise ValueError(f"--image {spec}: " + str(unknown_choice(
            "stimulus", kind, ["mnist", *STIMULI])) + "; or an image file")
    v = _keyvals(spec, kind)
    n, warn, dt, window = v["size"], [], None, None
    if kind == "grating":
        _grating_warnings(spec, v, warn)
        if v["tf"] > 0:
            dt = FRAME_DT
            img = st.drifting_grating(n, v["sf"], v["tf"], duration_ms / 1000, dt, v["theta"],
                                      v["contrast"], np.deg2rad(v["phase"]))
        else:
            img = st.grating(n, v["sf"], v["theta"], v["contrast"], np.deg2rad(v["phase"]))
    elif kind == "spot":
        img = st.spot(n, v["diameter"], v["luminance"], v["background"])
    elif kind == "annulus":
        if v["inner"] >= v["outer"]:
            raise ValueError(f"--image {spec}: inner={v['inner']:g} px must be smaller than "
                             f"outer={v['outer']:g} px")
        img = st.annulus(n, v["inner"], v["outer"], v["luminance"], v["background"])
    elif kind == "bar":
        img = st.bar(n, v["length"], v["width"], v["theta"], v["luminance"], v["background"])
    else:
        if not v["on"] < v["off"] <= duration_ms:
            raise ValueError(f"--image {spec}: need on < off <= --duration ({duration_ms:g} ms); "
                             f"got on={v['on']:g} ms, off={v['off']:g} ms")
        d = v["diameter"]
        shape = st.uniform(n, v["luminance"]) if d == 0 else \
            st.spot(n, d, v["luminance"], v["background"])
        dt, window = FRAME_DT, (v["on"], v["off"])
        img = st.flash(shape, v["background"], v["on"] / 1000, v["off"] / 1000,
                       duration_ms / 1000, dt)
    img = np.asarray(img)
    if float(np.ptp(img)) == 0 and kind != "flash":
        warn.append(f"--image {spec}: the image is uniform (the shape covers no pixel centre, "
                    "or luminance equals background); only the maintained discharge remains")
    frames = check_images(img, spec) if dt is not None else check_images(img, spec)[0]
    return Stimulus(spec, kind, frames, dt, values=v, window_ms=window, warnings=warn)


#: one filled-in spec per stimulus, for messages
EXAMPLES = {"mnist": "mnist:0", "grating": "grating:sf=0.125,theta=30", "spot": "spot:diameter=6",
            "annulus": "annulus:inner=4,outer=12", "bar": "bar:theta=45",
            "flash": "flash:on=50,off=150"}


def _check_not_a_bare_kind(spec: str) -> None:
    """Refuse a missing file whose name is a stimulus kind (or close to one) without its
    colon, e.g. ``annulus`` or ``anulus``, saying how to write the stimulus."""
    name = spec.strip()
    if Path(name).suffix or "/" in name or len(name) < 3:
        return                                   # looks like a file name: "no such file"
    kinds = ["mnist", *STIMULI]
    if name.lower() in kinds:
        kind, lead = name.lower(), f"{name} is a stimulus: write"
    else:
        close = did_you_mean(name, kinds)
        if not close:
            return
        kind = close.split("'")[1]
        lead = f"no such image file; did you mean the stimulus {kind}? Write"
    usage = "mnist:INDEX, e.g. mnist:0" if kind == "mnist" else f"{kind}: or {EXAMPLES[kind]}"
    raise ValueError(f"--image {spec}: {lead} {usage}")


def _grating_warnings(spec: str, v: dict, warn: list) -> None:
    from .v1 import V1Params

    fine = 1.0 / min(V1Params().wavelengths)
    if v["sf"] > fine:
        warn.append(f"--image {spec}: sf={v['sf']:g} cycles/px is above the finest V1 filter's "
                    f"preferred {fine:g} cycles/px; V1 responds weakly (Nyquist limit "
                    f"{NYQUIST:g})")
    if v["sf"] * v["size"] < 1:
        warn.append(f"--image {spec}: sf={v['sf']:g} cycles/px shows less than one cycle "
                    f"across {v['size']} px (at least {1 / v['size']:.3g} for one)")
