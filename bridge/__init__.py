"""bridge — from trained ReLU networks (``ann``) to rate-coded spiking networks, and back to
the numbers that compare them. ``bridge`` may import ``ann`` and ``neurosim``; never the reverse.
"""

__version__ = "0.1.0"
