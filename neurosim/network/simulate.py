"""``simulate(network, duration, engine=...)``: one entry point for both engines.

The NEST engine (:mod:`.nest_engine`) is imported only when asked for; where NEST is missing
the error says in one line how to install it.
"""

from __future__ import annotations

from ..checks import require_choice
from .description import ENGINES, Network
from .result import NetworkResult

__all__ = ["simulate", "NEST_INSTALL_HINT"]

#: what to do when ``import nest`` fails
from .nest_engine import NEST_INSTALL_HINT  # noqa: E402 (one text for the hint)


def simulate(network: Network, duration, *, engine: str = "brian2", warmup=None,
             threads: int = 1, standalone: bool = False, codegen: str | None = None
             ) -> NetworkResult:
    """Simulate ``network`` for ``warmup + duration``; statistics window after ``warmup``.

    Parameters
    ----------
    network : Network
    duration : Quantity
        Measured time (after the warm-up).
    engine : {"brian2", "nest"}
    warmup : Quantity, optional
        Simulated first, not recorded (default 0 ms).
    threads : int
        OpenMP threads (NEST; Brian2 standalone).
    standalone : bool
        Brian2 C++ standalone mode (ignored by NEST).
    codegen : {"cython", "numpy", None}
        Brian2 runtime target.

    Returns
    -------
    NetworkResult

    Raises
    ------
    ValueError
        Unknown engine (one line), bad times or threads.
    ImportError
        ``engine="nest"`` without NEST installed: :data:`NEST_INSTALL_HINT`.
    """
    if not isinstance(network, Network):
        raise TypeError(f"network={network!r:.60}: expected a neurosim.network.Network")
    require_choice(engine, ENGINES, f"engine {engine!r}")
    if engine == "brian2":
        from .brian2_engine import run_brian2

        return run_brian2(network, duration, warmup=warmup, standalone=standalone,
                          threads=threads, codegen=codegen)
    import importlib.util

    if importlib.util.find_spec("nest") is None:  # looks, does not import
        raise ImportError(NEST_INSTALL_HINT)
    from .nest_engine import run_nest

    return run_nest(network, duration, warmup=warmup, threads=threads)
