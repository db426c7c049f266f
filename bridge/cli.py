"""``neurosim`` subcommands implemented by ``bridge``: ``demo`` (the project's main job)."""

from __future__ import annotations

__all__ = ["register"]


def register(subparsers) -> None:
    """Add ``bridge``'s subcommands to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "demo", help="the main job: the project's pipeline on defaults that finish in minutes",
        description="Run the project's pipeline end to end on quick defaults: verified MNIST "
                    "data and a one-screen summary.")
    p.add_argument("--offline", action="store_true", help="never download; use the cache")
    p.set_defaults(run=run_demo)


def ascii_digit(image, width: int = 28) -> str:
    """A 28×28 uint8 image as text, darker pixels as denser characters."""
    ramp = " .:-=+*#%@"
    rows = []
    for row in image:
        rows.append("".join(ramp[int(v) * (len(ramp) - 1) // 255] for v in row[:width]))
    return "\n".join(r.rstrip() for r in rows if r.strip())


def run_demo(args) -> int:
    from ann.cli import format_summary, load_and_summarize

    print("neurosim demo — step 1/1: data")
    mnist, summary = load_and_summarize(download=not args.offline)
    print(format_summary(summary))
    print(f"\nfirst test image (label {int(mnist.y_test[0])}):")
    print(ascii_digit(mnist.x_test[0]))
    return 0
