"""NIR both ways (issue #20), without torch.

* Graphs that norse 1.1.0 and snnTorch 1.0.0 exported themselves (``tests/bridge/fixtures/nir/``,
  written by ``benchmarks/interop_nir.py --fixtures``, versions inside each ``.npz``) run on
  :mod:`bridge.nir_run` and reproduce, step by step, the outputs the clients computed for them.
* ``neurosim → NIR → neurosim`` gives back the same network (weights, settings, spike counts)
  in each export form, and the NIR runner fires as neurosim's simulator (reset to zero, V0 = 0).
* Bad graphs: one line, exit 2.
"""

import json
from dataclasses import replace
from pathlib import Path

import h5py
import nir
import numpy as np
import pytest
from conftest import random_network, small_cnn_spec

from bridge.convert import convert
from bridge.nir_export import CLIENTS, export_notes, to_nir, write_nir
from bridge.nir_graph import plan_graph, read_graph
from bridge.nir_import import to_spiking_network
from bridge.nir_run import run_graph
from bridge.simulate import spike_counts
from pipeline.console import main

FIXTURES = Path(__file__).parent / "fixtures" / "nir"
NAMES = ["norse_mlp", "norse_cnn", "snntorch_mlp", "snntorch_cnn"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_client_graphs_reproduce_the_clients_outputs(name, dtype):
    rec = np.load(FIXTURES / f"{name}.npz")
    versions = json.loads(str(rec["versions"]))
    assert versions["nir"] == "1.0.8" and {"torch", "norse", "snntorch"} <= set(versions)
    plan = plan_graph(read_graph(FIXTURES / f"{name}.nir"))
    x = rec["inputs"]
    run = run_graph(plan, x, len(x), dt=float(rec["dt"]), dtype=dtype)
    theirs = rec["outputs"].reshape(run.outputs.shape)
    assert theirs.sum() > 20  # the clients' outputs hold spikes: the check is not vacuous
    np.testing.assert_array_equal(run.outputs, theirs)


def test_norse_export_scales_tau_by_dt():
    """norse 1.1's to_nir writes τ = dt/τ_mem_inv (= dt·τ): its graph run at dt is not the module
    it came from; at dt² it is (the module's outputs, recorded beside the graph's)."""
    rec = np.load(FIXTURES / "norse_mlp.npz")
    plan = plan_graph(read_graph(FIXTURES / "norse_mlp.nir"))
    x = rec["inputs"]
    run = run_graph(plan, x, len(x), dt=float(rec["dt"]) ** 2, dtype=np.float32)
    np.testing.assert_array_equal(run.outputs, rec["module_outputs"].reshape(run.outputs.shape))
    assert not np.array_equal(rec["module_outputs"], rec["outputs"])


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("reset,readout,v_init", [("zero", "potential", 0.0),
                                                  ("subtract", "spikes", 0.5)])
def test_round_trip_is_exact(tmp_path, images, client, reset, readout, v_init):
    snn = convert(random_network(small_cnn_spec("AvgPool2D"), seed=4), images, norm="p99",
                  reset=reset, signed=False, readout=readout, v_init=v_init)
    back = to_spiking_network(plan_graph(read_graph(write_nir(snn, tmp_path / "g.nir",
                                                              client=client))))
    assert back.params == snn.params and back.input_shape == snn.input_shape
    for a, b in zip(snn.ops, back.ops, strict=True):
        assert type(a) is type(b)
        if hasattr(a, "W"):
            np.testing.assert_array_equal(a.W, b.W)
            np.testing.assert_array_equal(a.b, b.b)
            assert (a.kind, a.stride, a.padding, a.spiking, a.name) == \
                (b.kind, b.stride, b.padding, b.spiking, b.name)
        else:
            assert a == b
    for c, d in zip(spike_counts(snn, images[:8], 20), spike_counts(back, images[:8], 20)):
        np.testing.assert_array_equal(c, d)


@pytest.mark.parametrize("client", CLIENTS)
def test_runner_fires_as_the_simulator(tmp_path, images, client):
    snn = convert(random_network(small_cnn_spec("AvgPool2D"), seed=4), images, norm="p99",
                  reset="zero", readout="spikes", v_init=0.0)
    plan = plan_graph(read_graph(write_nir(snn, tmp_path / "g.nir", client=client)))
    run = run_graph(plan, images[:8].transpose(0, 3, 1, 2), 20,
                    dt=float(plan.metadata["dt"]), dtype=np.float32)
    ours = [c.transpose(0, 3, 1, 2) if c.ndim == 4 else c
            for c in spike_counts(snn, images[:8], 20)]
    assert len(ours) == len(run.counts)
    for a, b in zip(ours, run.counts.values()):
        np.testing.assert_array_equal(a, b)


def test_export_forms_and_notes(images):
    snn = convert(random_network(small_cnn_spec("AvgPool2D")), images, reset="subtract",
                  signed=False, v_init=0.5)
    with pytest.raises(ValueError, match="NIR's IF neuron sends no negative spikes"):
        to_nir(replace(snn, params=replace(snn.params, signed=True)))
    kinds = {c: {type(n).__name__ for n in to_nir(snn, client=c).nodes.values()}
             for c in CLIENTS}
    assert {"AvgPool2d", "IF", "I"} <= kinds["nir"]
    assert "SumPool2d" in kinds["norse"] and "AvgPool2d" not in kinds["norse"]
    assert "I" not in kinds["norse"] and "I" not in kinds["snntorch"]
    assert "LIF" in kinds["snntorch"] and "IF" not in kinds["snntorch"]
    notes = export_notes(to_nir(snn, client="norse"))
    assert len(notes) == 3 and all("\n" not in n for n in notes)
    with pytest.raises(ValueError, match="reset by subtraction has no exact NIR form"):
        to_nir(snn, allow_subtract=False)


def _chain(*nodes, edges=None):
    names = ["input"] + [str(i) for i in range(len(nodes) - 2)] + ["output"]
    return nir.NIRGraph(nodes=dict(zip(names, nodes)), type_check=False,
                        edges=edges or list(zip(names[:-1], names[1:])))


def _affine(n_in, n_out):
    return nir.Affine(weight=np.ones((n_out, n_in), np.float32), bias=np.zeros(n_out, np.float32))


def _if(n):
    return nir.IF(r=np.ones(n, np.float32), v_threshold=np.ones(n, np.float32),
                  v_reset=np.zeros(n, np.float32))


def _inp(n):
    return nir.Input(input_type={"input": np.array([n])})


def _out(n):
    return nir.Output(output_type={"output": np.array([n])})


def _bad_graphs():
    yield "unknown NIR node type 'Frobnicate'", _chain(_inp(4), _affine(4, 3), _if(3), _out(3)), \
        ("0", "Frobnicate")
    yield "'1' (IF) takes input of shape", _chain(_inp(4), _affine(4, 3), _if(5), _out(5)), None
    yield "has 0 Input nodes", nir.NIRGraph(nodes={"a": _affine(4, 3), "output": _out(3)},
                                            edges=[("a", "output")], type_check=False), None
    yield "has 0 Output nodes", nir.NIRGraph(nodes={"input": _inp(3), "a": _if(3)},
                                             edges=[("input", "a")], type_check=False), None
    yield "cycle: ", _chain(_inp(3), _affine(3, 3), _if(3), _out(3),
                            edges=[("input", "0"), ("0", "1"), ("1", "0"), ("1", "output")]), None
    yield "'0': NIR node type 'Delay' cannot be run", _chain(
        _inp(3), nir.Delay(delay=np.ones(3, np.float32)), _out(3)), None


@pytest.mark.parametrize("case", list(range(6)))
def test_bad_graphs_one_line_exit_2(tmp_path, capsys, case):
    message, graph, retype = list(_bad_graphs())[case]
    path = tmp_path / "bad.nir"
    nir.write(path, graph)
    if retype:
        with h5py.File(path, "r+") as f:
            del f["node"]["nodes"][retype[0]]["type"]
            f["node"]["nodes"][retype[0]]["type"] = np.bytes_(retype[1])
    assert main(["convert", str(path), "--offline"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_lif_graph_runs_on_the_nir_runner_not_the_simulator():
    plan = plan_graph(read_graph(FIXTURES / "snntorch_mlp.nir"))
    with pytest.raises(ValueError, match="IF neurons only"):
        to_spiking_network(plan)


def _mnist_graph(tmp_path, client):
    """A random 784-32-10 network in ``client``'s node forms, without neurosim's metadata (so it
    is read by its NIR semantics alone, as a foreign graph)."""
    from ann.network import Network
    from ann.spec import LayerSpec, ModelSpec

    spec = ModelSpec((784,), (LayerSpec("Dense", {"units": 32, "activation": "relu"}),
                              LayerSpec("Dense", {"units": 10, "activation": "softmax"})))
    x = np.random.default_rng(0).random((50, 784)).astype(np.float32)
    snn = convert(Network.from_spec(spec, np.random.default_rng(1)), x, reset="zero", v_init=0.0)
    graph = to_nir(snn, client=client)
    graph.metadata = {}
    nir.write(tmp_path / f"{client}.nir", graph)
    return tmp_path / f"{client}.nir"


@pytest.mark.parametrize("client,dt,engine", [("norse", None, "batched simulator"),
                                              ("snntorch", "1e-4", "NIR runner")])
def test_convert_runs_a_foreign_graph_on_mnist(tmp_path, capsys, client, dt, engine):
    path = _mnist_graph(tmp_path, client)
    argv = ["convert", str(path), "--offline", "--n-test", "40", "-T", "4", "--json"]
    assert main(argv + (["--dt", dt] if dt else [])) == 0
    report = json.loads(capsys.readouterr().out)
    assert engine in report["engine"] and len(report["accuracy_per_step"]) == 4
