"""Which NEST 3.10 neuron model realises a population of the description, with which parameters.

NEST builds the synapse into the neuron model, so the choice depends on the neuron *and* on
the synapse channels onto it (:meth:`~.description.Network.channels`)::

    neurosim model   delta             exp              alpha            cond_exp
    lif              iaf_psc_delta     iaf_psc_exp      iaf_psc_alpha    iaf_cond_exp
    adex             aeif_psc_delta    aeif_psc_exp     aeif_psc_alpha   aeif_cond_exp
    izhikevich       izhikevich        -                -                -
    hh               -                 -                hh_psc_alpha     -

(NEST model documentation, nest-simulator.readthedocs.io, "Models"; "-": NEST 3.10 has no
such model, and :func:`nest_model` refuses with one line). Traub–Miles, custom models and a
mixture of synapse kinds onto one population are refused too.

Ports. A NEST ``*_psc_*`` / ``*_cond_*`` model has two synaptic ports chosen by the *sign of
the weight*: ``w > 0`` → the excitatory port (``tau_syn_ex``, ``E_ex``), ``w < 0`` → the
inhibitory one (``tau_syn_in``, ``E_in``; a conductance model takes ``|w|``). Channels map to
ports so: current channels by the sign of their weights (all connections of one channel must
share it), conductance channels by reversal potential (the higher ``E_rev`` excitatory, its
weights positive; the other inhibitory, weights sent negated). At most one time constant (and
one ``E_rev``) per port.

Parameters (SI in the library → NEST's ms, mV, pF, nS, pA)::

    lif   tau→tau_m  tau/R→C_m  1/R→g_L (cond)  E_L  v_th→V_th  v_reset→V_reset  t_ref
    adex  Cm→C_m  gL→g_L  EL→E_L  VT→V_th  DeltaT→Delta_T  a  tau_w  b  Vr→V_reset
          v_cut→V_peak  (t_ref = 0 ms, as the library's AdEx has none)
    izhikevich  a (1/ms)  b/Cm  c  d/Cm→d  v_peak→V_th  (Cm must be 1 pF: NEST has no C)
    hh    densities × area, area = 1e-8 m² (so 1 µF/cm² → 100 pF, NEST's default)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["NestModel", "nest_model", "HH_AREA_M2", "NEST_NAMES"]

#: membrane area (m²) of a NEST point model standing for a density (per-area) HH model
HH_AREA_M2 = 1e-8

#: neurosim model family -> synapse kind -> NEST model
NEST_NAMES = {
    "lif": {"delta": "iaf_psc_delta", "exp": "iaf_psc_exp", "alpha": "iaf_psc_alpha",
            "cond_exp": "iaf_cond_exp"},
    "adex": {"delta": "aeif_psc_delta", "exp": "aeif_psc_exp", "alpha": "aeif_psc_alpha",
             "cond_exp": "aeif_cond_exp"},
    "izhikevich": {"delta": "izhikevich"},
    "hh": {"alpha": "hh_psc_alpha"},
}

#: NEST state variable of a library state variable, per family
_STATE = {"lif": {"v": "V_m"}, "adex": {"v": "V_m", "w": "w"},
          "izhikevich": {"v": "V_m", "u": "U_m"},
          "hh": {"v": "V_m", "m": "Act_m", "h": "Inact_h", "n": "Act_n"}}


@dataclass(frozen=True)
class NestModel:
    """How one population is built in NEST.

    Attributes
    ----------
    name : str
        NEST model (``"iaf_psc_delta"``).
    params : dict
        NEST parameters (floats or per-neuron arrays, NEST units).
    ports : dict of str -> str
        Synapse channel name -> ``"ex"`` or ``"in"``.
    weight_scale : dict of str -> float
        Factor from the description's SI weight of a channel to NEST's weight (sign included:
        negative for an inhibitory conductance channel).
    state : dict of str -> (str, float)
        Recordable description variable -> (NEST recordable, factor from NEST's unit to SI;
        ``v`` stays in mV).
    family : str
    """

    name: str
    params: dict
    ports: dict = field(default_factory=dict)
    weight_scale: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    family: str = ""


def _family(model) -> str:
    fam = model.name.split(":")[0]
    if fam not in NEST_NAMES:
        raise ValueError(f"model {model.name!r}: the NEST engine knows lif, adex, izhikevich "
                         "and hh (NEST's hh_cond_exp_traub is another parametrisation); use "
                         "--engine brian2")
    return fam


def _si(params, key):
    """Parameter ``key`` as SI float or float array."""
    v = np.asarray(params[key], dtype=float)
    return float(v) if v.ndim == 0 else v


def _neuron_params(fam, p, kind, density_area):
    if fam == "lif":
        out = {"E_L": _si(p, "E_L") * 1e3, "V_th": _si(p, "v_th") * 1e3,
               "V_reset": _si(p, "v_reset") * 1e3, "t_ref": _si(p, "t_ref") * 1e3,
               "C_m": _si(p, "tau") / _si(p, "R") * 1e12}
        if kind == "cond_exp":
            out["g_L"] = 1e9 / _si(p, "R")
        else:
            out["tau_m"] = _si(p, "tau") * 1e3
        return out
    if fam == "adex":
        return {"C_m": _si(p, "Cm") * 1e12, "g_L": _si(p, "gL") * 1e9,
                "E_L": _si(p, "EL") * 1e3, "V_th": _si(p, "VT") * 1e3,
                "Delta_T": _si(p, "DeltaT") * 1e3, "a": _si(p, "a") * 1e9,
                "tau_w": _si(p, "tau_w") * 1e3, "b": _si(p, "b") * 1e12,
                "V_reset": _si(p, "Vr") * 1e3, "V_peak": _si(p, "v_cut") * 1e3, "t_ref": 0.0}
    if fam == "izhikevich":
        cm = np.asarray(p["Cm"], dtype=float)
        if not np.allclose(cm, 1e-12):
            raise ValueError("izhikevich Cm != 1 pF: NEST's izhikevich has no capacitance "
                             "(its v and u are per 1 pF); use --engine brian2")
        return {"a": _si(p, "a") * 1e-3, "b": _si(p, "b") * 1e9, "c": _si(p, "c") * 1e3,
                "d": _si(p, "d") * 1e12, "V_th": _si(p, "v_peak") * 1e3,
                "consistent_integration": True}
    a = density_area
    return {"C_m": _si(p, "Cm") * a * 1e12, "g_Na": _si(p, "gNa") * a * 1e9,
            "g_K": _si(p, "gK") * a * 1e9, "g_L": _si(p, "gL") * a * 1e9,
            "E_Na": _si(p, "ENa") * 1e3, "E_K": _si(p, "EK") * 1e3, "E_L": _si(p, "EL") * 1e3}


def _ports(network, population, channels, kind):
    """Port of each channel, its sign factor, and the port parameters (tau_syn, E_rev)."""
    ports, sign, port_params = {}, {}, {}
    if kind == "delta":
        return {n: "ex" for n in channels}, {n: 1.0 for n in channels}, {}
    if kind == "cond_exp":
        order = sorted(channels.values(), key=lambda s: -float(s.E_rev))
        for k, s in enumerate(order):
            port = "ex" if k == 0 else "in"
            if k > 0 and float(s.E_rev) == float(order[0].E_rev) and s.tau == order[0].tau:
                port = "ex"
            ports[s.name], sign[s.name] = port, 1.0 if port == "ex" else -1.0
            _set_port(port_params, population, port, f"tau_syn_{port}", float(s.tau) * 1e3)
            _set_port(port_params, population, port, f"E_{port}", float(s.E_rev) * 1e3)
        return ports, sign, port_params
    for name, s in channels.items():
        w = [float(np.asarray(c.weight)) for c in network.connections
             if c.post == population and c.synapse.name == name]
        if min(w) < 0 < max(w):
            raise ValueError(f"population {population!r} channel {name!r}: weights of both "
                             "signs; NEST picks the port by the sign, so give excitatory and "
                             "inhibitory connections their own Synapse name")
        port = "in" if max(w) < 0 else "ex"
        ports[name], sign[name] = port, 1.0
        _set_port(port_params, population, port, f"tau_syn_{port}", float(s.tau) * 1e3)
    return ports, sign, port_params


def _set_port(port_params, population, port, key, value):
    if key in port_params and port_params[key] != value:
        raise ValueError(f"population {population!r}: two synapse channels on NEST's {port} "
                         f"port with different {key} ({port_params[key]:g} vs {value:g}); "
                         "NEST models have one excitatory and one inhibitory port")
    port_params[key] = value


def nest_model(network, population) -> NestModel:
    """The :class:`NestModel` of population ``population`` of ``network``.

    Raises
    ------
    ValueError
        One line: a model or a (model, synapse kind) pair NEST 3.10 lacks, mixed synapse
        kinds onto one population, channels that do not fit NEST's two ports.
    """
    pop = network.population(population)
    model = pop.neuron_model
    fam = _family(model)
    channels = network.channels(population)
    kinds = sorted({s.kind for s in channels.values()})
    if len(kinds) > 1:
        raise ValueError(f"population {population!r}: synapse kinds {', '.join(kinds)} onto "
                         "one population; a NEST neuron model has one kind")
    kind = kinds[0] if kinds else next(iter(NEST_NAMES[fam]))
    if kind not in NEST_NAMES[fam]:
        raise ValueError(f"population {population!r}: NEST 3.10 has no {fam} neuron with "
                         f"{kind} synapses (it has {', '.join(NEST_NAMES[fam])}); use "
                         "--engine brian2")
    area = HH_AREA_M2 if model.current == "density" else 1.0
    params = _neuron_params(fam, dict(model.parameters) | dict(pop.params), kind, area)
    ports, sign, port_params = _ports(network, population, channels, kind)
    params.update(port_params)
    i_e = np.asarray(pop.I_e, dtype=float) * area * 1e12
    params["I_e"] = float(i_e) if i_e.ndim == 0 else i_e
    unit = {"delta": 1e3, "exp": 1e12 * area, "alpha": 1e12 * area, "cond_exp": 1e9 * area}[kind]
    scale = {n: unit * sign[n] for n in channels}
    state = {k: (v, 1.0) for k, v in _STATE[fam].items()}  # v in mV; gates dimensionless
    if fam == "adex":
        state["w"] = ("w", 1e-12)
    if fam == "izhikevich":
        state["u"] = ("U_m", 1e-12)  # NEST's U_m is per 1 pF: pA
    for n, s in channels.items():
        if s.kind in ("exp", "alpha"):
            state[f"I_{n}"] = (f"I_syn_{ports[n]}", 1e-12 / area)
        if s.kind == "cond_exp":
            state[f"g_{n}"] = (f"g_{ports[n]}", 1e-9 / area)
    return NestModel(name=NEST_NAMES[fam][kind], params=params, ports=ports,
                     weight_scale=scale, state=state, family=fam)
