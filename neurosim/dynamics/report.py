"""Results as JSON-ready dicts (plain floats, lists, strings, ``None``), with units in the keys.

A state variable ``x`` with unit ``u`` is the key ``x_u`` (``v_mV``, ``u_pA``, ``w_pA``), or
``x`` when dimensionless (``w``, ``n``, FitzHugh–Nagumo's ``v``). Every fixed point also has a
``v_mV`` key, ``None`` for the dimensionless FitzHugh–Nagumo. Times are in ms (``period_ms``)
and rates in Hz (``frequency_hz``) for models in ms; for FitzHugh–Nagumo, in its own time unit
(``period``, ``frequency``). Eigenvalues are ``[re, im]`` pairs in 1 / time unit.
"""

from __future__ import annotations

import numpy as np

from .model import DynamicalModel

__all__ = ["state_keys", "fixed_point_dict", "cycle_dict", "point_dict", "frequency_dict",
           "no_fixed_point_note", "round_list"]


def _num(x, digits: int = 10):
    """A float rounded to ``digits`` significant digits (``None`` stays ``None``)."""
    if x is None:
        return None
    return float(f"{float(x):.{digits}g}")


def state_keys(model: DynamicalModel) -> list[str]:
    """``["v_mV", "w"]``-style keys of the state variables."""
    return [n if u == "1" else f"{n}_{u}" for n, u in zip(model.state, model.state_units)]


def _in_ms(model: DynamicalModel) -> bool:
    return model.time_unit == "ms"


def frequency_dict(model: DynamicalModel, frequency: float | None) -> dict:
    """``{"frequency_hz": ...}`` (models in ms; frequency given in 1/ms) or
    ``{"frequency": ...}`` (dimensionless time)."""
    if _in_ms(model):
        return {"frequency_hz": None if frequency is None else _num(frequency * 1e3)}
    return {"frequency": _num(frequency)}


def fixed_point_dict(model: DynamicalModel, fp) -> dict:
    """One fixed point: state by key, ``v_mV``, ``eigenvalues`` ([re, im], 1 / time unit)
    and ``stability``."""
    out = {k: _num(x) for k, x in zip(state_keys(model), fp.state)}
    out.setdefault("v_mV", None)
    out["eigenvalues"] = [[_num(z.real), _num(z.imag)] for z in fp.eigenvalues]
    out["eigenvalue_unit"] = "1" if model.time_unit == "1" else f"1/{model.time_unit}"
    out["stability"] = fp.stability
    return out


def cycle_dict(model: DynamicalModel, cycle) -> dict | None:
    """A limit cycle: current, V min / max / amplitude, period and frequency."""
    if cycle is None:
        return None
    u = "" if model.state_units[0] == "1" else f"_{model.state_units[0]}"
    t = "period_ms" if _in_ms(model) else "period"
    return {"current": _num(cycle.current), f"v_min{u}": _num(cycle.v_min),
            f"v_max{u}": _num(cycle.v_max), f"amplitude{u}": _num(cycle.amplitude),
            t: _num(cycle.period), **frequency_dict(model, cycle.frequency)}


def point_dict(model: DynamicalModel, p, criticality: str | None = None) -> dict:
    """A saddle-node or Hopf point: kind, current, the fixed point there, and (Hopf) the
    frequency of the cycle born there and its criticality."""
    out = {"kind": p.kind, "current": _num(p.current),
           "rest_loses_stability": p.unstable_dims == 0, **fixed_point_dict(model, p.point)}
    if p.kind == "hopf":
        out.update(frequency_dict(model, p.frequency))
        out["criticality"] = criticality
    return out


def no_fixed_point_note(model: DynamicalModel, v_range=None) -> str:
    """``no fixed point with V in [-100, 60] mV`` (a result, not an error)."""
    lo, hi = model.v_range if v_range is None else v_range
    unit = "" if model.state_units[0] == "1" else f" {model.state_units[0]}"
    return f"no fixed point with V in [{lo:g}, {hi:g}]{unit}"


def round_list(values, digits: int = 10) -> list:
    """A float array as a list of rounded floats."""
    return [_num(x, digits) for x in np.asarray(values, dtype=float).ravel()]
