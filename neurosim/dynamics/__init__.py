"""Phase-plane and bifurcation analysis: why a neuron rests, fires, or fires repetitively.

The tools of Izhikevich, *Dynamical Systems in Neuroscience* (2007), and Rinzel & Ermentrout
(1989), as pure functions that return data (no printing, no plotting):

- :mod:`.model`           — :class:`DynamicalModel`: ``dx/dt = f(x, I)`` with units
- :mod:`.models`          — the registry: FitzHugh–Nagumo, Morris–Lecar (class 1 and 2 sets),
  Izhikevich, AdEx, Rinzel's HH reduction, the 4-D Hodgkin–Huxley
- :mod:`.fixed_points`    — every equilibrium in a voltage range, eigenvalues, type
- :mod:`.phase_plane`     — nullclines and vector field of the planar models
- :mod:`.trajectories`    — integration from initial conditions (with spike resets)
- :mod:`.limit_cycles`    — periodic orbits found by simulation: period, amplitude
- :mod:`.continuation`    — the branch of equilibria in I, saddle-node and Hopf points
- :mod:`.diagram`         — bifurcation diagram: equilibria, cycles, bistability
- :mod:`.excitability`    — Hodgkin's class from the f–I curve and from the bifurcation
- :mod:`.cli`             — ``neurosim phase`` and ``neurosim bifurcation``

Numerics are SciPy's (``brentq``, ``solve_ivp``) and NumPy's (``linalg.eigvals``).
"""
