"""Multi-compartment neurons of different shapes: pyramidal, bipolar, pseudo-unipolar, multipolar.

A shape is a tree of :class:`Branch` es (length, diameter, compass angle in the drawing plane,
kind: soma / dendrite / axon). The same tree gives

- a Brian2 morphology (``Soma`` + ``Cylinder`` s) for :func:`simulate_morphology`, and
- line segments with widths for drawing (:func:`segments`), so the drawn shape is the
  simulated one.

Electrical model (cable equation with Hodgkin–Huxley channels, Brian2 ``SpatialNeuron``)::

    Cm dV/dt = (1 / (2 pi a Ri)) d/dx (pi a^2 dV/dx) + gL (EL - V)
               + gNa m^3 h (ENa - V) + gK n^4 (EK - V) + I_point / area

squid HH kinetics (rates of :mod:`.rates`) in soma and axon, passive dendrites (gNa = gK = 0,
leak reversal −65 mV so that the whole cell rests at −65 mV), Cm = 1 uF/cm², Ri = 100 ohm cm.
Passive cable theory (Rall 1959; Dayan & Abbott 2001 §6.3) for a sealed cylinder of length L
driven at x = 0 gives the steady state ``V(x) - EL ∝ cosh((L - x)/lambda)``,
``lambda = sqrt(d Rm / (4 Ri))`` — used by the tests.

Shapes follow textbook sketches (Kandel et al., *Principles of Neural Science*, Fig. 2-4
"neurons classified by the number of processes"); lengths and diameters are typical, not a
reconstruction of one cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .rates import HH_GATES, HH_RATES, hh_steady_state

__all__ = ["Branch", "SHAPES", "shape", "segments", "build_morphology",
           "simulate_morphology", "MorphologyResult", "cable"]


@dataclass
class Branch:
    """One unbranched process: ``length`` and ``diameter`` in µm, ``angle`` in degrees
    (0 = right, 90 = up) in the drawing plane, ``n`` compartments, children attached at its
    far end."""

    name: str
    kind: str  # "dendrite" | "axon"
    length: float
    diameter: float
    angle: float
    n: int = 10
    children: list["Branch"] = field(default_factory=list)


@dataclass
class Shape:
    """A neuron: soma diameter (µm; 0 = no soma, the first branch is the root) and processes."""

    name: str
    soma_diameter: float
    branches: list[Branch]
    description: str = ""


def _pyramidal() -> Shape:
    tuft = [Branch("tuft_l", "dendrite", 200, 1.5, 125, 10), Branch("tuft_r", "dendrite", 200,
                                                                   1.5, 55, 10)]
    return Shape("pyramidal", 20.0, [
        Branch("apical", "dendrite", 400, 3.0, 90, 20, tuft),
        Branch("basal_l", "dendrite", 150, 1.5, 215, 8),
        Branch("basal_m", "dendrite", 130, 1.5, 250, 8),
        Branch("basal_r", "dendrite", 150, 1.5, 325, 8),
        Branch("axon", "axon", 500, 1.0, 285, 25)],
        "cortical pyramidal cell: apical dendrite with tuft, basal dendrites, axon")


def _bipolar() -> Shape:
    return Shape("bipolar", 12.0, [Branch("dendrite", "dendrite", 300, 2.0, 90, 15),
                                   Branch("axon", "axon", 400, 1.0, 270, 20)],
                 "bipolar cell (retina): one dendrite and one axon at opposite poles")


def _pseudo_unipolar() -> Shape:
    stem_children = [Branch("peripheral", "axon", 500, 1.5, 10, 25),
                     Branch("central", "axon", 400, 1.5, 170, 20)]
    return Shape("pseudo-unipolar", 25.0,
                 [Branch("stem", "axon", 60, 2.0, 90, 6, stem_children)],
                 "pseudo-unipolar sensory (dorsal root ganglion) cell: one stem splitting into "
                 "a peripheral and a central axon branch")


def _multipolar() -> Shape:
    dends = []
    for k, ang in enumerate((30, 75, 120, 160, 200, 340)):
        kids = [Branch(f"d{k}a", "dendrite", 120, 1.5, ang + 25, 6),
                Branch(f"d{k}b", "dendrite", 120, 1.5, ang - 25, 6)] if k % 2 == 0 else []
        dends.append(Branch(f"d{k}", "dendrite", 180, 3.0, ang, 9, kids))
    return Shape("multipolar", 30.0, dends + [Branch("axon", "axon", 600, 1.5, 270, 30)],
                 "multipolar motor neuron: many branched dendrites and one axon")


#: name -> shape; ``unipolar`` is an alias of ``pseudo-unipolar`` (the textbook's name)
SHAPES = {"pyramidal": _pyramidal, "bipolar": _bipolar, "pseudo-unipolar": _pseudo_unipolar,
          "unipolar": _pseudo_unipolar, "multipolar": _multipolar}


def shape(name: str) -> Shape:
    """A neuron shape by name (pyramidal, bipolar, unipolar / pseudo-unipolar, multipolar)."""
    if name not in SHAPES:
        from common.choices import unknown_choice

        raise unknown_choice("shape", name, SHAPES)
    return SHAPES[name]()


def cable(length_um: float = 1000.0, diameter_um: float = 2.0, n: int = 200) -> Shape:
    """A single passive-testable cylinder without soma (for cable-theory checks)."""
    return Shape("cable", 0.0, [Branch("cable", "dendrite", length_um, diameter_um, 0, n)],
                 "one cylinder")


def _walk(branches, start, parent_path="", soma_radius=0.0):
    for b in branches:
        rad = np.deg2rad(b.angle)
        if not parent_path and soma_radius > 0:  # processes leave the soma at its surface
            start = (soma_radius * np.cos(rad), soma_radius * np.sin(rad))
        end = (start[0] + b.length * np.cos(rad), start[1] + b.length * np.sin(rad))
        path = f"{parent_path}.{b.name}" if parent_path else b.name
        yield path, b, start, end
        yield from _walk(b.children, end, path)


def segments(sh: Shape) -> list[dict]:
    """Drawing data: one dict per process ``{name, kind, x0, y0, x1, y1, diameter}`` (µm),
    plus the soma ``{kind: "soma", x, y, diameter}`` when present."""
    out = []
    if sh.soma_diameter > 0:
        out.append({"name": "soma", "kind": "soma", "x": 0.0, "y": 0.0,
                    "diameter": sh.soma_diameter})
    for path, b, start, end in _walk(sh.branches, (0.0, 0.0), "", sh.soma_diameter / 2):
        out.append({"name": path, "kind": b.kind, "x0": float(start[0]), "y0": float(start[1]),
                    "x1": float(end[0]), "y1": float(end[1]), "diameter": b.diameter})
    return out


def build_morphology(sh: Shape):
    """The Brian2 morphology of a shape (``Soma`` root, or the first branch if no soma)."""
    from brian2 import Cylinder, Soma, um

    def attach(parent, branches):
        for b in branches:
            if b.length <= 0 or b.diameter <= 0 or b.n < 1:
                raise ValueError(f"branch {b.name!r}: length, diameter, n must be positive")
            sec = Cylinder(diameter=b.diameter * um, length=b.length * um, n=int(b.n))
            parent[b.name] = sec
            attach(sec, b.children)

    if sh.soma_diameter > 0:
        root = Soma(diameter=sh.soma_diameter * um)
        attach(root, sh.branches)
    else:
        first, rest = sh.branches[0], sh.branches[1:]
        root = Cylinder(diameter=first.diameter * um, length=first.length * um, n=first.n)
        attach(root, first.children)
        attach(root, rest)
    return root


@dataclass
class MorphologyResult:
    """Voltages (mV) at recorded sites over time (ms); ``sites``: name -> row of ``v_mV``;
    ``spike_times_ms`` / ``events``: name -> upward crossings of 0 mV / every depolarizing
    event (:mod:`.site_events`); ``v_step_end_mV``: V of every compartment at the end of the
    step; ``distance_um``: each compartment's distance from the root (µm)."""

    t_ms: np.ndarray
    v_mV: np.ndarray
    sites: dict
    spike_times_ms: dict
    v_step_end_mV: np.ndarray
    distance_um: np.ndarray
    events: dict = field(default_factory=dict)


_CABLE_EQS = """
Im = gL*(EL - v) + gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) : amp/meter**2
I : amp (point current)
""" + HH_GATES + HH_RATES + """
gNa : siemens/meter**2 (constant)
gK : siemens/meter**2 (constant)
gL : siemens/meter**2 (constant)
ENa : volt (constant)
EK : volt (constant)
EL : volt (constant)
"""


def simulate_morphology(sh: Shape, current, duration, *, delay=None, tail=None,
                        active_dendrites: bool = False, passive: bool = False, Ri=None,
                        dt=None, codegen=None) -> MorphologyResult:
    """Inject a current step (A) into the soma (or the root compartment) of a shape.

    Records V at the soma and at the far end of every top-level process and its children,
    solving the cable equation ``Cm dV/dt = (1 / (2 pi a Ri)) d/dx (pi a^2 dV/dx) + gL (EL - V)
    + gNa m^3 h (ENa - V) + gK n^4 (EK - V) + I_point / area`` (module docstring).
    ``passive=True`` removes all Na/K channels (cable-theory checks). Integrated with Brian2's
    exponential Euler at ``dt`` (default 0.01 ms).

    Raises
    ------
    TypeError
        ``dt`` without a unit.
    ValueError
        ``current`` not a finite current; ``Ri`` not a positive, finite resistivity; ``dt``
        not positive and finite or longer than the shortest of delay, duration and tail; a
        NaN or infinite voltage (``integration diverged at t = … ms in v; …``,
        :func:`neurosim.codegen.check_finite`).
    """
    from brian2 import Network, StateMonitor, amp, cm, ms, mV, ohm, um
    from brian2.units.fundamentalunits import have_same_dimensions

    from ..codegen import check_dt, check_finite, guarded_run, select_target
    from .site_events import site_events

    if not have_same_dimensions(current, amp) or not np.isfinite(float(current)):
        raise ValueError(f"current {current!r}: expected a finite current (e.g. 1*nA)")
    Ri = 100 * ohm * cm if Ri is None else Ri
    if not have_same_dimensions(Ri, ohm * cm) or not 0 < float(Ri) < np.inf:
        raise ValueError(f"Ri={Ri!r}: expected a positive, finite axial resistivity "
                         "(e.g. 100*ohm*cm)")
    select_target(codegen)
    delay = 10 * ms if delay is None else delay
    tail = 20 * ms if tail is None else tail
    dt = check_dt(0.01 * ms if dt is None else dt, [s for s in (delay, duration, tail)])
    morpho = build_morphology(sh)
    neuron = _cable_neuron(sh, morpho, Ri, dt, passive, active_dendrites)
    sites = _recording_sites(sh, morpho)
    mon = StateMonitor(neuron, "v", record=list(sites.values()), name="cell_trace")
    net = Network(neuron, mon)
    steps = dict(dt_ms=float(dt / ms), default_dt_ms=0.01)
    with guarded_run(neuron, **steps):  # delay, the current step, then the tail
        net.run(delay, namespace={})
        neuron.I[0] = current
        net.run(duration, namespace={})
        v_step_end = np.asarray(neuron.v / mV).copy()
        neuron.I[0] = 0 * amp
        net.run(tail, namespace={})
    v = np.asarray(mon.v / mV)
    t = np.asarray(mon.t / ms)
    check_finite({"v": v}, t, **steps)
    check_finite({"v": v_step_end, "m": neuron.m_, "h": neuron.h_, "n": neuron.n_},
                 t_end_ms=float(net.t / ms), **steps)
    found = {name: site_events(t, v[k]) for k, name in enumerate(sites)}
    return MorphologyResult(t_ms=t, v_mV=v, sites={n: k for k, n in enumerate(sites)},
                            spike_times_ms={n: f[0] for n, f in found.items()},
                            v_step_end_mV=v_step_end,
                            distance_um=np.asarray(neuron.distance / um),
                            events={n: f[1] for n, f in found.items()})


def _cable_neuron(sh: Shape, morpho, Ri, dt, passive: bool, active_dendrites: bool):
    """SpatialNeuron ``cell`` at rest (-65 mV): HH channels in soma, axon (and dendrites if
    ``active_dendrites``; nowhere if ``passive``), a passive leak elsewhere."""
    from brian2 import SpatialNeuron, cm, mS, mV, uF

    neuron = SpatialNeuron(morphology=morpho, model=_CABLE_EQS, Cm=1 * uF / cm ** 2, Ri=Ri,
                           method="exponential_euler", threshold="v > -20*mV",
                           refractory="v > -20*mV", threshold_location=0,
                           dt=dt, name="cell", namespace={})
    neuron.gL = 0.3 * mS / cm ** 2
    # passive membrane: leak reversal at -65 mV, so the whole cell rests at -65 mV
    neuron.ENa, neuron.EK, neuron.EL = 50 * mV, -77 * mV, -65 * mV
    neuron.gNa, neuron.gK = 0 * mS / cm ** 2, 0 * mS / cm ** 2
    if not passive:
        active = [0] if sh.soma_diameter > 0 else []
        for path, b, _, _ in _walk(sh.branches, (0.0, 0.0)):
            if b.kind == "axon" or active_dendrites:
                active.extend(_section(morpho, path, sh).indices[:].tolist())
        neuron.gNa[active] = 120 * mS / cm ** 2
        neuron.gK[active] = 36 * mS / cm ** 2
        neuron.EL[active] = -54.387 * mV  # squid HH leak: rest -65 mV with the channels
    ss = hh_steady_state(-65.0)
    neuron.v = -65 * mV
    neuron.m, neuron.h, neuron.n = ss["m"], ss["h"], ss["n"]
    return neuron


def _recording_sites(sh: Shape, morpho) -> dict:
    """Site name -> compartment index: the soma (or root) and the tip of every leaf branch."""
    sites = {"soma" if sh.soma_diameter > 0 else "root": 0}
    for path, b, _, _ in _walk(sh.branches, (0.0, 0.0)):
        if not b.children:
            sites[f"{path} tip"] = int(_section(morpho, path, sh).indices[-1])
    return sites


def _section(morpho, path: str, sh: Shape):
    parts = path.split(".")
    if sh.soma_diameter <= 0 and parts[0] == sh.branches[0].name:
        parts = parts[1:]  # the first branch is the root itself
    sec = morpho
    for part in parts:
        sec = sec[part]
    return sec
