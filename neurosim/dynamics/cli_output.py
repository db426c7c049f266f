"""The output of ``neurosim phase`` / ``bifurcation``: one JSON-ready dict, and its text form.

Keys and units as :mod:`.report`. Fields of both commands: ``fixed_points`` (``phase``: at the
current; ``bifurcation``: per current under ``equilibria``), each with ``v_mV``, its other
coordinates, ``eigenvalues`` and ``stability``; ``hopf_currents``; ``saddle_node_currents``;
``excitability_class`` (``"I"``, ``"II"`` or ``None``) with the ``excitability`` details.
"""

from __future__ import annotations

from .continuation import equilibrium_branch, special_points
from .report import (_num, cycle_dict, fixed_point_dict, frequency_dict, no_fixed_point_note,
                     point_dict, round_list)

__all__ = ["phase_json", "bifurcation_json", "print_phase", "print_bifurcation"]


def _class_from_bifurcation(model, i_rest: float = 0.0):
    from .excitability import bifurcation_class

    try:
        return bifurcation_class(model, i_rest)
    except ValueError:          # no stable rest at i_rest
        return None


def _bif_dict(bif) -> dict | None:
    if bif is None:
        return None
    return {"class": bif.excitability_class, "kind": bif.kind, "current": _num(bif.current)}


def phase_json(model, pp) -> dict:
    """The ``phase`` result: fixed points, cycle, threshold, the branch's Hopf and
    saddle-node currents (whole ``model.v_range``) and the excitability class from the
    bifurcation type (the f–I check needs a current range: ``neurosim bifurcation``)."""
    points = special_points(model, equilibrium_branch(model))
    bif = _class_from_bifurcation(model)
    v_unit = "" if model.state_units[0] == "1" else f"_{model.state_units[0]}"
    out = {"current": _num(pp.current), "v_range": list(model.v_range),
           "fixed_points": [fixed_point_dict(model, fp) for fp in pp.fixed_points],
           "limit_cycle": cycle_dict(model, pp.cycle),
           f"threshold_kick{v_unit}": _num(pp.threshold),
           "trajectories": {k: {"start": round_list(tr.x[:, 0]),
                                "n_spikes": len(tr.spike_times),
                                f"v_max{v_unit}": _num(tr.v.max())}
                            for k, tr in pp.trajectories.items()},
           "hopf_currents": [_num(p.current) for p in points if p.kind == "hopf"],
           "saddle_node_currents": [_num(p.current) for p in points if p.kind == "saddle-node"],
           "bifurcation_points": [point_dict(model, p) for p in points],
           "excitability_class": None if bif is None else bif.excitability_class,
           "excitability": {"from_bifurcation": _bif_dict(bif), "from_fi": None,
                            "note": "from the bifurcation type only; `neurosim bifurcation` "
                                    "decides it from the f-I curve too"}}
    if not pp.fixed_points:
        out["note"] = no_fixed_point_note(model)
    return out


def bifurcation_json(model, dg, fi, exc) -> dict:
    """The ``bifurcation`` result (module docstring; :mod:`.diagram`, :mod:`.excitability`)."""
    br, i = dg.branch, dg.currents
    inside = (br.current >= i[0]) & (br.current <= i[-1])
    v_key = "v" if model.state_units[0] == "1" else f"v_{model.state_units[0]}"
    equilibria = []
    for c, fps in zip(i, dg.equilibria):
        row = {"current": _num(c), "fixed_points": [fixed_point_dict(model, f) for f in fps]}
        if not fps:
            row["note"] = no_fixed_point_note(model)
        equilibria.append(row)
    onset = None if exc is None else exc["from_fi"]
    bif = None if exc is None else exc["from_bifurcation"]
    agree = None if onset is None or bif is None \
        else onset.excitability_class == bif.excitability_class
    out = {"currents": round_list(i), "equilibria": equilibria,
           "branch": {"current": round_list(br.current[inside]),
                      v_key: round_list(br.v[inside]),
                      "stability": [s for s, k in zip(br.stability, inside) if k]},
           "hopf_currents": [_num(x) for x in dg.hopf_currents],
           "saddle_node_currents": [_num(x) for x in dg.saddle_node_currents],
           "bifurcation_points": [point_dict(model, p, dg.criticality.get(p.current))
                                  for p in dg.points],
           "cycles": [cycle_dict(model, c) for c in dg.cycles],
           "bistable_ranges": [[_num(a), _num(b)] for a, b in dg.bistable_ranges],
           "onset_current": _num(dg.onset),
           "fi": None, "excitability_class": None if exc is None else exc["excitability_class"],
           "excitability": {"from_fi": None, "from_bifurcation": _bif_dict(bif), "agree": agree}}
    if not dg.points:
        out["note"] = "no saddle-node or Hopf point in the current range"
    if fi is not None:
        scale, key = (1e3, "rates_hz") if model.time_unit == "ms" else (1.0, "rates")
        out["fi"] = {"currents": round_list(i), key: round_list(fi.rates * scale),
                     "i_rest": _num(fi.i_rest),
                     "resolution": frequency_dict(model, fi.f_res)}
    if onset is not None:
        out["excitability"]["from_fi"] = {
            "class": onset.excitability_class, "onset_current": _num(onset.current),
            "silent_below": _num(onset.below), "continuous_from_zero": onset.continuous,
            "onset": frequency_dict(model, onset.rate),
            "resolution": frequency_dict(model, onset.f_res)}
    return out


def _fp_line(out_fp: dict, keys) -> str:
    coords = ", ".join(f"{k} = {out_fp[k]:.6g}" for k in keys)
    eig = ", ".join(f"{re:.4g}{im:+.4g}i" if im else f"{re:.4g}"
                    for re, im in out_fp["eigenvalues"])
    unit = out_fp["eigenvalue_unit"]
    where = "" if unit == "1" else f" in {unit}"  # a dimensionless model's rates have no unit
    return f"{coords}: {out_fp['stability']} (eigenvalues{where}: {eig})"


def _keys(out: dict) -> list[str]:
    return [n if u == "1" else f"{n}_{u}" for n, u in zip(out["state"], out["state_units"])]


def _unit(out: dict) -> str:
    return "" if out["current_unit"] == "1" else " " + out["current_unit"]


def print_phase(out: dict) -> None:
    """Text form of :func:`phase_json` plus the header."""
    u = _unit(out)
    print(f"{out['name']} at I = {out['current']:g}{u} ({out['source']})")
    if out["params"]:
        print("  params: " + ", ".join(f"{k}={v}" for k, v in out["params"].items()))
    if not out["fixed_points"]:
        print(f"  {out['note']}")
    for fp in out["fixed_points"]:
        print("  fixed point " + _fp_line(fp, _keys(out)))
    cyc = out["limit_cycle"]
    if cyc is None:
        print("  limit cycle: none reached from a kick")
    else:
        print("  limit cycle: " + ", ".join(f"{k} {v:.5g}" for k, v in cyc.items()
                                              if k != "current"))
    print(f"  Hopf currents: {_list(out['hopf_currents'])}{u}; saddle-node currents: "
          f"{_list(out['saddle_node_currents'])}{u}")
    bif = out["excitability"]["from_bifurcation"]
    if bif is not None:
        print(f"  excitability (from the bifurcation type): class {bif['class']}, {bif['kind']} "
              f"at {bif['current']:.6g}{u}")
    if "plot" in out:
        print(f"  plot: {out['plot']}")


def _list(values) -> str:
    return ", ".join(f"{v:.6g}" for v in values) if values else "none"


def print_bifurcation(out: dict) -> None:
    """Text form of :func:`bifurcation_json` plus the header."""
    u = _unit(out)
    i = out["currents"]
    print(f"{out['name']}: {len(i)} currents {i[0]:g}..{i[-1]:g}{u} ({out['source']})")
    for p in out["bifurcation_points"]:
        extra = ""
        if p["kind"] == "hopf":
            f = p.get("frequency_hz", p.get("frequency"))
            extra = f", frequency {f:.4g}{' Hz' if 'frequency_hz' in p else ''}"
            extra += f", {p['criticality']}" if p["criticality"] else ""
        v = p["v_mV"] if p["v_mV"] is not None else p["v"]
        print(f"  {p['kind']} at I = {p['current']:.7g}{u}, V = {v:.5g}"
              f"{extra}{'' if p['rest_loses_stability'] else ' (on an unstable branch)'}")
    if "note" in out:
        print(f"  {out['note']}")
    for a, b in out["bistable_ranges"]:
        print(f"  bistable (stable rest and stable cycle): {a:.5g} .. {b:.5g}{u}")
    if out["onset_current"] is not None:
        print(f"  lowest current with a stable cycle: {out['onset_current']:.5g}{u}")
    exc = out["excitability"]
    if exc["from_fi"] is not None:
        f = exc["from_fi"]
        rate = next(iter(f["onset"].values()))
        print(f"  f-I from rest: onset {f['onset_current']:.6g}{u} at {rate:.4g} "
              f"{'Hz' if 'frequency_hz' in f['onset'] else ''} -> class {f['class']}")
    if exc["from_bifurcation"] is not None:
        b = exc["from_bifurcation"]
        print(f"  bifurcation of the rest: {b['kind']} at {b['current']:.6g}{u} -> "
              f"class {b['class']}")
    verdict = out["excitability_class"]
    if verdict is None:
        why = "disagree" if exc["agree"] is False else "did not both decide"
        verdict = f"undecided (the two methods {why})"
    print(f"  excitability class: {verdict}")
    if "plot" in out:
        print(f"  plot: {out['plot']}")
