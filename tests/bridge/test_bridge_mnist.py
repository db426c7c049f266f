"""Full-MNIST checks of the bridge (slow): trained networks, converted, on all 10 000 test images.

The models are trained here for one epoch (seeded), so the check covers the whole pipeline:
train → save → load → convert → simulate. The README reports the same measurement for the
fully trained models.
"""

import numpy as np
import pytest

from ann.config import TrainConfig
from ann.training import train_numpy
from bridge.evaluate import EvalConfig, evaluate, load_trained

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory, mnist):
    out = tmp_path_factory.mktemp("models")
    paths = {}
    for model in ("mlp", "lenet"):
        config = TrainConfig.for_model(model, epochs=1, out=out / f"{model}.npz")
        train_numpy(config, mnist)
        paths[model] = config.out
    return paths


def test_lenet_snn_matches_its_ann_on_the_full_test_set(trained, mnist):
    r = evaluate(load_trained(trained["lenet"]), mnist, EvalConfig(timesteps=32)).report
    assert r["n_test"] == 10000 and len(r["accuracy_per_step"]) == 32
    assert r["ann_accuracy"] >= 0.97
    assert r["snn_accuracy"] >= r["ann_accuracy"] - 0.003      # within 0.3 points at T = 32
    assert r["first_step_99pct"] is not None and r["first_step_99pct"] <= 10
    assert r["agreement"] >= 0.99
    for layer in r["layers"]:
        assert layer["pearson_r"] > 0.97, layer


def test_mlp_snn_matches_its_ann_on_the_full_test_set(trained, mnist):
    r = evaluate(load_trained(trained["mlp"]), mnist, EvalConfig(timesteps=64)).report
    assert r["ann_accuracy"] >= 0.96
    assert abs(r["snn_accuracy"] - r["ann_accuracy"]) <= 0.002  # within 0.2 points at T = 64
    assert r["agreement"] >= 0.99


def test_poisson_input_mean_and_spread_over_seeds(trained, mnist):
    config = EvalConfig(timesteps=64, encoding="poisson", seeds=3, n_test=2000)
    r = evaluate(load_trained(trained["mlp"]), mnist, config).report
    assert r["seeds"] == [0, 1, 2] and len(r["snn_accuracy_per_seed"]) == 3
    assert r["snn_accuracy_std"] < 0.01
    assert max(r["accuracy_per_step_std"]) > 0     # the seeds really draw different spikes
    assert r["snn_accuracy"] >= r["ann_accuracy"] - 0.03
    assert np.isclose(r["snn_accuracy"], np.mean(r["snn_accuracy_per_seed"]))
