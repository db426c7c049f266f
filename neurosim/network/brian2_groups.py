"""Brian2 NeuronGroups of a network's populations: equations, namespace, shared variables.

Each population's equations are its model's with ``I_inj = I_e + Σ_s I_s``
(:mod:`.synapses`) and one state variable per synapse channel ``s``::

    exp       dI_s/dt = -I_s/tau_s
    alpha     dI_s/dt = (x_s - I_s)/tau_s,  dx_s/dt = -x_s/tau_s   (a spike adds e·w to x_s)
    cond_exp  dg_s/dt = -g_s/tau_s,  I_s = g_s (E_s - v)
    delta     none (a spike adds w to v)

A parameter equal for all neurons of a population (``I_e`` included; a zero ``I_e`` is left
out of ``I_inj``) and the channel constants ``tau_s``, ``E_s`` are namespace constants, which
Brian2 writes into the generated code as literals, as a hand-written script does; only
parameters that differ between neurons are per-neuron ``(constant)`` variables. Populations
whose generated code is identical share one ``NeuronGroup`` and are index ranges of it (the
COBA network becomes one group, as in Brian2's example). A Poisson source that is not
connected ``one_to_one`` (see :mod:`.brian2_synapses`) becomes a ``PoissonGroup``, at most one
spike per step (``r dt <= 1``).

Source: Brian2 documentation, "Models and neuron groups", "Input stimuli".
"""

from __future__ import annotations

import numpy as np

from .connectivity import initial_values
from .description import Network, PoissonInput

__all__ = ["neuron_equations", "uniform_value", "build_groups", "is_direct"]


def neuron_equations(network: Network, pop) -> tuple[str, dict, dict]:
    """Brian2 equations of one population, its namespace and its shared variables.

    The input is ``I_inj = I_e + Σ_s I_s``, with per synapse channel ``s`` (module docstring)::

        exp       dI_s/dt = -I_s/tau_s
        alpha     dI_s/dt = (x_s - I_s)/tau_s,  dx_s/dt = -x_s/tau_s
        cond_exp  dg_s/dt = -g_s/tau_s,  I_s = g_s (E_s - v)

    Scalar model parameters and the channel constants ``tau_<name>``, ``E_<name>`` go into
    the namespace: Brian2 writes them into the generated code as literals, as a hand-written
    script does. Array parameters are per-neuron ``(constant)`` variables.
    Weights of Poisson inputs (``w_in<k>``) are ``(shared, constant)`` variables, so that a
    sweep over weights (Brunel's g) reuses one compiled module.

    Returns
    -------
    equations : str
        Model equations, ``I_inj``, ``I_e``, array parameters, channel variables.
    namespace : dict of str -> Quantity
        Scalar parameters and channel constants.
    shared : dict of str -> Quantity
        Values of the ``(shared, constant)`` variables, to set after creating the group.
    """
    from neurosim.neuron.model import unit_string

    model = pop.neuron_model
    params = {**model.parameters, **pop.params}
    unit = "amp/meter**2" if model.current == "density" else "amp"
    namespace, shared, decl = {}, {}, []
    for name, value in {**params, "I_e": pop.I_e}.items():
        scalar = uniform_value(value)
        if scalar is None:
            ref = model.parameters.get(name, pop.I_e)
            decl.append(f"{name} : {unit if name == 'I_e' else unit_string(ref)} (constant)")
        elif name != "I_e" or float(scalar) != 0:  # a zero I_e is left out of I_inj
            namespace[name] = scalar
    terms, chans = (["I_e"] if "I_e" in namespace or uniform_value(pop.I_e) is None
                    else []), []
    for s in network.channels(pop.name).values():
        tau = f"tau_{s.name}"
        if s.kind == "delta":
            continue
        namespace[tau] = s.tau
        if s.kind == "exp":
            chans.append(f"dI_{s.name}/dt = -I_{s.name}/{tau} : {unit}")
            terms.append(f"I_{s.name}")
        elif s.kind == "alpha":
            chans.append(f"dI_{s.name}/dt = (x_{s.name} - I_{s.name})/{tau} : {unit}")
            chans.append(f"dx_{s.name}/dt = -x_{s.name}/{tau} : {unit}")
            terms.append(f"I_{s.name}")
        else:  # cond_exp
            namespace[f"E_{s.name}"] = s.E_rev
            chans.append(f"dg_{s.name}/dt = -g_{s.name}/{tau} : {unit}/volt")
            terms.append(f"g_{s.name}*(E_{s.name} - v)")
    for k, c in enumerate(network.connections):
        if c.post == pop.name and is_direct(network, c):
            shared[f"w_in{k}"] = c.weight
            chans.append(f"w_in{k} : {unit_string(c.weight)} (shared, constant)")
    i_inj = f"I_inj = {' + '.join(terms) or '0*' + unit} : {unit}"
    eqs = "\n".join([model.equations.strip(), i_inj, *decl, *chans]) + "\n"
    return eqs, namespace, shared


def uniform_value(value):
    """``value`` as one scalar if it is a scalar or an array of equal entries, else None.

    Such a parameter becomes a namespace constant (a literal in the generated code, as a
    hand-written script has it) instead of a per-neuron array read in every step.
    """
    if not np.ndim(value):
        return value
    flat = np.asarray(value).ravel()
    if flat.size and np.all(flat == flat[0]):
        return value.ravel()[0] if hasattr(value, "ravel") else flat[0]
    return None


def is_direct(network: Network, c) -> bool:
    """A Poisson source connected one_to_one without plasticity (-> brian2.PoissonInput)."""
    return (isinstance(network.source(c.pre), PoissonInput) and c.rule == "one_to_one"
            and c.plasticity is None)


def build_groups(network: Network, dt):
    """NeuronGroups of the populations and PoissonGroups of the Poisson sources that need
    one.

    Returns
    -------
    objects : list of Brian2 objects
    where : dict of str -> (group, first index, NeuronModel or None)
        Per population / Poisson source: its group and its index range start.
    """
    import brian2 as b2

    init = initial_values(network)
    objects, blocks, where = [], {}, {}
    for pop in network.populations:  # populations with identical code share one NeuronGroup
        model = pop.neuron_model
        eqs, ns, shared = neuron_equations(network, pop)
        key = (eqs, model.threshold, model.reset, str(model.refractory), model.method_for(dt),
               tuple(sorted((k, repr(v)) for k, v in {**ns, **shared}.items())))
        blocks.setdefault(key, []).append(pop)
    for key, pops in blocks.items():
        model, (eqs, ns, shared) = pops[0].neuron_model, neuron_equations(network, pops[0])
        g = b2.NeuronGroup(sum(p.n for p in pops), eqs, threshold=model.threshold,
                           reset=model.reset, refractory=model.refractory,
                           method=model.method_for(dt), dt=dt, namespace=ns,
                           name="pop_" + "_".join(p.name for p in pops))
        for name, value in shared.items():
            setattr(g, name, value)
        start = 0
        for pop in pops:
            sub = g[start:start + pop.n]
            for name, value in {**pop.params, "I_e": pop.I_e, **init[pop.name]}.items():
                if name in g.variables and name not in shared and name not in ns:
                    setattr(sub, name, value)
            where[pop.name] = (g, start, model)
            start += pop.n
        objects.append(g)
    for inp in network.inputs:
        if any(c.pre == inp.name and not is_direct(network, c) for c in network.connections):
            if float(inp.rate * dt) > 1:
                raise ValueError(f"PoissonInput {inp.name!r} rate={inp.rate!r}: above 1/dt; "
                                 "connect it one_to_one without plasticity")
            where[inp.name] = (b2.PoissonGroup(inp.n, inp.rate, dt=dt,
                                               name=f"poisson_{inp.name}"), 0, None)
            objects.append(where[inp.name][0])
    return objects, where
