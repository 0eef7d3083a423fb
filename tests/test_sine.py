"""Unit tests of chapter 6's helpers: the note's network and loop, free_run, the better recipe,
the held-out measurement, the exact two-unit recurrence, the progress bar and the drawings."""
import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn, optim

from helpers import (DELTA, ExactSineRNN, NoteNet, ProgressBar, SineRNN, draw_forecast, draw_horizon_errors,
                     draw_loss_curve, draw_note_test, free_run, free_run_errors, heldout_phases, set_seed,
                     sine_batch, sine_window, teacher_forced_error, train_better_recipe, train_note_recipe)


# -- the note's network -----------------------------------------------------------
def test_note_net_shapes_and_init():
    set_seed(0)
    net = NoteNet()
    _, x, _ = sine_window(0)
    out, h = net(x, torch.zeros(1, 1, 16))
    assert out.shape == (1, 49, 1) and h.shape == (1, 1, 16)
    assert net.rnn.weight_hh_l0.abs().max() < 0.01  # std-0.001 init


def test_note_net_merges_batch_and_time():
    net = NoteNet()
    steps = sine_batch(torch.tensor([0.0, 1.0, 2.0]), 2)[:, :1]          # (3, 1, 1)
    out, _ = net(steps, None)
    assert out.shape == (1, 3, 1)                                         # batch became time
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        net(sine_batch(torch.tensor([0.0, 1.0, 2.0]), 50)[:, :-1], None)  # non-contiguous batch-first output


def test_note_net_survives_torch_save(tmp_path):
    net = NoteNet()
    torch.save(net, tmp_path / "note.pt")
    loaded = torch.load(tmp_path / "note.pt", weights_only=False)
    _, x, _ = sine_window(1)
    assert isinstance(loaded, NoteNet)
    torch.testing.assert_close(loaded(x, None)[0], net(x, None)[0])


# -- the better network ---------------------------------------------------------------
def test_sine_rnn_is_right_for_any_batch():
    set_seed(0)
    net = SineRNN(8)
    x = sine_batch(torch.tensor([0.0, 0.5, 3.0]), 20)              # (3, 20, 1)
    out, h = net(x)
    assert out.shape == (3, 20, 1) and h.shape == (1, 3, 8)
    one_by_one = torch.cat([net(x[i:i + 1])[0] for i in range(3)])
    torch.testing.assert_close(out, one_by_one)
    rnn_out, _ = net.rnn(x)                                       # against PyTorch's own layers
    torch.testing.assert_close(out, net.linear(rnn_out))


@pytest.mark.parametrize("bad, err", [(0, ValueError), (2.0, TypeError), (True, TypeError)])
def test_sine_rnn_rejects_bad_hidden_size(bad, err):
    with pytest.raises(err, match="hidden_size must be"):
        SineRNN(bad)


def test_sine_rnn_survives_torch_save(tmp_path):
    net = SineRNN(4)
    torch.save(net, tmp_path / "better.pt")
    loaded = torch.load(tmp_path / "better.pt", weights_only=False)
    x = sine_batch(torch.tensor([0.3]), 12)
    torch.testing.assert_close(free_run(loaded, x[:, :5], 7), free_run(net, x[:, :5], 7))


# -- data -------------------------------------------------------------------------------
def test_sine_batch_matches_the_note_windows():
    windows = sine_batch(torch.tensor([0.0, 1.0, 2.0]))
    assert windows.shape == (3, 50, 1) and windows.dtype == torch.float32
    for k in range(3):
        _, x, y = sine_window(k)
        torch.testing.assert_close(windows[k:k + 1, :-1], x)
        torch.testing.assert_close(windows[k:k + 1, 1:], y)
    assert sine_batch(torch.tensor([0.5]), 5, dtype=torch.float64).dtype == torch.float64
    assert math.isclose(DELTA, 10 / 49)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"phases": [0.0]}, TypeError, "phases must be a 1-D torch.Tensor"),
    ({"phases": torch.zeros(2, 2)}, ValueError, "non-empty 1-D"),
    ({"phases": torch.zeros(0)}, ValueError, "non-empty 1-D"),
    ({"phases": torch.tensor([1, 2])}, TypeError, "phases must hold floats"),
    ({"phases": torch.zeros(2), "num_points": 1}, ValueError, "num_points must be >= 2"),
    ({"phases": torch.zeros(2), "delta": -0.1}, ValueError, "delta must be a positive"),
])
def test_sine_batch_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        sine_batch(**kwargs)


# -- free_run -----------------------------------------------------------------------------
def _free_run_by_hand(model, warmup, steps, h=None):
    """Reference: one window, one step at a time, exactly as the note's test loop."""
    for t in range(warmup.shape[1]):
        pred, h = model(warmup[:, t:t + 1], h)
    predictions = [pred]
    for _ in range(steps - 1):
        pred, h = model(pred, h)
        predictions.append(pred)
    return torch.cat(predictions, dim=1)


def test_free_run_matches_a_step_by_step_loop():
    set_seed(0)
    net = SineRNN(6)
    windows = sine_batch(torch.tensor([0.1, 2.0, 4.0]), 30)
    with torch.no_grad():
        forecast = free_run(net, windows[:, :8], 12)
        by_hand = torch.cat([_free_run_by_hand(net, windows[i:i + 1, :8], 12) for i in range(3)])
    assert forecast.shape == (3, 12, 1)
    torch.testing.assert_close(forecast, by_hand)


def test_free_run_reproduces_the_note_test_with_its_state():
    set_seed(0)
    net = NoteNet()
    _, x, _ = sine_window(2)
    h0 = 0.1 * torch.randn(1, 1, 16)
    with torch.no_grad():
        predictions, h, inp = [], h0, x[:, 0, :].view(1, 1, 1)
        for _ in range(49):
            pred, h = net(inp, h)
            inp = pred
            predictions.append(pred.numpy().ravel()[0])
        forecast = free_run(net, x[:, :1], 49, h0=h0)
    assert forecast.shape == (1, 49, 1)
    assert torch.equal(forecast.ravel(), torch.tensor(predictions))


def test_free_run_keeps_gradients_and_handles_one_step():
    net = SineRNN(4)
    warmup = sine_batch(torch.tensor([0.0, 1.0]), 5)
    forecast = free_run(net, warmup, 1)
    assert forecast.shape == (2, 1, 1)
    forecast.sum().backward()
    assert net.rnn.weight_hh_l0.grad is not None


def test_free_run_explains_a_forward_that_merges_batch_and_time():
    with pytest.raises(ValueError, match="merges batch and time"):
        free_run(NoteNet(), sine_batch(torch.tensor([0.0, 1.0]), 3)[:, :1], 5)


@pytest.mark.parametrize("args, kwargs, err, match", [
    ((lambda x, h: (x, h), torch.zeros(1, 3, 1), 2), {}, TypeError, "model must be a torch.nn.Module"),
    ((None, [[0.0]], 2), {}, TypeError, "warmup must be a torch.Tensor"),
    ((None, torch.zeros(1, 3, 1, dtype=torch.long), 2), {}, TypeError, "warmup must be a float tensor"),
    ((None, torch.zeros(3, 1), 2), {}, ValueError, r"shape \[batch, W, 1\]"),
    ((None, torch.zeros(1, 3, 2), 2), {}, ValueError, r"shape \[batch, W, 1\]"),
    ((None, torch.zeros(1, 0, 1), 2), {}, ValueError, r"shape \[batch, W, 1\]"),
    ((None, torch.zeros(1, 3, 1), 0), {}, ValueError, "steps must be >= 1"),
    ((None, torch.zeros(1, 3, 1), 2.0), {}, TypeError, "steps must be an int"),
    ((None, torch.zeros(1, 3, 1), True), {}, TypeError, "steps must be an int"),
    ((None, torch.zeros(1, 3, 1), 2), {"h0": [0.0]}, TypeError, "h0 must be None or a torch.Tensor"),
])
def test_free_run_rejects_bad_input(args, kwargs, err, match):
    model, warmup, steps = args
    with pytest.raises(err, match=match):
        free_run(SineRNN(2) if model is None else model, warmup, steps, **kwargs)


# -- the exact recurrence -----------------------------------------------------------------
def test_exact_sine_rnn_predicts_at_float_precision():
    phases = heldout_phases(32, seed=3)
    errors = free_run_errors(ExactSineRNN(), phases, warmup=2, steps=100)
    assert errors.shape == (100,) and errors.max() < 1e-24
    assert teacher_forced_error(ExactSineRNN(), phases, warmup=2) < 1e-24


def test_exact_sine_rnn_is_the_linear_recurrence_and_relu_never_clips():
    model = ExactSineRNN(delta=0.3, offset=1.5)
    s = torch.sin(0.7 + 0.3 * torch.arange(40, dtype=torch.float64))
    with torch.no_grad():
        out, _ = model(s[None, :-1, None])
        states, _ = model.rnn(s[None, :-1, None])
    by_hand = 2 * math.cos(0.3) * s[1:-1] - s[:-2]                  # s(t+2Δ) = 2cosΔ s(t+Δ) - s(t)
    torch.testing.assert_close(out[0, 1:, 0], by_hand, rtol=0, atol=1e-13)
    assert bool((states > 0).all())


@pytest.mark.parametrize("kwargs, err, match", [
    ({"offset": 1.0}, ValueError, "offset must be > 1"),
    ({"offset": "2"}, TypeError, "offset must be a number"),
    ({"delta": 0.0}, ValueError, "delta must be a positive"),
])
def test_exact_sine_rnn_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        ExactSineRNN(**kwargs)


# -- measurement ------------------------------------------------------------------------------
def test_heldout_phases_are_reproducible_and_in_range():
    a, b = heldout_phases(100, seed=5), heldout_phases(100, seed=5)
    assert torch.equal(a, b) and not torch.equal(a, heldout_phases(100, seed=6))
    assert a.dtype == torch.float64 and float(a.min()) >= 0 and float(a.max()) < 2 * math.pi


@pytest.mark.parametrize("kwargs, err, match", [
    ({"n": 0}, ValueError, "n must be >= 1"),
    ({"n": 3.0}, TypeError, "n must be an int"),
    ({"seed": -1}, ValueError, "seed must be >= 0"),
])
def test_heldout_phases_reject_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        heldout_phases(**kwargs)


def test_free_run_errors_match_a_direct_computation_and_any_batch_size():
    set_seed(1)
    net = SineRNN(5)
    phases = heldout_phases(6, seed=1)
    windows = sine_batch(phases, 15)
    with torch.no_grad():
        forecast = free_run(net, windows[:, :4], 11)
    direct = ((forecast - windows[:, 4:]).double() ** 2).mean(dim=(0, 2))
    errors = free_run_errors(net, phases, warmup=4, steps=11)
    torch.testing.assert_close(errors, direct)
    torch.testing.assert_close(free_run_errors(net, phases, warmup=4, steps=11, batch_size=4), errors)
    torch.testing.assert_close(free_run_errors(net, phases, warmup=4, steps=11, batch_size=1), errors)


def test_teacher_forced_error_matches_a_direct_computation():
    set_seed(2)
    net = SineRNN(5)
    phases = heldout_phases(4, seed=2)
    windows = sine_batch(phases, 13)                         # warmup 3 + steps 10
    with torch.no_grad():
        out, _ = net(windows[:, :-1])
    direct = float(((out[:, 2:] - windows[:, 3:]).double() ** 2).mean())
    assert math.isclose(teacher_forced_error(net, phases, warmup=3, steps=10), direct, rel_tol=1e-9)


def test_the_note_net_is_measured_one_window_at_a_time():
    net, phases = NoteNet(), heldout_phases(3)
    assert free_run_errors(net, phases, batch_size=1).shape == (39,)
    assert teacher_forced_error(net, phases, batch_size=1) >= 0


@pytest.mark.parametrize("call, err, match", [
    (lambda: free_run_errors("model", heldout_phases(2)), TypeError, "model must be a torch.nn.Module"),
    (lambda: free_run_errors(SineRNN(2), [0.0]), TypeError, "phases must be a 1-D torch.Tensor"),
    (lambda: free_run_errors(SineRNN(2), heldout_phases(2), warmup=0), ValueError, "warmup must be >= 1"),
    (lambda: free_run_errors(SineRNN(2), heldout_phases(2), batch_size=0), ValueError, "batch_size must be >= 1"),
    (lambda: teacher_forced_error(SineRNN(2), heldout_phases(2), steps=0), ValueError, "steps must be >= 1"),
])
def test_measurements_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


# -- the recipes ---------------------------------------------------------------------------------
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


def test_train_note_recipe_is_the_note_loop():
    reference, reference_losses = _note_loop_verbatim(40)
    calls = []
    model, losses = train_note_recipe(iterations=40, seed=0, progress=lambda done, total: calls.append((done, total)))
    assert losses == reference_losses
    for a, b in zip(model.parameters(), reference.parameters()):
        assert torch.equal(a, b)
    assert calls[0] == (1, 40) and calls[-1] == (40, 40) and len(calls) == 40


@pytest.mark.parametrize("kwargs, err, match", [
    ({"iterations": 0}, ValueError, "iterations must be >= 1"),
    ({"lr": -0.1}, ValueError, "lr must be a positive"),
    ({"seed": 1.5}, TypeError, "seed must be an int"),
    ({"progress": "bar"}, TypeError, "progress must be None or a callable"),
])
def test_train_note_recipe_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        train_note_recipe(**kwargs)


def test_train_better_recipe_is_deterministic_and_reports_progress():
    calls = []
    kwargs = dict(iterations=5, batch_size=8, polish_steps=3, polish_phases=8, hidden_size=4, seed=3)
    model, losses = train_better_recipe(**kwargs, progress=lambda done, total: calls.append((done, total)))
    again, losses_again = train_better_recipe(**kwargs)
    assert isinstance(model, SineRNN) and model.hidden_size == 4
    assert losses == losses_again and len(losses) > 5
    for a, b in zip(model.parameters(), again.parameters()):
        assert torch.equal(a, b)
    assert calls[0] == (1, 8) and calls[-1] == (8, 8)


def test_train_better_recipe_beats_the_note_on_held_out_phases():
    phases = heldout_phases(16, seed=11)
    note, _ = train_note_recipe(iterations=300, seed=0)
    better, _ = train_better_recipe(iterations=100, polish_steps=60, seed=0)
    assert free_run_errors(better, phases).mean() < free_run_errors(note, phases, batch_size=1).mean() / 10


def test_train_better_recipe_can_skip_the_polish():
    _, losses = train_better_recipe(iterations=4, batch_size=4, polish_steps=0, hidden_size=3)
    assert len(losses) == 4


@pytest.mark.parametrize("kwargs, err, match", [
    ({"iterations": 0}, ValueError, "iterations must be >= 1"),
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
    ({"clip": 0}, ValueError, "clip must be a positive"),
    ({"warmup": 49}, ValueError, "warmup must be < num_points - 1"),
    ({"polish_steps": -1}, ValueError, "polish_steps must be >= 0"),
    ({"hidden_size": 0}, ValueError, "hidden_size must be >= 1"),
    ({"progress": 3}, TypeError, "progress must be None or a callable"),
])
def test_train_better_recipe_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        train_better_recipe(**kwargs)


# -- progress bar and drawings ----------------------------------------------------------------------
def test_progress_bar_records_and_renders():
    bar = ProgressBar(10, "demo")
    bar(4)
    bar(99)                                                    # clamped to the total
    assert bar.done == 10 and bar.seconds >= 0
    assert repr(bar).startswith("demo: 10/10")
    assert '<progress max="10" value="10"' in bar._repr_html_()
    with pytest.raises(ValueError, match="total must be >= 1"):
        ProgressBar(0)
    with pytest.raises(TypeError, match="label must be a str"):
        ProgressBar(3, label=5)


def test_drawings_return_figures():
    t = np.arange(5.0)
    assert isinstance(draw_loss_curve(np.linspace(1, 0.1, 300), stage_break=100), Figure)
    assert isinstance(draw_note_test(t, np.sin(t), np.cos(t)), Figure)
    assert isinstance(draw_horizon_errors({"a": torch.rand(5) + 0.1, "b": [1.0, 2.0]}), Figure)
    assert isinstance(draw_forecast(0.5, 3, {"a": np.zeros(6), "b": torch.ones(4)}, title="x"), Figure)


@pytest.mark.parametrize("call, err, match", [
    (lambda: draw_loss_curve([]), ValueError, "losses must hold at least one number"),
    (lambda: draw_loss_curve(["a"]), TypeError, "losses must be a sequence of numbers"),
    (lambda: draw_note_test([1, 2], [1, 2], [1]), ValueError, "one value per step"),
    (lambda: draw_horizon_errors({}), TypeError, "errors must be a non-empty dict"),
    (lambda: draw_forecast("0", 3, {"a": [0.0]}), TypeError, "phase must be a number"),
    (lambda: draw_forecast(0.0, 0, {"a": [0.0]}), ValueError, "warmup must be >= 1"),
    (lambda: draw_forecast(0.0, 3, [0.0]), TypeError, "predictions must be a non-empty dict"),
])
def test_drawings_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
