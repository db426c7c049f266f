"""``neurosim`` subcommands implemented by ``ann``: ``data`` and ``train`` (:mod:`ann.train_cli`).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["register", "load_and_summarize", "format_summary", "config_from_args", "run_train",
           "progress_printer"]  # the last three live in ann.train_cli and ann.progress


def register(subparsers) -> None:
    """Add ``ann``'s subcommands to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "data", help="fetch and verify MNIST; print where it is and the class counts",
        description="Find MNIST in the cache (or --dir), fetch what is missing, verify every "
                    "file by SHA-256, and print where it is and the per-class counts.")
    p.add_argument("--dir", type=Path, default=None, metavar="DIR",
                   help="a folder holding the IDX files (raw or .gz) or a Keras mnist.npz "
                        "(default: none; the cache, then the mirrors)")
    p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help="cache folder, created if missing (default: $NEUROSIM_DATA or "
                        "~/.cache/neurosim/mnist)")
    p.add_argument("--offline", action="store_true", help="never download; use the cache or --dir")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run_data)
    _register_train(subparsers)


def load_and_summarize(directory=None, cache_dir=None, download=True):
    """Fetch/verify MNIST; return ``(mnist, summary)`` where the summary gives the cache
    folder, files, shapes and per-class counts."""
    import numpy as np

    from .data import MNIST_FILES, default_cache_dir, load_mnist

    from common.paths import check_output_dir

    if directory is not None and not Path(directory).is_dir():
        raise ValueError(f"--dir {directory}: " + ("is a file; give the folder that holds the "
                                                   "MNIST files" if Path(directory).exists()
                                                   else "no such directory"))
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if cache_dir is not None and not cache.is_dir():  # an existing, read-only cache is fine
        check_output_dir(cache, "--cache-dir")
    m = load_mnist(directory, cache_dir=cache, download=download)
    summary = {
        "cache_dir": str(cache.resolve()),
        "files": {name: {"path": str((cache / name).resolve()), "sha256": digest,
                         "verified": True} for name, digest in MNIST_FILES.items()},
        "train": {"images": list(m.x_train.shape),
                  "counts": np.bincount(m.y_train, minlength=10).tolist()},
        "test": {"images": list(m.x_test.shape),
                 "counts": np.bincount(m.y_test, minlength=10).tolist()},
    }
    return m, summary


def format_summary(s: dict) -> str:
    """Human-readable form of the summary from :func:`load_and_summarize`."""
    lines = [f"MNIST in {s['cache_dir']} (4 files, SHA-256 verified)",
             "class  " + " ".join(f"{c:>5d}" for c in range(10)) + "    total"]
    for split in ("train", "test"):
        counts = s[split]["counts"]
        lines.append(f"{split:<6} " + " ".join(f"{c:>5d}" for c in counts)
                     + f"  {sum(counts):>7d}")
    return "\n".join(lines)


def run_data(args) -> int:
    _, s = load_and_summarize(args.dir, args.cache_dir, download=not args.offline)
    print(json.dumps(s) if args.json else format_summary(s))  # integers and strings only
    return 0


# --- neurosim train: ann.train_cli; the names below stay importable from here -------------

from .progress import progress_printer  # noqa: E402  (re-exported)
from .train_cli import config_from_args, run_train  # noqa: E402,F401
from .train_cli import register_train as _register_train  # noqa: E402
