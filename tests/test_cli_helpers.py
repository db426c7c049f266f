"""common.paths and common.choices: the one rule for output paths, "did you mean", and the
``neurosim`` parser's treatment of negative values, ``--version`` and misspelt choices."""

import os
import subprocess
import sys

import pytest

from common.choices import did_you_mean, unknown_choice
from common.paths import check_input_file, check_output_dir, check_output_file
from pipeline.console import main


def test_output_file_missing_parents_are_fine_and_a_file_in_the_way_is_not(tmp_path):
    assert check_output_file(tmp_path / "a" / "b" / "f.csv", "--csv") == tmp_path / "a/b/f.csv"
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(ValueError, match=r"^--csv .*blocker is a file, not a folder$"):
        check_output_file(tmp_path / "blocker" / "sub" / "f.csv", "--csv")
    with pytest.raises(ValueError, match="is a folder; give a file name"):
        check_output_file(tmp_path, "--plot")
    with pytest.raises(ValueError, match=r"use a file name ending in \.png, \.pdf or \.svg"):
        check_output_file(tmp_path / "f.gif", "--plot", suffixes=(".png", ".pdf", ".svg"))


def test_output_dir_rules(tmp_path):
    assert check_output_dir(tmp_path / "new" / "logs", "--logdir") == tmp_path / "new/logs"
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match=r"^--logdir .*file: is a file; a folder is needed$"):
        check_output_dir(f, "--logdir")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        check_output_dir(f / "below", "--logdir")


def test_no_write_permission_is_named(tmp_path, monkeypatch):
    """A read-only folder (os.access is what the check asks; patched, so that the test also
    means something when the suite runs as root, who may write anywhere)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: real_access(p, mode)
                        and os.stat(p).st_mode & 0o200 != 0)
    try:
        with pytest.raises(ValueError, match="no write permission in"):
            check_output_file(ro / "x" / "f.png", "--plot")
        with pytest.raises(ValueError, match="no write permission"):
            check_output_dir(ro, "--out")
    finally:
        ro.chmod(0o700)


def test_input_file(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        check_input_file(tmp_path / "none.npz", "MODEL")
    with pytest.raises(ValueError, match="is a folder"):
        check_input_file(tmp_path, "MODEL")


def test_did_you_mean():
    assert did_you_mean("trian", ["train", "data"]) == " (did you mean 'train'?)"
    assert did_you_mean("IZHIKEVICH", ["izhikevich", "lif"]) == " (did you mean 'izhikevich'?)"
    assert did_you_mean("zzz", ["train", "data"]) == ""
    err = unknown_choice("pattern", "tonik", ["tonic", "adapting"])
    assert str(err) == "unknown pattern 'tonik'; choose from tonic, adapting (did you mean 'tonic'?)"


def run(*args):
    return subprocess.run([sys.executable, "-m", "neurosim", *args], capture_output=True,
                          text=True, timeout=120)


def test_version_and_misspelt_subcommand():
    p = run("--version")
    assert p.returncode == 0 and p.stdout.startswith("neurosim ")
    p = run("trian")
    assert p.returncode == 2 and "did you mean 'train'?" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_negative_values_parse_as_values():
    """``--current -5uA/cm2`` reaches the command as the value (argparse alone refuses it)."""
    from pipeline.console import _build_parser

    args = _build_parser("neuron").parse_args(
        ["neuron", "hh", "--current", "-5uA/cm2", "--duration", "-.5ms"])
    assert args.current == "-5uA/cm2" and args.duration == "-.5ms"
    args = _build_parser("fi").parse_args(
        ["fi", "lif", "--currents", "-1nA:1nA:3", "--duration", "100ms"])
    assert args.currents == "-1nA:1nA:3"
    # a real unknown option is still refused
    with pytest.raises(SystemExit) as e:
        main(["neuron", "hh", "--current", "1uA/cm2", "--duration", "5ms", "-x"])
    assert e.value.code == 2


def test_misspelt_option_is_refused_in_the_subcommands_name_with_the_closest_option():
    p = run("fi", "lif", "--currents", "0nA:1nA:2", "--duration", "50ms", "--stimuls", "ramp")
    assert p.returncode == 2
    err = p.stderr.strip()
    assert err.startswith("neurosim fi: error: unrecognized arguments: --stimuls ramp")
    assert "did you mean '--stimulus'?" in err and "see neurosim fi --help" in err
    assert len(err.splitlines()) == 1
    p = run("version")
    assert p.returncode == 2 and "did you mean '--version'?" in p.stderr


def test_a_folder_named_without_an_ending_is_called_a_folder(tmp_path):
    (tmp_path / "adir").mkdir()
    with pytest.raises(ValueError, match="is a folder; give a file name"):
        check_output_file(tmp_path / "adir", "--plot", suffixes=(".png",))


def test_output_piped_into_head_ends_quietly():
    """`neurosim models | head -1`: the reader leaves early; exit 0, nothing on stderr."""
    p = subprocess.run(f"{sys.executable} -m neurosim models | head -1", shell=True,
                       capture_output=True, text=True, timeout=120,
                       executable="/bin/bash", env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert p.stdout.startswith("models")
    assert "Error" not in p.stderr and "Traceback" not in p.stderr


def test_json_rounding_is_one_rule_with_each_commands_digits():
    import numpy as np

    from common.jsonout import rounded

    x = {"t": 28.950000000000003, "a": (np.float32(0.9694), np.int64(3)), "n": float("nan"),
         "ok": True, "s": "x", "none": None}
    assert rounded(x, 7) == {"t": 28.95, "a": [0.9694, 3], "n": x["n"], "ok": True, "s": "x",
                             "none": None}
    assert rounded(x, 7, nonfinite_to_none=True)["n"] is None
    assert rounded(1234.5678, 3) == 1230.0 and isinstance(rounded(np.int64(3), 3), int)


@pytest.mark.parametrize("text, value", [("256MiB", 256 * 2 ** 20), ("2GiB", 2 * 2 ** 30),
                                         ("300MB", 300 * 10 ** 6), ("64M", 64 * 2 ** 20),
                                         ("512", 512 * 2 ** 20), ("1.5 GiB", 3 * 2 ** 29)])
def test_memory_size(text, value):
    from common.cli_types import memory_size

    assert memory_size(text) == value


@pytest.mark.parametrize("text", ["lots", "12 parsecs", "-5MiB", "0.5MiB", ""])
def test_memory_size_refuses(text):
    import argparse

    from common.cli_types import memory_size

    with pytest.raises(argparse.ArgumentTypeError, match=repr(text)):
        memory_size(text)
