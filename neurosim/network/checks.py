"""Checks of the network description: a neuron model by name; the package's checks of
quantities, names and integers (:mod:`neurosim.checks`), importable from here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neurosim.checks import check_int, check_name, check_quantity, show

if TYPE_CHECKING:  # pragma: no cover
    from neurosim.neuron.model import NeuronModel

__all__ = ["check_quantity", "check_name", "check_int", "resolve_model", "show"]


def resolve_model(model) -> "NeuronModel":
    """The :class:`~neurosim.neuron.model.NeuronModel` of ``model``.

    ``model`` is a NeuronModel or a library name: ``lif``, ``hh``, ``traub``,
    ``izhikevich[:PATTERN]``, ``adex[:PATTERN]`` (:func:`neurosim.neuron.library.get_model`).

    Raises
    ------
    ValueError
        Unknown name or pattern (one line).
    TypeError
        Neither a string nor a NeuronModel.
    """
    from neurosim.neuron.library import get_model
    from neurosim.neuron.model import NeuronModel

    if isinstance(model, NeuronModel):
        return model
    if not isinstance(model, str):
        raise TypeError(f"model={show(model)}: expected a model name (e.g. 'lif') or a "
                        "NeuronModel")
    name, _, pattern = model.partition(":")
    return get_model(name, pattern or None)
