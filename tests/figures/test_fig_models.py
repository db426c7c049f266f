"""The numbers behind the figures that train or simulate (8–10, 12–14), in quick mode."""

from __future__ import annotations

import numpy as np
import pytest

from figures import (fig08_dropout, fig09_batchnorm, fig10_morphology, fig12_retina,
                     fig13_hierarchy, fig14_bridge)


def rng(k):
    return np.random.default_rng([0, k])


def test_dropout_narrows_the_train_validation_gap():
    d = fig08_dropout.compute(quick=True, rng=rng(7))
    p, q = d["plain"], d["dropout"]
    # both learned (well above chance), the plain network memorised its small training set
    assert p["val_acc"][-1] > 0.8 and q["val_acc"][-1] > 0.8
    assert p["train_acc"][-1] > 0.99
    assert d["dropout_gap"] < d["plain_gap"]
    assert q["train_loss"][-1] > p["train_loss"][-1]          # dropout resists memorising
    assert d["plain_gap"] == pytest.approx(p["val_loss"][-1] - p["train_loss"][-1])


def test_batchnorm_keeps_activations_centred_and_trains_faster():
    d = fig09_batchnorm.compute(quick=True, rng=rng(8))
    assert d["bn"]["val_acc"][-1] > d["plain"]["val_acc"][-1] + 0.1
    bn, plain = d["bn_percentiles"], d["plain_percentiles"]
    # with BN the batch-normalised input has median ≈ β and spread ≈ γ (initially 0 and 1)
    assert np.all(np.abs(bn[:, 1]) < 0.3)
    assert np.all(bn[:, 2] - bn[:, 0] > 1.0)
    # without BN the median drifts more than with it
    assert abs(plain[-1, 1] - plain[0, 1]) > abs(bn[-1, 1] - bn[0, 1])
    # one row per probe image, one column per unit of the last hidden layer
    assert d["bn_final_input"].shape == d["plain_final_input"].shape == (500, 100)


def test_morphology_segments_form_connected_trees():
    from neurosim.neuron.morphology import shape

    d = fig10_morphology.compute(quick=True, rng=rng(9))
    for name in d["order"]:
        s = d["shapes"][name]
        segs = [x for x in s["segments"] if x["kind"] != "soma"]
        soma = s["soma_diameter"] / 2
        ends = {(round(x["x1"], 6), round(x["y1"], 6)) for x in segs}
        for x in segs:
            length = np.hypot(x["x1"] - x["x0"], x["y1"] - x["y0"])
            assert length > 0
            start = (round(x["x0"], 6), round(x["y0"], 6))
            on_soma = abs(np.hypot(x["x0"], x["y0"]) - soma) < 1e-6
            assert on_soma or start in ends, f"{name}: {x['name']} floats free"
        total = sum(np.hypot(x["x1"] - x["x0"], x["y1"] - x["y0"]) for x in segs)
        assert total == pytest.approx(s["dendrite_um"] + s["axon_um"])
        assert s["axon_um"] > 0
        assert s["description"] == shape(name).description


def test_retina_on_and_off_responses_have_the_right_signs():
    d = fig12_retina.compute(quick=True, rng=rng(11))
    img = d["image"]
    bright, dark = img > 0.5, img < 0.02
    for c in range(2):
        on, off = d["rgc_on"][c], d["rgc_off"][c]
        assert on[bright].mean() > 5 * off[bright].mean()
        assert off[dark].mean() > on[dark].mean()
        # the bipolar split is a half-wave rectification of one signal: never both active
        assert np.all(np.minimum(d["bipolar_on"][c], d["bipolar_off"][c]) == 0)
        assert on.min() >= d["r0_hz"][c] - 1e-4
    # photoreceptors compress luminance monotonically
    p = d["photoreceptors"]
    order = np.argsort(img.ravel())
    assert np.all(np.diff(p.ravel()[order]) >= -1e-6)


def test_hierarchy_v1_units_are_tuned_to_their_preferred_orientation():
    d = fig13_hierarchy.compute(quick=True, rng=rng(12))
    th = d["thetas"]
    for pref, r in d["tuning"].items():
        assert th[np.argmax(r)] == pytest.approx(pref, abs=180 / len(th))
        assert d["cv"][pref] < 0.5
    assert d["cv_lgn"] > 0.9
    assert d["c3"].shape == (16,) and np.all((d["c3"] >= 0) & (d["c3"] <= 1))
    assert not np.allclose(d["c3"], d["c3_other"], atol=0.05)   # different digits differ
    # C1 is the MAX over scales and space of V1: never below the V1 maximum it pools
    assert d["c1"].max() == pytest.approx(d["v1_complex"].max(), rel=1e-5)


def test_bridge_snn_accuracy_approaches_the_ann_line():
    d = fig14_bridge.compute(quick=True, rng=rng(13))
    r = d["report"]
    acc = np.asarray(r["accuracy_per_step"])
    assert len(acc) == r["timesteps"]
    assert r["ann_accuracy"] > 0.85
    assert acc[0] < r["ann_accuracy"] - 0.1                  # one step is not enough
    assert acc[-5:].mean() > r["ann_accuracy"] - 0.02         # many steps approach the ANN
    for layer, (a, rate) in zip(r["layers"], d["samples"]):
        assert layer["pearson_r"] > 0.95
        assert np.all((rate >= 0) & (rate <= 1))
