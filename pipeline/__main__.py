"""``python -m pipeline`` is the ``neurosim`` command."""

import sys

from .console import main

sys.exit(main())
