"""``neurosim`` run inside the test process: faster than a subprocess (no interpreter start-up,
TensorFlow and Brian2 imported once), with argparse's own ``SystemExit`` turned into the exit
status. Importable from every test folder (pytest puts ``tests/`` on ``sys.path`` for its
``conftest.py``)."""

from pipeline.console import main


def run_cli(argv, capsys):
    """``(exit status, stdout, stderr)`` of ``neurosim ARGV`` run in this process."""
    try:
        rc = main(list(argv))
    except SystemExit as e:  # argparse errors
        rc = e.code
    out = capsys.readouterr()
    return rc, out.out, out.err
