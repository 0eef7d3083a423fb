"""Unit tests of chapter 6's training: the note's loop, the better recipe and its polish, the
free-running loss, the progress bar and the time-to-quality clock."""
import time

import numpy as np
import pytest
import torch
from torch import nn, optim

import helpers.sine_training as sine_training
from helpers import (NoteNet, ProgressBar, QualityClock, SineRNN, free_run, free_run_errors, free_running_loss,
                     heldout_phases, polish, set_seed, sine_batch, teacher_forced_error, train_better_recipe,
                     train_note_recipe)

SMALL = dict(adam_steps=6, batch_size=8, num_points=12, teacher_forced_steps=4, free_running_steps=3, horizon=10,
             warmups=(2, 3), hidden_size=4)


# -- the note's recipe --------------------------------------------------------------------------
def _note_loop_verbatim(iterations):
    """The note's training code, line for line (data built with np.linspace as the note does)."""
    set_seed(0)
    model = NoteNet()
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), 0.01)
    h = torch.zeros(1, 1, 16)
    num_points = 50
    seq_len = num_points - 1
    losses = []
    for _ in range(iterations):
        k = np.random.randint(3, size=1)[0]
        time_steps = np.linspace(k, k + 10, num_points)
        data = np.sin(time_steps)
        data = data.reshape(num_points, 1)
        x = torch.tensor(data[:-1]).float().view(1, seq_len, 1)
        y = torch.tensor(data[1:]).float().view(1, seq_len, 1)
        out, h = model(x, h)
        h = h.detach()
        loss = criterion(out, y)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def test_train_note_recipe_is_the_note_loop_and_reports_progress():
    reference, reference_losses = _note_loop_verbatim(40)
    calls, checkpoints = [], []
    model, losses = train_note_recipe(iterations=40, seed=0, progress=lambda done, total: calls.append((done, total)),
                                      checkpoint=lambda done, m, last: checkpoints.append((done, last)))
    assert losses == reference_losses
    for a, b in zip(model.parameters(), reference.parameters()):
        assert torch.equal(a, b)
    assert calls == [(i, 40) for i in range(1, 41)]
    assert checkpoints == [(i, i == 40) for i in range(41)]


@pytest.mark.parametrize("kwargs, err, match", [
    ({"iterations": 0}, ValueError, "iterations must be a positive int"),
    ({"lr": -0.1}, ValueError, "lr must be a positive"),
    ({"seed": 1.5}, TypeError, "seed must be an int"),
    ({"progress": "bar"}, TypeError, "progress must be None or a callable"),
    ({"checkpoint": 3}, TypeError, "checkpoint must be None or a callable"),
])
def test_train_note_recipe_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        train_note_recipe(**kwargs)


# -- the free-running loss ------------------------------------------------------------------------
def test_free_running_loss_is_the_mse_of_free_run_and_differentiable():
    set_seed(1)
    net = SineRNN(5)
    windows = sine_batch(heldout_phases(6, seed=1), 4 + 15)
    loss = free_running_loss(net, windows, (2, 4), 15)
    with torch.no_grad():
        errors = torch.cat([free_run(net, windows[:, :w], 15) - windows[:, w:w + 15] for w in (2, 4)])
    torch.testing.assert_close(loss.detach(), (errors ** 2).mean())
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())


@pytest.mark.parametrize("args, err, match", [
    (("net", torch.zeros(2, 20, 1), (2,), 5), TypeError, "model must be a torch.nn"),
    ((None, torch.zeros(2, 6, 1), (2,), 5), ValueError, "T >= max"),
    ((None, torch.zeros(2, 20), (2,), 5), ValueError, "windows must have 3 dims"),
    ((None, torch.zeros(2, 20, 1), (), 5), ValueError, "warmups must hold at least one positive int"),
    ((None, torch.zeros(2, 20, 1), (2,), 0), ValueError, "steps must be a positive int"),
])
def test_free_running_loss_rejects_bad_input(args, err, match):
    model, windows, warmups, steps = args
    with pytest.raises(err, match=match):
        free_running_loss(SineRNN(2) if model is None else model, windows, warmups, steps)


# -- the better recipe ------------------------------------------------------------------------------
def test_train_better_recipe_is_deterministic_and_its_bar_ends_with_training():
    calls, checkpoints = [], []
    model, log = train_better_recipe(**SMALL, seed=3, progress=lambda done, total: calls.append((done, total)),
                                     checkpoint=lambda done, m, last: checkpoints.append((done, last)))
    again, log_again = train_better_recipe(**SMALL, seed=3)
    assert isinstance(model, SineRNN) and model.hidden_size == 4
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert log["losses"] == log_again["losses"]
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters()))
    total = 6 + 4 + 3
    assert {t for _, t in calls} == {total}
    assert all(done < total for done, _ in calls[:-1]) and calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert checkpoints[0] == (0, False) and checkpoints[-1] == (len(log["losses"]), True)
    assert [last for _, last in checkpoints].count(True) == 1
    starts = log["starts"]
    assert starts["Adam"] == 0 and starts["L-BFGS, teacher-forced"] == 6
    assert 6 + 4 <= starts["L-BFGS, free-running"] < len(log["losses"])
    assert set(log["stages"]) == {"after Adam", "after the teacher-forced polish"}
    # L-BFGS stops at max_iter iterations or at PyTorch's default budget of max_iter * 5 // 4 loss
    # evaluations: the teacher-forced stage (4 iterations, budget 5) runs all 4; the free-running
    # stage (3 iterations, budget 3: one evaluation before the first iteration) runs 2
    evaluations = {"L-BFGS, teacher-forced": starts["L-BFGS, free-running"] - starts["L-BFGS, teacher-forced"],
                   "L-BFGS, free-running": len(log["losses"]) - starts["L-BFGS, free-running"]}
    assert evaluations == {"L-BFGS, teacher-forced": 4 * 5 // 4, "L-BFGS, free-running": 3 * 5 // 4}
    assert log["iterations"] == {"Adam": 6, "L-BFGS, teacher-forced": 4, "L-BFGS, free-running": 2}


def test_lbfgs_returns_the_iterations_it_ran_and_stops_early_when_converged():
    w = nn.Parameter(torch.zeros(1, dtype=torch.float64))
    model = nn.Module()
    model.w = w
    losses, reports = [], []
    ran = sine_training._lbfgs(model, lambda: ((w - 3) ** 2).sum(), 50, losses, reports.append)
    assert 1 <= ran < 50                                       # a 1-D quadratic: solved long before 50
    torch.testing.assert_close(w.detach(), torch.tensor([3.0], dtype=torch.float64))
    assert len(losses) >= ran + 1 and max(reports) == ran - 1   # the reports count finished iterations
    w.data.zero_()
    few = []                                                   # 2 iterations allow 2 * 5 // 4 = 2 evaluations:
    assert sine_training._lbfgs(model, lambda: ((w - 3) ** 2).sum(), 2, few, lambda done: None) == 1
    assert len(few) == 2                                       # the first, then one line-search step


def test_train_better_recipe_leaves_a_stage_of_zero_steps_out_of_the_iterations():
    _, log = train_better_recipe(**{**SMALL, "teacher_forced_steps": 0, "free_running_steps": 8}, seed=1)
    assert set(log["iterations"]) == {"Adam", "L-BFGS, free-running"} and 1 <= log["iterations"]["L-BFGS, free-running"] <= 8
    _, log = train_better_recipe(**{**SMALL, "teacher_forced_steps": 0, "free_running_steps": 0}, seed=1)
    assert log["iterations"] == {"Adam": 6}


def test_train_better_recipe_adam_stage_is_written_the_way_the_chapter_writes_it():
    set_seed(2)
    net = SineRNN(4).double()
    optimizer = optim.Adam(net.parameters(), lr=0.01)
    for _ in range(5):
        starts = 2 * torch.pi * torch.rand(8, dtype=torch.float64)
        windows = sine_batch(starts, 12, dtype=torch.float64)
        out, _ = net(windows[:, :-1])
        loss = nn.functional.mse_loss(out[:, 1:], windows[:, 2:])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()
    model, log = train_better_recipe(adam_steps=5, batch_size=8, num_points=12, teacher_forced_steps=0,
                                     free_running_steps=0, hidden_size=4, seed=2)
    assert len(log["losses"]) == 5
    assert all(torch.equal(a.float(), b) for a, b in zip(net.parameters(), model.parameters()))


def test_train_better_recipe_variants_change_what_they_say():
    base, _ = train_better_recipe(**SMALL, seed=0)
    for changes in (dict(start_phases="note"), dict(carry_state=True), dict(min_warmup=5),
                    dict(dtype=torch.float32)):
        other, _ = train_better_recipe(**SMALL, seed=0, **changes)
        assert not all(torch.equal(a, b) for a, b in zip(base.parameters(), other.parameters())), changes


def test_train_better_recipe_beats_the_note_on_held_out_phases():
    phases = heldout_phases(32, seed=11)
    note, _ = train_note_recipe(iterations=300, seed=0)
    better, _ = train_better_recipe(adam_steps=100, teacher_forced_steps=60, free_running_steps=10, seed=0)
    assert free_run_errors(better, phases, warmup=3).mean() < free_run_errors(note, phases, warmup=3).mean() / 10


@pytest.mark.parametrize("kwargs, err, match", [
    ({"adam_steps": 0}, ValueError, "adam_steps must be a positive int"),
    ({"batch_size": 0}, ValueError, "batch_size must be a positive int"),
    ({"clip": 0}, ValueError, "clip must be a positive"),
    ({"min_warmup": 24}, ValueError, r"min_warmup must be an int in \[1, 23\]"),
    ({"start_phases": "all"}, ValueError, "start_phases must be one of"),
    ({"carry_state": 1}, TypeError, "carry_state must be a bool"),
    ({"teacher_forced_steps": -1}, ValueError, "teacher_forced_steps must be an int >= 0"),
    ({"dtype": torch.float16}, ValueError, "dtype must be one of"),
    ({"hidden_size": 0}, ValueError, "hidden_size must be a positive int"),
    ({"progress": 3}, TypeError, "progress must be None or a callable"),
])
def test_train_better_recipe_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        train_better_recipe(**kwargs)


def test_polish_improves_a_copy_and_leaves_the_model_alone():
    set_seed(5)
    note = NoteNet()
    before = [p.detach().clone() for p in note.parameters()]
    polished, losses = polish(note, teacher_forced_steps=15, free_running_steps=5, horizon=20, warmups=(2, 5))
    assert isinstance(polished, SineRNN) and all(p.dtype == torch.float32 for p in polished.parameters())
    assert all(torch.equal(p, q) for p, q in zip(note.parameters(), before))
    assert len(losses) >= 15 + 5
    phases = heldout_phases(16, seed=5)
    assert teacher_forced_error(polished, phases, warmup=5) < teacher_forced_error(note, phases, warmup=5) / 10
    assert free_run_errors(polished, phases, warmup=5).mean() < free_run_errors(note, phases, warmup=5).mean()


@pytest.mark.parametrize("kwargs, err, match", [
    ({"teacher_forced_steps": 0, "free_running_steps": 0}, ValueError, "at least one L-BFGS step"),
    ({"horizon": 0}, ValueError, "horizon must be a positive int"),
    ({"warmups": [0]}, ValueError, r"warmups\[0\] must be a positive int"),
    ({"start_phases": 3}, ValueError, "start_phases must be one of"),
])
def test_polish_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        polish(SineRNN(2), **kwargs)


# -- the progress bar -------------------------------------------------------------------------------
def test_progress_bar_honours_the_total_it_is_given():
    bar = ProgressBar(10, "demo")
    bar(4)
    assert bar.done == 4 and bar.total == 10
    bar(5, 620)                                               # a training function knows its total
    assert bar.total == 620 and "5/620" in repr(bar)
    assert '<progress max="620" value="5"' in bar._repr_html_()
    with pytest.raises(ValueError, match=r"done must be an int in \[0, 620\]"):
        bar(621)
    with pytest.raises(ValueError, match="total must be a positive int"):
        ProgressBar(0)
    with pytest.raises(TypeError, match="label must be a str"):
        ProgressBar(3, label=5)


# -- the time-to-quality clock ------------------------------------------------------------------------
def test_quality_clock_measures_every_few_steps_and_leaves_measuring_out(monkeypatch):
    measured = []

    def slow_errors(model, phases, warmup, steps):             # stands in for the held-out measurement
        measured.append(model)
        time.sleep(0.05)
        return torch.tensor([0.5 / (len(measured))])

    monkeypatch.setattr(sine_training, "free_run_errors", slow_errors)
    clock = QualityClock(heldout_phases(4), every=2)
    net = SineRNN(3)
    clock(0, net)
    for done in range(1, 6):
        time.sleep(0.01)                                        # "training"
        clock(done, net, last=done == 5)
    assert [done for done, _, _ in clock.record] == [0, 2, 4, 5]
    assert 0.04 <= clock.seconds < 0.15                         # 5 x 10 ms trained; 4 x 50 ms measured, left out
    assert all(isinstance(m, SineRNN) and m is not net for m in measured)   # a float32 copy is measured
    assert clock.reached(0.2) == (4, clock.record[2][1]) and clock.reached(0.01) is None
    with pytest.raises(ValueError, match="level must be a positive"):
        clock.reached(0.0)


def test_quality_clock_paused_leaves_the_progress_bar_out(monkeypatch):
    monkeypatch.setattr(sine_training, "free_run_errors", lambda model, phases, warmup, steps: torch.tensor([0.1]))
    clock = QualityClock(heldout_phases(4), every=100)
    shown = []

    def slow_bar(done, total):                                 # a progress bar that takes 50 ms to draw
        shown.append((done, total))
        time.sleep(0.05)

    bar = clock.paused(slow_bar)
    bar(0, 5)                                                  # before the first checkpoint: nothing to stop
    assert clock.seconds == 0.0
    net = SineRNN(3)
    clock(0, net)
    for done in range(1, 6):
        time.sleep(0.01)                                       # "training"
        bar(done, 5)
        clock(done, net, last=done == 5)
    assert shown == [(done, 5) for done in range(6)]
    assert 0.04 <= clock.seconds < 0.15                        # 5 x 10 ms trained; 6 x 50 ms drawing, left out
    with pytest.raises(TypeError, match="progress must be a callable"):
        clock.paused(5)


def test_quality_clock_paused_drives_a_progress_bar_through_a_real_training():
    phases = heldout_phases(8)
    clock = QualityClock(phases, every=5, warmup=3, steps=10)
    bar = ProgressBar(1, "note")
    model, _ = train_note_recipe(iterations=10, seed=0, checkpoint=clock, progress=clock.paused(bar))
    reference, _ = train_note_recipe(iterations=10, seed=0)
    assert bar.done == bar.total == 10
    assert [done for done, _, _ in clock.record] == [0, 5, 10]
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), reference.parameters()))


def test_quality_clock_on_a_real_training_measures_the_held_out_error():
    phases = heldout_phases(8)
    clock = QualityClock(phases, every=5, warmup=3, steps=10)
    model, _ = train_note_recipe(iterations=10, seed=0, checkpoint=clock)
    assert [done for done, _, _ in clock.record] == [0, 5, 10]
    assert clock.record[-1][2] == free_run_errors(SineRNN.copy_of(model), phases, 3, 10).mean().item()


@pytest.mark.parametrize("args, err, match", [
    (([0.0], 5), TypeError, "phases must be a torch.Tensor"),
    ((torch.zeros(3), 0), ValueError, "every must be a positive int"),
])
def test_quality_clock_rejects_bad_input(args, err, match):
    with pytest.raises(err, match=match):
        QualityClock(*args)


# -- chapter 8: the better recipe with a GRU or an LSTM -----------------------------------------------
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_free_running_loss_of_a_gated_cell_is_the_mse_of_free_run_and_differentiable(cell):
    set_seed(1)
    net = SineRNN(5, cell=cell).double()
    windows = sine_batch(heldout_phases(6, seed=1), 4 + 15, dtype=torch.float64)
    loss = free_running_loss(net, windows, (2, 4), 15)
    with torch.no_grad():
        errors = torch.cat([free_run(net, windows[:, :w], 15) - windows[:, w:w + 15] for w in (2, 4)])
    torch.testing.assert_close(loss.detach(), (errors ** 2).mean(), rtol=1e-12, atol=1e-15)
    loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())


def test_free_running_loss_of_a_gated_cell_rejects_bad_input():
    with pytest.raises(ValueError, match="T >= max"):
        free_running_loss(SineRNN(2, cell="gru"), torch.zeros(2, 6, 1), (2,), 5)
    with pytest.raises(ValueError, match=r"warmups\[0\] must be a positive int"):
        free_running_loss(SineRNN(2, cell="lstm"), torch.zeros(2, 20, 1), (0,), 5)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_train_better_recipe_trains_the_cell_it_is_given(cell):
    model, log = train_better_recipe(**SMALL, seed=3, cell=cell)
    again, log_again = train_better_recipe(**SMALL, seed=3, cell=cell)
    assert isinstance(model, SineRNN) and model.cell == cell and model.rnn.hidden_size == SMALL["hidden_size"]
    assert log["losses"] == log_again["losses"]
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters()))
    assert all(stage.cell == cell for stage in log["stages"].values())
    assert log["losses"][-1] < log["losses"][0]
    carried, _ = train_better_recipe(**SMALL, seed=3, cell=cell, carry_state=True)   # an LSTM carries a pair
    assert not all(torch.equal(a, b) for a, b in zip(model.parameters(), carried.parameters()))


def test_train_better_recipe_rejects_a_bad_cell():
    with pytest.raises(ValueError, match="cell must be one of"):
        train_better_recipe(cell="transformer")
