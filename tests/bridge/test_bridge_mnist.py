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
    """Measured with this pipeline (one-epoch LeNet, ``TrainConfig(seed=S)``, T = 32) for seeds
    0–4 on each of the OpenBLAS kernels Haswell (this AMD EPYC's default), Sandybridge and
    Prescott (``OPENBLAS_CORETYPE``), 15 runs:

    * ANN accuracy 97.13–97.81 % (spread 0.68 points; the kernel alone moved seed 0 from
      97.66 % to 97.81 %). The former ≥ 97.0 % sat 0.13 points below the lowest run; this is a
      precondition (the network trained), not a target, so it is asserted ≥ 96.0 %: 1.1 points
      below the minimum, wider than the spread.
    * SNN − ANN: −0.08 … +0.04 points; asserted ≥ −0.3 (README target; margin 0.22 points
      against a spread of 0.12).
    * first step reaching 99 % of the ANN: 3–4; asserted ≤ 10.
    * agreement 99.71–99.87 %; asserted ≥ 99 % (margin 0.7 points, spread 0.16).
    * per-layer Pearson r: 0.9852–0.9996 — heavy-tailed: 13 runs ≥ 0.9988, but the kernel
      alone took one layer of seed 0 to 0.9852 (Sandybridge) and 0.9934 (Prescott). Against
      the former > 0.97 that is a margin (1.5 points) no wider than the spread (1.4); asserted
      > 0.95 (3.5 points, 2.5 times the spread).
    """
    r = evaluate(load_trained(trained["lenet"]), mnist, EvalConfig(timesteps=32)).report
    assert r["n_test"] == 10000 and len(r["accuracy_per_step"]) == 32
    assert r["ann_accuracy"] >= 0.96, r["ann_accuracy"]
    assert r["snn_accuracy"] >= r["ann_accuracy"] - 0.003      # within 0.3 points at T = 32
    assert r["first_step_99pct"] is not None and r["first_step_99pct"] <= 10
    assert r["agreement"] >= 0.99
    for layer in r["layers"]:
        assert layer["pearson_r"] > 0.95, layer


def test_mlp_snn_matches_its_ann_on_the_full_test_set(trained, mnist):
    """Measured with this pipeline (one-epoch MLP, ``TrainConfig(seed=S)``, T = 64), seeds 0–4
    on the default kernel with both the former Adam 1e-3 and the 2e-3-halved schedule of the
    ``mlp`` defaults, plus seeds 0–1 on the Sandybridge kernel (12 runs):

    * ANN accuracy 96.09–96.92 % (spread 0.83 points; the kernel alone moved seed 0 from
      96.26 % to 96.09 %). The former ≥ 96.0 % sat 0.09 points below the lowest run; this is a
      precondition, not a target: asserted ≥ 95.0 %, 1.1 points below the minimum.
    * SNN − ANN: −0.03 … +0.03 points; asserted within 0.2 (README target; margin 0.17 points
      against a spread of 0.06).
    * agreement 99.89–99.98 %; asserted ≥ 99 %.
    """
    r = evaluate(load_trained(trained["mlp"]), mnist, EvalConfig(timesteps=64)).report
    assert r["ann_accuracy"] >= 0.95, r["ann_accuracy"]
    assert abs(r["snn_accuracy"] - r["ann_accuracy"]) <= 0.002  # within 0.2 points at T = 64
    assert r["agreement"] >= 0.99


def test_poisson_input_mean_and_spread_over_seeds(trained, mnist):
    """Measured as for the MLP test above (12 trained MLPs): s.d. over the 3 Poisson seeds
    0.00–0.12 points (asserted < 1 point); mean SNN − ANN −0.13 … +0.12 points (asserted
    ≥ −3 points: 2.9 points below the lowest run, over ten times the spread of 0.25)."""
    config = EvalConfig(timesteps=64, encoding="poisson", seeds=3, n_test=2000)
    r = evaluate(load_trained(trained["mlp"]), mnist, config).report
    assert r["seeds"] == [0, 1, 2] and len(r["snn_accuracy_per_seed"]) == 3
    assert r["snn_accuracy_std"] < 0.01
    assert max(r["accuracy_per_step_std"]) > 0     # the seeds really draw different spikes
    assert r["snn_accuracy"] >= r["ann_accuracy"] - 0.03
    assert np.isclose(r["snn_accuracy"], np.mean(r["snn_accuracy_per_seed"]))


def test_layerwise_and_step_simulators_agree_in_float32_on_the_full_test_set(trained, mnist):
    """Issue #18's float32 bounds: ≥ 99.9 % of spike counts equal and per-step accuracies within
    0.02 points between the time-batched and the step-by-step simulator, one-epoch LeNet, all
    10 000 test images, T = 32 (both in chunks of 500 images, as ``simulate`` streams them).

    In float32 BLAS may sum the larger products in another order, so a potential within a
    rounding error of θ can cross it in one simulator only. Measured here (demo LeNet, the
    benchmark's 1000 images at T = 100): 99.9999 % of 6.5 million counts equal, per-step
    accuracies identical. (In float64 the two are equal bit for bit: test_bridge_layerwise.)"""
    from bridge.convert import convert
    from bridge.layerwise import run_chunk
    from bridge.plan import Plan
    from bridge.step_loop import run_batch
    from ann.training import prepare_images

    snn = convert(load_trained(trained["lenet"]), prepare_images(mnist.x_train[:10000]))
    plan = Plan(snn, np.float32)
    x, y = prepare_images(mnist.x_test), mnist.y_test
    equal = total = 0
    correct = {"step": np.zeros(32), "layerwise": np.zeros(32)}
    for a in range(0, len(x), 500):
        step = run_batch(plan, x[a:a + 500], 32, "constant", None, False)
        layer = run_chunk(plan, x[a:a + 500], 32, "constant", None, False)
        for i in step.counts:
            equal += int(np.count_nonzero(step.counts[i] == layer.counts[i]))
            total += step.counts[i].size
        correct["step"] += np.count_nonzero(step.predictions == y[a:a + 500], axis=1)
        correct["layerwise"] += np.count_nonzero(layer.predictions == y[a:a + 500], axis=1)
    assert equal / total >= 0.999, equal / total
    diff = np.abs(correct["step"] - correct["layerwise"]) / len(x)
    assert diff.max() <= 0.0002, diff.max()
