"""Progress of long work, printed: a live line on a terminal, plain lines elsewhere.

One printer serves every long command (``train``, ``tf-lecture``, ``convert``, ``demo``). The
work reports *events* (plain dicts) to a callback; :func:`progress_printer` turns them into
text:

==========  ==========================================================  =========================
``kind``    keys                                                        printed
==========  ==========================================================  =========================
``batch``   ``epoch, epochs, step, steps, loss``                        terminal only: a line
                                                                        refreshed in place
``epoch``   ``epoch, epochs, history`` (``loss, accuracy, seconds``,    one line
            optionally ``val_loss, val_accuracy``)
``count``   ``what, done, total``                                       terminal only: a counter
                                                                        refreshed in place, kept
                                                                        when done
``phase``   ``text``                                                    one line
``resume``  ``path, epoch, step``                                       one line ("resumed from
                                                                        PATH at epoch E, step S")
==========  ==========================================================  =========================

On a terminal the live line is refreshed with ``\\r`` at most twice a second (and always on the
last step); elsewhere (``make demo > log``, a pipe) only the one-line events are printed, as
Keras does, so a log file gets no run of ``\\r`` updates.
"""

from __future__ import annotations

import time

__all__ = ["progress_printer", "isatty", "plural"]


def isatty(stream) -> bool:
    """Whether ``stream`` is a terminal (``False`` for a stream without ``isatty`` or a closed
    one)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def plural(n: int, word: str) -> str:
    """``"1 epoch"``, ``"2 epochs"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def progress_printer(stream):
    """A progress callback printing the events above to ``stream``."""
    state = {"last": float("-inf"), "live": False}  # live: a refreshed line is showing
    live = isatty(stream)

    def refresh(text: str, final: bool) -> None:
        now = time.perf_counter()
        if not final and now - state["last"] < 0.5:
            return
        state["last"] = now
        state["live"] = True
        print(f"\r{text}", end="", file=stream, flush=True)

    def line(text: str) -> None:
        cr = "\n" if state["live"] else ""  # keep the live line's last state, start a new one
        state["live"] = False
        print(f"{cr}{text}", file=stream, flush=True)

    def progress(event: dict) -> None:
        kind = event["kind"]
        if kind == "batch":
            if live:
                refresh(f"epoch {event['epoch']}/{event['epochs']}  "
                        f"{event['step']:>5d}/{event['steps']}  loss {event['loss']:.4f}",
                        event["step"] == event["steps"])
        elif kind == "count":
            text = f"{event['what']} {event['done']}/{event['total']}"
            if live and text != state.get("done"):
                final = event["done"] >= event["total"]
                refresh(text, final)
                if final:  # the finished count stays, on its own line
                    print(file=stream, flush=True)
                    state["live"], state["done"] = False, text
        elif kind == "epoch":
            h = event["history"]
            val = (f"  val_loss {h['val_loss']:.4f}  val_acc {h['val_accuracy']:.4f}"
                   if "val_loss" in h else "")
            text = (f"epoch {event['epoch']}/{event['epochs']}  loss {h['loss']:.4f}  "
                    f"acc {h['accuracy']:.4f}{val}  ({h['seconds']:.1f} s)")
            cr = "\r" if live else ""
            state["live"] = False
            print(f"{cr}{text}", file=stream, flush=True)
        elif kind == "phase":
            line(event["text"])
        elif kind == "resume":
            line(f"resumed from {event['path']} at epoch {event['epoch']}, step {event['step']}")

    return progress
