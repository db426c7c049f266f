"""``python -m neurosim`` is the ``neurosim`` command (used by ``mpirun -np N python -m neurosim
network …``).

This file is a script that Python runs, never a module another imports, so its import of the
top layer (:mod:`pipeline.console`) is not an arrow of the package graph
(``tests/test_import_layers.py`` skips ``__main__`` files for this reason).
"""

import sys

from pipeline.console import main

sys.exit(main())
