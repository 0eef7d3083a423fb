"""Unit tests of chapter 6's data and networks: sine windows, held-out phases, the note's network,
the better network and its copies, the exact two-unit recurrence, and free_run."""
import math

import pytest
import torch
from torch import nn

from helpers import (DELTA, ExactSineRNN, NoteNet, SineRNN, free_run, heldout_phases, set_seed, sine_batch,
                     sine_window)


# -- data --------------------------------------------------------------------------------
def test_sine_batch_matches_the_note_windows():
    windows = sine_batch(torch.tensor([0.0, 1.0, 2.0]))
    assert windows.shape == (3, 50, 1) and windows.dtype == torch.float32
    for k in range(3):
        _, x, y = sine_window(k)                                   # np.linspace, as the note builds it
        torch.testing.assert_close(windows[k:k + 1, :-1], x)
        torch.testing.assert_close(windows[k:k + 1, 1:], y)
    one = sine_batch(torch.tensor([0.5]), 1, delta=0.3, dtype=torch.float64)
    assert one.shape == (1, 1, 1) and one.dtype == torch.float64 and one.item() == math.sin(0.5)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"phases": [0.0]}, TypeError, "phases must be a torch.Tensor"),
    ({"phases": torch.zeros(2, 2)}, ValueError, "phases must have 1 dims"),
    ({"phases": torch.zeros(0)}, ValueError, "at least one start phase"),
    ({"phases": torch.tensor([1, 2])}, TypeError, "phases must be a floating-point tensor"),
    ({"phases": torch.zeros(2), "num_points": 0}, ValueError, "num_points must be a positive int"),
    ({"phases": torch.zeros(2), "num_points": 2.0}, TypeError, "num_points must be a positive int"),
    ({"phases": torch.zeros(2), "delta": -0.1}, ValueError, "delta must be a positive"),
])
def test_sine_batch_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        sine_batch(**kwargs)


def test_heldout_phases_are_reproducible_and_in_range():
    a, b = heldout_phases(100, seed=5), heldout_phases(100, seed=5)
    assert torch.equal(a, b) and not torch.equal(a, heldout_phases(100, seed=6))
    assert a.dtype == torch.float64 and float(a.min()) >= 0 and float(a.max()) < 2 * math.pi
    state = torch.random.get_rng_state()
    heldout_phases(10)
    assert torch.equal(torch.random.get_rng_state(), state)      # a generator of its own


@pytest.mark.parametrize("kwargs, err, match", [
    ({"n": 0}, ValueError, "n must be a positive int"),
    ({"n": 3.0}, TypeError, "n must be a positive int"),
    ({"seed": -1}, ValueError, "seed must be an int >= 0"),
])
def test_heldout_phases_reject_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        heldout_phases(**kwargs)


# -- the note's network ----------------------------------------------------------------------
def test_note_net_shapes_and_init():
    set_seed(0)
    net = NoteNet()
    _, x, _ = sine_window(0)
    out, h = net(x, torch.zeros(1, 1, 16))
    assert out.shape == (1, 49, 1) and h.shape == (1, 1, 16)
    assert net.rnn.weight_hh_l0.abs().max() < 0.01               # std-0.001 init
    assert net.max_batch == 1


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
    assert torch.equal(loaded(x, None)[0], net(x, None)[0])


# -- the better network (any batch: with the GRU and LSTM below) ----------------------------------
@pytest.mark.parametrize("bad, err", [(0, ValueError), (2.0, TypeError), (True, TypeError)])
def test_sine_rnn_rejects_bad_hidden_size(bad, err):
    with pytest.raises(err, match="hidden_size must be"):
        SineRNN(bad)


def test_sine_rnn_survives_torch_save(tmp_path):
    net = SineRNN(4)
    torch.save(net, tmp_path / "better.pt")
    loaded = torch.load(tmp_path / "better.pt", weights_only=False)
    x = sine_batch(torch.tensor([0.3]), 12)
    assert torch.equal(free_run(loaded, x[:, :5], 7), free_run(net, x[:, :5], 7))


def test_copy_of_a_note_net_computes_the_same_and_takes_any_batch():
    set_seed(3)
    note = NoteNet()
    with torch.no_grad():
        for p in note.parameters():
            p.add_(0.3 * torch.randn_like(p))                     # far from the tiny initial weights
    twin = SineRNN.copy_of(note)
    assert isinstance(twin, SineRNN) and twin.hidden_size == 16
    windows = sine_batch(torch.tensor([0.2, 1.7, 4.0]), 30)
    with torch.no_grad():
        batched = twin(windows)[0]
        alone = torch.cat([note(windows[i:i + 1], None)[0] for i in range(3)])
    torch.testing.assert_close(batched, alone)


def test_copy_of_leaves_the_random_generator_alone_and_copies():
    net = SineRNN(5)
    state = torch.random.get_rng_state()
    twin = SineRNN.copy_of(net)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(a, b) for a, b in zip(twin.parameters(), net.parameters()))
    original = next(net.parameters()).detach().clone()
    with torch.no_grad():
        next(twin.parameters()).add_(1.0)
    assert torch.equal(next(net.parameters()), original)         # a copy, not shared memory
    as_float32 = SineRNN.copy_of(SineRNN(3).double())
    assert all(p.dtype == torch.float32 for p in as_float32.parameters())


@pytest.mark.parametrize("model, err, match", [
    ("rnn", TypeError, "model must be a torch.nn.modules.module.Module"),
    (nn.Linear(1, 1), ValueError, "model must have .rnn"),
    (ExactSineRNN(), ValueError, "model must have .rnn"),                # relu, no .linear
])
def test_copy_of_rejects_other_models(model, err, match):
    with pytest.raises(err, match=match):
        SineRNN.copy_of(model)


# -- the exact recurrence -------------------------------------------------------------------------
def test_exact_sine_rnn_is_the_linear_recurrence_and_relu_never_clips():
    model = ExactSineRNN(delta=0.3, offset=1.5)
    s = torch.sin(0.7 + 0.3 * torch.arange(40, dtype=torch.float64))
    with torch.no_grad():
        out, _ = model(s[None, :-1, None])
        states, _ = model.rnn(s[None, :-1, None])
    by_hand = 2 * math.cos(0.3) * s[1:-1] - s[:-2]                  # s(t+2Δ) = 2cosΔ s(t+Δ) - s(t)
    torch.testing.assert_close(out[0, 1:, 0], by_hand, rtol=0, atol=1e-13)
    assert bool((states > 0).all())


def test_exact_sine_rnn_forecasts_its_own_frequency_only():
    t = DELTA * torch.arange(60, dtype=torch.float64)
    sin_2t = torch.sin(2 * t + 0.4)[None, :, None]                  # ω = 2
    with torch.no_grad():
        right = free_run(ExactSineRNN(omega=2.0), sin_2t[:, :2], 58)
        wrong = free_run(ExactSineRNN(omega=1.0), sin_2t[:, :2], 58)
    torch.testing.assert_close(right, sin_2t[:, 2:], rtol=0, atol=1e-12)
    assert (wrong - sin_2t[:, 2:]).abs().max() > 0.5


@pytest.mark.parametrize("kwargs, err, match", [
    ({"offset": 1.0}, ValueError, "offset must be > 1"),
    ({"offset": "2"}, TypeError, "offset must be a real number"),
    ({"delta": 0.0}, ValueError, "delta must be a positive"),
    ({"omega": -1.0}, ValueError, "omega must be a positive"),
])
def test_exact_sine_rnn_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        ExactSineRNN(**kwargs)


# -- free_run -----------------------------------------------------------------------------------------
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


def test_free_run_feeds_a_batch_one_model_one_window_at_a_time():
    set_seed(1)
    net = NoteNet()
    warmup = sine_batch(torch.tensor([0.0, 1.0, 2.5, 4.0]), 6)      # (4, 6, 1): merging would fail in view
    h0 = 0.1 * torch.randn(1, 4, 16)
    with torch.no_grad():
        forecast = free_run(net, warmup, 9, h0=h0)
        alone = torch.cat([free_run(net, warmup[i:i + 1], 9, h0=h0[:, i:i + 1]) for i in range(4)])
    assert forecast.shape == (4, 9, 1)
    assert torch.equal(forecast, alone)


class _Merging(nn.Module):
    """A forward that merges batch and time, without saying so (no max_batch)."""

    def __init__(self):
        super().__init__()
        self.rnn, self.linear = nn.RNN(1, 4, batch_first=True), nn.Linear(4, 1)

    def forward(self, x, h):
        out, h = self.rnn(x, h)
        return self.linear(out.view(-1, 4)).unsqueeze(0), h


def test_free_run_explains_a_forward_that_merges_batch_and_time():
    one_step = sine_batch(torch.tensor([0.0, 1.0]), 3)[:, :1]               # (2, 1, 1): runs, wrong shape
    with pytest.raises(ValueError, match="merges batch and time only takes batch 1"):
        free_run(_Merging(), one_step, 5)
    several = sine_batch(torch.tensor([0.0, 1.0]), 5)                       # (2, 5, 1): view fails
    with pytest.raises(ValueError, match="failed on a batch of 2 windows") as caught:
        free_run(_Merging(), several, 5)
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert free_run(_Merging(), several[:1], 5).shape == (1, 5, 1)         # batch 1 is fine


def test_free_run_keeps_gradients_and_handles_one_step():
    net = SineRNN(4)
    warmup = sine_batch(torch.tensor([0.0, 1.0]), 5)
    forecast = free_run(net, warmup, 1)
    assert forecast.shape == (2, 1, 1)
    forecast.sum().backward()
    assert net.rnn.weight_hh_l0.grad is not None


@pytest.mark.parametrize("args, kwargs, err, match", [
    ((lambda x, h: (x, h), torch.zeros(1, 3, 1), 2), {}, TypeError, "model must be a torch.nn.modules.module.Module"),
    ((None, [[0.0]], 2), {}, TypeError, "warmup must be a torch.Tensor"),
    ((None, torch.zeros(1, 3, 1, dtype=torch.long), 2), {}, TypeError, "warmup must be a floating-point tensor"),
    ((None, torch.zeros(3, 1), 2), {}, ValueError, "warmup must have 3 dims"),
    ((None, torch.zeros(1, 3, 2), 2), {}, ValueError, r"shape \[batch, W, 1\]"),
    ((None, torch.zeros(1, 0, 1), 2), {}, ValueError, r"shape \[batch, W, 1\]"),
    ((None, torch.zeros(1, 3, 1), 0), {}, ValueError, "steps must be a positive int"),
    ((None, torch.zeros(1, 3, 1), 2.0), {}, TypeError, "steps must be a positive int"),
    ((None, torch.zeros(1, 3, 1), True), {}, TypeError, "steps must be a positive int"),
    ((None, torch.zeros(1, 3, 1), 2), {"h0": [0.0]}, TypeError, "h0 must be a torch.Tensor"),
])
def test_free_run_rejects_bad_input(args, kwargs, err, match):
    model, warmup, steps = args
    with pytest.raises(err, match=match):
        free_run(SineRNN(2) if model is None else model, warmup, steps, **kwargs)


# -- chapter 8: the same network with a GRU or an LSTM ----------------------------------------------
@pytest.mark.parametrize("cell, layer", [("rnn", nn.RNN), ("gru", nn.GRU), ("lstm", nn.LSTM)])
def test_sine_rnn_holds_the_cell_it_is_given_and_is_right_for_any_batch(cell, layer):
    set_seed(0)
    net = SineRNN(6, cell=cell)
    assert type(net.rnn) is layer and net.cell == cell and net.rnn.batch_first and net.rnn.hidden_size == 6
    x = sine_batch(torch.tensor([0.0, 0.5, 3.0]), 20)              # (3, 20, 1)
    with torch.no_grad():
        out, state = net(x)
        one_by_one = torch.cat([net(x[i:i + 1])[0] for i in range(3)])
        rnn_out, _ = net.rnn(x)
    assert out.shape == (3, 20, 1)
    h = state[0] if cell == "lstm" else state
    assert h.shape == (1, 3, 6) and (cell != "lstm" or state[1].shape == (1, 3, 6))
    torch.testing.assert_close(out, one_by_one)
    torch.testing.assert_close(out, net.linear(rnn_out))


def test_sine_rnn_default_cell_draws_the_same_weights_as_before():
    """cell="rnn" is the default and builds exactly chapter 6's network from the same seed."""
    set_seed(4)
    default = SineRNN(5)
    set_seed(4)
    rnn = nn.RNN(input_size=1, hidden_size=5, batch_first=True)
    linear = nn.Linear(5, 1)
    assert default.cell == "rnn"
    assert all(torch.equal(a, b) for a, b in zip(default.parameters(), (*rnn.parameters(), *linear.parameters())))


@pytest.mark.parametrize("bad, err", [("LSTM", ValueError), ("transformer", ValueError), (nn.GRU, ValueError)])
def test_sine_rnn_rejects_bad_cell(bad, err):
    with pytest.raises(err, match="cell must be one of"):
        SineRNN(4, cell=bad)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_copy_of_keeps_the_cell_and_its_weights(cell):
    net = SineRNN(5, cell=cell).double()
    twin = SineRNN.copy_of(net)
    assert twin.cell == cell and type(twin.rnn) is type(net.rnn)
    assert all(p.dtype == torch.float32 for p in twin.parameters())
    assert all(torch.equal(a, b.float()) for a, b in zip(twin.parameters(), net.parameters()))


def test_copy_of_rejects_a_two_layer_or_two_directional_gru():
    for layer in (nn.GRU(1, 4, num_layers=2, batch_first=True), nn.LSTM(1, 4, bidirectional=True, batch_first=True),
                  nn.LSTM(1, 4, proj_size=2, batch_first=True)):
        model = nn.Module()
        model.rnn, model.linear = layer, nn.Linear(4, 1)
        with pytest.raises(ValueError, match="one-layer nn.RNN"):
            SineRNN.copy_of(model)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_free_run_of_a_gated_cell_matches_a_step_by_step_loop(cell):
    set_seed(2)
    net = SineRNN(6, cell=cell)
    windows = sine_batch(torch.tensor([0.1, 2.0, 4.0]), 30)
    with torch.no_grad():
        forecast = free_run(net, windows[:, :8], 12)
        by_hand = torch.cat([_free_run_by_hand(net, windows[i:i + 1, :8], 12) for i in range(3)])
    torch.testing.assert_close(forecast, by_hand)


def test_free_run_takes_an_lstm_state_pair():
    set_seed(3)
    net = SineRNN(4, cell="lstm")
    warmup = sine_batch(torch.tensor([0.0, 1.0]), 5)
    h0 = (0.5 * torch.randn(1, 2, 4), 0.5 * torch.randn(1, 2, 4))
    with torch.no_grad():
        forecast = free_run(net, warmup, 6, h0=h0)
        _, state = net.rnn(warmup, h0)                                # the warm-up, by the layer itself
        first = net.linear(state[0][0])                               # (2, 1): the first prediction
        from_zero = free_run(net, warmup, 6)
    torch.testing.assert_close(forecast[:, 0], first)
    assert not torch.allclose(forecast, from_zero)                    # the pair was used


@pytest.mark.parametrize("h0, err, match", [
    ((torch.zeros(1, 1, 4),), ValueError, r"pair \(h0, c0\)"),
    ((torch.zeros(1, 1, 4), [0.0]), TypeError, r"h0\[1\] must be a torch.Tensor"),
    ((torch.zeros(1, 4), torch.zeros(1, 1, 4)), ValueError, r"h0\[0\] must have 3 dims"),
])
def test_free_run_rejects_a_bad_state_pair(h0, err, match):
    with pytest.raises(err, match=match):
        free_run(SineRNN(4, cell="lstm"), torch.zeros(1, 3, 1), 2, h0=h0)
