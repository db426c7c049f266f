"""The ``neurosim`` command: subcommand listing, exit codes, one-line errors, ``data --json``."""

import json
import os
import subprocess
import sys

import pytest

from pipeline.console import SUBCOMMANDS, main


def run_cli(*args, env=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "neurosim", *args], capture_output=True,
                          text=True, env=full_env, timeout=300)


def test_help_lists_every_subcommand_without_heavy_imports():
    code = ("import sys; from pipeline.console import main\n"
            "try: main(['--help'])\nexcept SystemExit: pass\n"
            "heavy = [m for m in ('tensorflow', 'brian2', 'matplotlib') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in p.stdout
    for name in SUBCOMMANDS:
        assert name in p.stdout


def test_data_json_counts_match_published(mnist):
    p = run_cli("data", "--json", "--offline")
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout.strip().splitlines()[-1])
    assert s["train"]["counts"] == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert s["test"]["counts"] == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert s["train"]["images"] == [60000, 28, 28]
    assert all(f["verified"] for f in s["files"].values())


@pytest.mark.parametrize("args, needle", [
    (["data", "--bogus"], "unrecognized arguments: --bogus"),
    (["nosuchcommand"], "invalid choice: 'nosuchcommand'"),
    (["data", "--dir"], "--dir: expected one argument"),
    (["data", "--dir", "/no/such/dir", "--offline"], "--dir /no/such/dir: no such directory"),
])
def test_bad_arguments_exit_2_with_one_line(args, needle):
    p = run_cli(*args)
    assert p.returncode == 2
    err = p.stderr.strip()
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_offline_with_empty_cache_exits_1_saying_where(tmp_path):
    p = run_cli("data", "--offline", env={"NEUROSIM_DATA": str(tmp_path / "empty")})
    assert p.returncode == 1
    err = p.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(tmp_path / "empty") in err and "neurosim data --dir" in err


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_demo_runs_offline(mnist, capsys, tmp_path):
    """The demo's whole pipeline (data, train, convert, compare, figures), offline, scaled down
    with --n-train/--n-test; `make demo` runs it on its defaults (measured in the README)."""
    out_dir = tmp_path / "demo"
    assert main(["demo", "--offline", "--out", str(out_dir), "--n-train", "3000",
                 "--n-test", "300"]) == 0
    out = capsys.readouterr().out
    assert "60000" in out and "SHA-256 verified" in out
    assert (out_dir / "lenet.npz").is_file() and (out_dir / "snn_report.json").is_file()
    assert len(list((out_dir / "figures").glob("*.png"))) >= 16
