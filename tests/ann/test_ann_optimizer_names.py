"""One meaning per hyper-parameter name: ``alpha`` (α, momentum), ``rho`` (ρ, RMSProp),
``beta_1``/``beta_2`` (β₁, β₂, Adam), ``delta`` (δ); the CLI's ``--momentum``/``--rho``/
``--beta1`` each for its own optimizer; and records written when ``momentum`` stood for α, ρ or
β₁ by optimizer (saved configs, checkpoints with Adam's ``m_sum``/``v_sum`` slots) still read."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cli_inprocess import run_cli

from ann.config import TrainConfig
from ann.io import read_arrays, write_arrays
from ann.optimizers import Adam, make_optimizer
from ann.training import train_numpy


@pytest.mark.parametrize("optimizer, field", [("momentum", "momentum"), ("rmsprop", "rho"),
                                              ("adam", "beta_1"), ("sgd", None)])
def test_old_config_records_map_momentum_to_the_optimizers_own_field(optimizer, field):
    old = TrainConfig.for_model("mlp", optimizer=optimizer).to_dict()
    del old["rho"], old["beta_1"]
    old["momentum"] = 0.75
    c = TrainConfig.from_dict(old)
    if field is not None:
        assert getattr(c, field) == 0.75
    others = {"momentum", "rho", "beta_1"} - {field or "momentum"}   # sgd keeps it, unused
    assert all(getattr(c, k) == 0.9 for k in others)
    assert TrainConfig.from_dict(c.to_dict()) == c          # today's records round-trip


def test_the_config_passes_each_optimizer_only_its_own_hyper_parameter():
    c = TrainConfig.for_model("mlp", optimizer="rmsprop", rho=0.5)
    opt = make_optimizer(c.optimizer, c.lr, **c.optimizer_options())
    assert opt.rho == 0.5
    c = TrainConfig.for_model("mlp", beta_1=0.8)
    assert make_optimizer(c.optimizer, c.lr, **c.optimizer_options()).beta_1 == 0.8


def test_adam_reads_the_old_m_sum_v_sum_slots():
    """Old checkpoints kept ``m_sum = m/(1 − β₁)``, ``v_sum = v/(1 − β₂)``: read back, the next
    steps are the ones the paper's m and v give (to float64 rounding)."""
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(4) for _ in range(6)]
    a, th_a = Adam(0.01, beta_1=0.8), [np.ones(4)]
    for g in grads[:3]:
        a.apply(th_a, [g])
    state = a.get_state()
    old = {k: v for k, v in state.items() if not k.startswith(("m/", "v/"))}
    old["m_sum/0"] = state["m/0"] / (1 - 0.8)
    old["v_sum/0"] = state["v/0"] / (1 - 0.999)
    b, th_b = Adam(0.01, beta_1=0.8), [th_a[0].copy()]
    b.set_state(old, th_b)
    for g in grads[3:]:
        a.apply(th_a, [g])
        b.apply(th_b, [g])
    np.testing.assert_allclose(th_b[0], th_a[0], rtol=1e-13)


def _tiny_mnist(n_train=300, n_test=100):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n_train + n_test).astype(np.uint8)
    x = rng.integers(0, 60, (n_train + n_test, 28, 28)).astype(np.uint8)
    for k, c in enumerate(y):
        r, q = divmod(int(c), 4)
        x[k, 7 * r:7 * r + 7, 7 * q:7 * q + 7] = 255
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def _to_old_checkpoint(path, beta_1, beta_2=0.999):
    """Rewrite a checkpoint as the code before the renaming wrote it: β₁ in the fingerprint's
    ``momentum``, no ``rho``/``beta_1`` keys, Adam's moments as ``m_sum``/``v_sum``."""
    arrays, meta = read_arrays(path, kind="checkpoint")
    fp = json.loads(meta["fingerprint"])
    fp["config"]["momentum"] = fp["config"].pop("beta_1")
    del fp["config"]["rho"]
    meta["fingerprint"] = json.dumps(fp, sort_keys=True)
    for k in list(arrays):
        for new, old, beta in (("opt/m/", "opt/m_sum/", beta_1), ("opt/v/", "opt/v_sum/", beta_2)):
            if k.startswith(new):
                a = arrays.pop(k)
                arrays[old + k[len(new):]] = a / a.dtype.type(1 - beta)
    for k in ("format", "version", "checksum"):
        meta.pop(k, None)
    write_arrays(path, arrays, meta)


def test_a_checkpoint_written_by_the_old_code_resumes(tmp_path):
    data = _tiny_mnist()
    cfg = TrainConfig.for_model("mlp", epochs=2, batch_size=32, beta_1=0.8)
    ref = train_numpy(cfg, data)
    seen = {"n": 0}

    def stop(ev):
        seen["n"] += ev["kind"] == "batch"
        if seen["n"] == 13:
            raise KeyboardInterrupt

    ckpt = tmp_path / "ck.npz"
    with pytest.raises(KeyboardInterrupt):
        train_numpy(cfg, data, progress=stop, checkpoint=ckpt, checkpoint_every=4)
    _to_old_checkpoint(ckpt, beta_1=0.8)
    events = []
    res = train_numpy(cfg, data, progress=events.append, checkpoint=ckpt, checkpoint_every=4)
    assert events[0]["kind"] == "resume"
    assert not ckpt.exists()
    # float32 moments scaled by 1/(1 − β) and back: equal to float32 rounding, not bit for bit
    assert res["history"][-1]["loss"] == pytest.approx(ref["history"][-1]["loss"], rel=1e-4)


@pytest.mark.parametrize("argv, needle", [
    (["train", "mlp", "--momentum", "0.5"],
     "--momentum does not apply to --optimizer adam (mlp's default): --momentum is for "
     "--optimizer momentum; Adam's decay rate beta1 is --beta1"),
    (["train", "mlp", "--optimizer", "momentum", "--rho", "0.5"],
     "--rho does not apply to --optimizer momentum: --rho is for --optimizer rmsprop; the "
     "momentum coefficient alpha is --momentum"),
    (["train", "mlp", "--optimizer", "rmsprop", "--beta1", "0.5"],
     "--beta1 does not apply to --optimizer rmsprop: --beta1 is for --optimizer adam; "
     "RMSProp's decay rate rho is --rho"),
    (["train", "perceptron", "--rho", "0.5"],
     "--rho does not apply to --optimizer sgd (perceptron's default)"),
    (["train", "mlp", "--beta1", "1.5"], "--beta1 must be <= 1.0, got 1.5"),
])
def test_a_flag_for_another_optimizer_is_refused_naming_the_right_one(argv, needle, capsys):
    rc, _, err = run_cli(argv + ["--offline"], capsys)
    assert rc == 2, err
    assert needle in err.strip() and len(err.strip().splitlines()) == 1, err
