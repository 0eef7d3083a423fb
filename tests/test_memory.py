"""Unit tests of helpers.memory: the task's data, the three networks, training and evaluation, parameter
counts against PyTorch, the drawings, and the benchmark's output file."""
import importlib.util
import inspect
import json
import math
from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import (MEMORY_CONFIGS, MEMORY_KINDS, MemoryNet, count_parameters, draw_memory_accuracy,
                     draw_memory_losses, memory_accuracy, memory_batch, run_memory, train_memory)

ROOT = Path(__file__).resolve().parents[1]


# -- memory_batch ---------------------------------------------------------------------------
def test_memory_batch_layout():
    x, y = memory_batch(50, 7, num_symbols=5, num_distractors=3, generator=torch.Generator().manual_seed(0))
    assert x.shape == (8, 50, 8) and y.shape == (50,) and y.dtype == torch.long
    assert torch.equal(x.sum(dim=2), torch.ones(8, 50))                 # one-hot at every step
    assert torch.equal(x[0].argmax(dim=1), y)                           # step 1 shows the answer
    assert bool((y < 5).all()) and bool((x[0, :, 5:] == 0).all())       # a symbol, not a distractor
    assert bool((x[1:, :, :5] == 0).all())                              # later steps: distractors only
    assert len(set(x[1:].argmax(dim=2).flatten().tolist())) == 3        # all three distractors occur


def test_memory_batch_is_repeatable_and_distance_zero_works():
    a = memory_batch(4, 3, generator=torch.Generator().manual_seed(5))
    b = memory_batch(4, 3, generator=torch.Generator().manual_seed(5))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    x, y = memory_batch(4, 0)
    assert x.shape == (1, 4, 16)


@pytest.mark.parametrize("args, kwargs, err, match", [
    ((0, 3), {}, ValueError, "batch_size must be a positive int"),
    ((2, -1), {}, ValueError, "distance must be an int >= 0"),
    ((2, 1.5), {}, TypeError, "distance must be an int"),
    ((2, 3), {"num_symbols": 0}, ValueError, "num_symbols must be a positive int"),
    ((2, 3), {"generator": 0}, TypeError, "generator must be None or a torch._C.Generator"),
])
def test_memory_batch_rejects_bad_input(args, kwargs, err, match):
    with pytest.raises(err, match=match):
        memory_batch(*args, **kwargs)


# -- MemoryNet ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_memory_net_kinds_and_shapes(kind):
    net = MemoryNet(kind, hidden_size=6, num_symbols=5, num_distractors=3)
    assert type(net.rnn) is MEMORY_KINDS[kind]
    assert net.rnn.input_size == 8 and net.rnn.hidden_size == 6
    x, _ = memory_batch(4, 9, num_symbols=5, num_distractors=3)
    assert net(x).shape == (4, 5)
    n_head = 6 * 5 + 5
    assert sum(p.numel() for p in net.parameters()) == count_parameters(kind, 8, 6) + n_head


def test_memory_net_reads_the_last_step():
    net = MemoryNet("gru", hidden_size=5)
    x, _ = memory_batch(3, 4)
    out, _ = net.rnn(x)
    torch.testing.assert_close(net(x), net.head(out[-1]))
    x2 = x.clone()
    x2[-1] = torch.roll(x2[-1], 1, dims=1)                               # change only the last step
    assert not torch.allclose(net(x2), net(x))


def test_memory_net_gate_biases():
    net = MemoryNet("lstm", hidden_size=4, forget_bias=5.0, input_bias=-5.0)
    total = net.rnn.bias_ih_l0 + net.rnn.bias_hh_l0
    assert torch.equal(total[4:8], torch.full((4,), 5.0)) and torch.equal(total[:4], torch.full((4,), -5.0))
    gru = MemoryNet("gru", hidden_size=4, update_bias=5.0).rnn
    total = gru.bias_ih_l0 + gru.bias_hh_l0                  # PyTorch's gate order r, z, n
    assert torch.equal(total[4:8], torch.full((4,), 5.0))


@pytest.mark.parametrize("args, kwargs, err, match", [
    (("cnn",), {}, ValueError, "kind must be one of"),
    (("rnn",), {"hidden_size": 0}, ValueError, "hidden_size must be a positive int"),
    (("gru",), {"forget_bias": 1.0}, ValueError, "LSTM gates"),
    (("lstm",), {"forget_bias": "1"}, TypeError, "forget must be a real number"),
    (("rnn",), {"update_bias": 1.0}, ValueError, "update gate"),
    (("gru",), {"update_bias": "1"}, TypeError, "value must be a real number"),
])
def test_memory_net_rejects_bad_input(args, kwargs, err, match):
    with pytest.raises(err, match=match):
        MemoryNet(*args, **kwargs)


def test_every_benchmark_config_builds():
    labels = [label for label, _ in MEMORY_CONFIGS.values()]
    assert len(set(labels)) == len(labels)
    for name, (_, kwargs) in MEMORY_CONFIGS.items():
        assert isinstance(MemoryNet(**kwargs), MemoryNet), name


# -- training and evaluation ----------------------------------------------------------------
class Oracle(MemoryNet):
    """Answers from step 1 directly: always right."""

    def forward(self, x):
        return x[0, :, :self.num_symbols]


class Constant(MemoryNet):
    """Always answers symbol 0: right 1 time in num_symbols."""

    def forward(self, x):
        scores = torch.zeros(x.shape[1], self.num_symbols)
        scores[:, 0] = 1.0
        return scores


def test_memory_accuracy_of_an_oracle_and_of_a_constant():
    assert memory_accuracy(Oracle("rnn", hidden_size=2), 30, num_sequences=500) == 1.0
    constant = memory_accuracy(Constant("rnn", hidden_size=2), 30, num_sequences=4000)
    assert abs(constant - 1 / 8) < 0.02


def test_training_learns_a_short_distance_and_repeats():
    torch.manual_seed(0)
    net = MemoryNet("rnn", hidden_size=16)
    calls = []
    losses = train_memory(net, 2, steps=150, seed=3, progress=lambda done, total: calls.append((done, total)))
    assert len(losses) == 150 and calls[-1] == (150, 150) and len(calls) == 150
    assert sum(losses[-10:]) / 10 < 0.1 * losses[0]
    assert memory_accuracy(net, 2) > 0.95
    torch.manual_seed(0)
    assert train_memory(MemoryNet("rnn", hidden_size=16), 2, steps=20, seed=3) == losses[:20]


def test_run_memory_is_repeatable():
    a = run_memory(3, seed=1, steps=20, eval_sequences=200, kind="lstm", hidden_size=8, forget_bias=1.0)
    b = run_memory(3, seed=1, steps=20, eval_sequences=200, kind="lstm", hidden_size=8, forget_bias=1.0)
    assert set(a) == {"model", "losses", "accuracy", "seconds"}
    assert a["losses"] == b["losses"] and a["accuracy"] == b["accuracy"]
    assert isinstance(a["model"].rnn, nn.LSTM) and 0 <= a["accuracy"] <= 1


@pytest.mark.parametrize("kwargs, err, match", [
    ({"steps": 0}, ValueError, "steps must be a positive int"),
    ({"lr": -1.0}, ValueError, "lr must be a positive finite number"),
    ({"clip": 0}, ValueError, "clip must be a positive finite number"),
    ({"seed": -1}, ValueError, "seed must be an int >= 0"),
    ({"progress": 3}, TypeError, "progress must be None or a callable"),
])
def test_train_memory_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        train_memory(MemoryNet("rnn", hidden_size=2), 3, **kwargs)


def test_training_and_evaluation_need_a_memory_net():
    with pytest.raises(TypeError, match="model must be a helpers.memory.MemoryNet"):
        train_memory(nn.RNN(16, 4), 3)
    with pytest.raises(TypeError, match="model must be"):
        memory_accuracy(nn.LSTM(16, 4), 3)
    with pytest.raises(ValueError, match="num_sequences must be a positive int"):
        memory_accuracy(MemoryNet("rnn", hidden_size=2), 3, num_sequences=0)


# -- count_parameters -----------------------------------------------------------------------
@pytest.mark.parametrize("input_size, hidden_size, num_layers, bidirectional",
                         [(100, 20, 1, False), (16, 32, 1, False), (3, 7, 3, False), (5, 4, 2, True)])
def test_count_parameters_matches_pytorch(input_size, hidden_size, num_layers, bidirectional):
    counts = {}
    for kind, cls in MEMORY_KINDS.items():
        module = cls(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional)
        counts[kind] = count_parameters(kind, input_size, hidden_size, num_layers, bidirectional)
        assert counts[kind] == sum(p.numel() for p in module.parameters()), kind
    assert counts["gru"] == 3 * counts["rnn"] and counts["lstm"] == 4 * counts["rnn"]


@pytest.mark.parametrize("args, err, match", [
    (("transformer", 3, 4), ValueError, "kind must be one of"),
    (("lstm", 0, 4), ValueError, "input_size must be a positive int"),
    (("lstm", 3, 4, 1, 1), TypeError, "bidirectional must be a bool"),
    (("gru", 3, 4.0), TypeError, "hidden_size must be a positive int"),
])
def test_count_parameters_rejects_bad_input(args, err, match):
    with pytest.raises(err, match=match):
        count_parameters(*args)


# -- drawings -------------------------------------------------------------------------------
ACCURACY = {"rnn": [[1.0, 1.0], [0.4, 0.3], [0.2, 0.1]], "lstm_bf5_bi-5": [[1.0, 1.0], [1.0, 1.0], [1.0, 0.99]]}


def test_draw_memory_accuracy_draws_every_network_and_chance():
    fig = draw_memory_accuracy(ACCURACY, [5, 50, 200], num_symbols=8, highlight=50)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = [l for l in ax.lines if l.get_label() in ("RNN", "LSTM, $b_f = 5$, $b_i = -5$")]
    assert len(lines) == 2
    rnn_line = next(l for l in lines if l.get_label() == "RNN")
    assert list(rnn_line.get_xdata()) == [5, 50, 200]
    assert list(rnn_line.get_ydata()) == pytest.approx([1.0, 0.35, 0.15])   # means over seeds
    assert any(list(l.get_ydata()) == [1 / 8, 1 / 8] for l in ax.lines)      # chance
    assert any("chance = 1/8" == t.get_text() for t in ax.texts)
    assert len(ax.collections) == 2                                         # one dot per seed, per network
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "50", "200"]
    assert len(ax.patches) == 1                                             # the highlighted distance


@pytest.mark.parametrize("accuracy, distances, kwargs, err, match", [
    ({"rnn": [[1.0], [0.5]]}, [5, 50, 200], {}, ValueError, "one row of seeds per distance"),
    ({"rnn": [1.2, 0.5, 0.1]}, [5, 50, 200], {}, ValueError, r"in \[0, 1\]"),
    (ACCURACY, [5, 50, 200], {"highlight": 20}, ValueError, "highlight must be one of"),
    (ACCURACY, [50, 5, 200], {}, ValueError, "increasing"),
    (ACCURACY, [5, 50, 200], {"num_symbols": 1}, ValueError, "num_symbols must be an int >= 2"),
    ([], [5, 50, 200], {}, TypeError, "accuracy must be a non-empty dict"),
])
def test_draw_memory_accuracy_rejects_bad_input(accuracy, distances, kwargs, err, match):
    kwargs = {"num_symbols": 8, **kwargs}
    with pytest.raises(err, match=match):
        draw_memory_accuracy(accuracy, distances, **kwargs)


def test_draw_memory_losses_draws_each_curve_and_ln_k():
    curves = {"rnn": [2.0, 1.0, 0.5], "lstm": [2.08, 2.08, 2.08]}
    fig = draw_memory_losses(curves, distance=50, every=20, num_symbols=8)
    ax = fig.axes[0]
    labelled = [l for l in ax.lines if not l.get_label().startswith("_")]
    assert [l.get_label() for l in labelled] == ["RNN", "LSTM, PyTorch's init"]
    assert list(labelled[0].get_xdata()) == [10, 30, 50]                    # window centres
    assert any(list(l.get_ydata()) == pytest.approx([math.log(8)] * 2) for l in ax.lines)
    assert "L = 50" in ax.get_title() and any("ln 8" in t.get_text() for t in ax.texts)


@pytest.mark.parametrize("curves, kwargs, err, match", [
    ({}, {}, TypeError, "curves must be a non-empty dict"),
    ({"rnn": [1.0, float("nan")]}, {}, ValueError, "finite losses"),
    ({"rnn": [1.0]}, {"distance": 0}, ValueError, "distance must be a positive int"),
    ({"rnn": [1.0]}, {"every": 2.5}, TypeError, "every must be a positive int"),
])
def test_draw_memory_losses_rejects_bad_input(curves, kwargs, err, match):
    kwargs = {"distance": 5, "every": 20, "num_symbols": 8, **kwargs}
    with pytest.raises(err, match=match):
        draw_memory_losses(curves, **kwargs)


# -- the benchmark and its stored result ----------------------------------------------------
def load_bench():
    spec = importlib.util.spec_from_file_location("bench_memory", ROOT / "tests" / "bench_memory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_writes_what_chapter_7_reads(tmp_path):
    bench = load_bench()
    out = tmp_path / "memory.json"
    results = bench.run(["rnn", "lstm_bf5_bi-5"], distances=[1, 2], seeds=[0], out=out, steps=40)
    stored = json.loads(out.read_text())
    assert stored == json.loads(json.dumps(results))
    assert stored["distances"] == [1, 2] and stored["seeds"] == [0] and stored["task"]["steps"] == 40
    for name in ("rnn", "lstm_bf5_bi-5"):
        assert set(stored["accuracy"][name]) == {"1", "2"}
        assert len(stored["accuracy"][name]["2"]) == 1 and 0 <= stored["accuracy"][name]["2"][0] <= 1
        assert len(stored["loss_windows"][name]["1"]) == 40 // stored["window"]
    with pytest.raises(ValueError, match="multiple of 20"):
        bench.run(["rnn"], distances=[1], seeds=[0], out=out, steps=30)
    # the recorded settings are the ones the functions really use: their defaults
    def defaults(f):
        return {name: p.default for name, p in inspect.signature(f).parameters.items()}

    net, train, evaluate, task = defaults(MemoryNet), defaults(train_memory), defaults(memory_accuracy), stored["task"]
    assert [task[k] for k in ("num_symbols", "num_distractors", "hidden_size")] == [
        net[k] for k in ("num_symbols", "num_distractors", "hidden_size")]
    assert [task[k] for k in ("batch_size", "lr", "clip")] == [train[k] for k in ("batch_size", "lr", "clip")]
    assert (task["eval_sequences"], task["eval_seed"]) == (evaluate["num_sequences"], evaluate["seed"])


def test_the_books_stored_result_is_complete():
    stored = json.loads((ROOT / "book" / "data" / "memory.json").read_text())
    assert stored["distances"] == [5, 10, 20, 50, 100, 200] and stored["seeds"] == [0, 1, 2]
    assert set(stored["accuracy"]) == set(MEMORY_CONFIGS)
    for name, (_, kwargs) in MEMORY_CONFIGS.items():
        assert stored["configs"][name] == kwargs
        for L in stored["distances"]:
            assert len(stored["accuracy"][name][str(L)]) == 3
            assert len(stored["loss_windows"][name][str(L)]) == stored["task"]["steps"] // stored["window"]
