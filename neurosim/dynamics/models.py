"""The analysable models by name: the registry behind ``neurosim phase`` / ``bifurcation``.

========== ======== ================================================= ==============
name       state    source (see each module's docstring)               current unit
========== ======== ================================================= ==============
fhn        v, w     FitzHugh 1961; Izhikevich & FitzHugh 2006          dimensionless
morris-    V, w     Morris & Lecar 1981; sets ``class1`` (SNIC) and    µA/cm²
lecar               ``class2`` (Hopf) of Rinzel & Ermentrout 1989
izhikevich v, u     Izhikevich 2003, Fig. 2 patterns (RS, ...)         pA
adex       v, w     Brette & Gerstner 2005; Naud et al. 2008 patterns  pA
hh-rinzel  V, n     Rinzel 1985 reduction of the squid HH model        µA/cm²
hh         V,m,h,n  Hodgkin & Huxley 1952 (neurosim's squid model)     µA/cm²
========== ======== ================================================= ==============
"""

from __future__ import annotations

from neurosim.neuron.library import lookup_model

from .fitzhugh_nagumo import fitzhugh_nagumo
from .hodgkin_huxley import hh_rinzel, hodgkin_huxley
from .integrate_fire import adex, izhikevich
from .model import DynamicalModel
from .morris_lecar import morris_lecar

__all__ = ["MODELS", "get_model"]

#: name -> (factory, takes a pattern)
MODELS = {"fhn": (fitzhugh_nagumo, False), "morris-lecar": (morris_lecar, True),
          "izhikevich": (izhikevich, True), "adex": (adex, True),
          "hh-rinzel": (hh_rinzel, False), "hh": (hodgkin_huxley, False)}


def get_model(name: str, pattern: str | None = None) -> DynamicalModel:
    """The model ``name`` (a key of :data:`MODELS`) with parameter set ``pattern``.

    Raises
    ------
    ValueError
        Unknown name or pattern, or a pattern for a model that has none.
    """
    return lookup_model(MODELS, name, pattern)
