"""neurosim — membrane potential of single neurons and a visual hierarchy, on Brian2.

Also home of the ``neurosim`` command (:mod:`neurosim.console`), whose subcommands are
registered by the packages that implement them.
"""

__version__ = "0.1.0"
