"""``python -m neurosim`` is the ``neurosim`` command."""

import sys

from .console import main

sys.exit(main())
