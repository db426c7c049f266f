"""neurosim — membrane potential of single neurons and a visual hierarchy, on Brian2.

The ``neurosim`` command lives above every package, in :mod:`pipeline.console`; this package
registers its own subcommands (``neuron``, ``visual``, ``network``, …) from its ``cli`` modules.
"""

__version__ = "0.1.0"
