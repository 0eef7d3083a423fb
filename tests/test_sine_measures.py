"""Unit tests of chapter 6's measurements: held-out free-running and teacher-forced errors, the
forecast table, the free-running map and its eigenvalues, and the amplitude of a sampled sine."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from helpers import (DELTA, ExactSineRNN, NoteNet, SineRNN, forecast_table, free_run, free_run_errors,
                     free_running_eigenvalues, free_running_map, free_running_multipliers, heldout_phases, set_seed,
                     sine_amplitude, sine_batch, teacher_forced_error)


def test_free_run_errors_match_a_direct_computation():
    set_seed(1)
    net = SineRNN(5)
    phases = heldout_phases(6, seed=1)
    windows = sine_batch(phases, 15)
    with torch.no_grad():
        forecast = free_run(net, windows[:, :4], 11)
    direct = ((forecast - windows[:, 4:]).double() ** 2).mean(dim=(0, 2))
    errors = free_run_errors(net, phases, warmup=4, steps=11)
    torch.testing.assert_close(errors, direct)


def test_teacher_forced_error_matches_a_direct_computation():
    set_seed(2)
    net = SineRNN(5)
    phases = heldout_phases(4, seed=2)
    windows = sine_batch(phases, 13)                         # warmup 3 + steps 10
    with torch.no_grad():
        out, _ = net(windows[:, :-1])
    direct = float(((out[:, 2:] - windows[:, 3:]).double() ** 2).mean())
    assert math.isclose(teacher_forced_error(net, phases, warmup=3, steps=10), direct, rel_tol=1e-9)


def test_the_note_net_is_measured_one_window_at_a_time_like_its_copy():
    set_seed(4)
    note = NoteNet()
    with torch.no_grad():
        for p in note.parameters():
            p.add_(0.3 * torch.randn_like(p))
    phases = heldout_phases(5, seed=4)
    torch.testing.assert_close(free_run_errors(note, phases), free_run_errors(SineRNN.copy_of(note), phases),
                               rtol=1e-4, atol=1e-9)
    assert math.isclose(teacher_forced_error(note, phases),
                        teacher_forced_error(SineRNN.copy_of(note), phases), rel_tol=1e-5)


def test_the_exact_network_is_exact_on_the_held_out_protocol():
    phases = heldout_phases(32, seed=3)
    errors = free_run_errors(ExactSineRNN(), phases, warmup=2, steps=100)
    assert errors.shape == (100,) and errors.max() < 1e-24
    assert teacher_forced_error(ExactSineRNN(), phases, warmup=2) < 1e-24
    assert free_run_errors(ExactSineRNN(), phases, warmup=1, steps=10).mean() > 0.01    # one point is not enough


def test_forecast_table_averages_the_first_steps_of_each_warmup():
    set_seed(5)
    net = SineRNN(4)
    phases = heldout_phases(7, seed=5)
    table = forecast_table(net, phases, warmups=(2, 6), horizons=(3, 20))
    assert set(table) == {(2, 3), (2, 20), (6, 3), (6, 20)}
    for w in (2, 6):
        windows = sine_batch(phases, w + 20)
        with torch.no_grad():
            forecast = free_run(net, windows[:, :w], 20)
        squared = (forecast - windows[:, w:]).double() ** 2
        for h in (3, 20):
            assert math.isclose(table[w, h], squared[:, :h].mean().item(), rel_tol=1e-9)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"warmups": ()}, ValueError, "warmups must hold at least one positive int"),
    ({"warmups": (0,)}, ValueError, r"warmups\[0\] must be a positive int"),
    ({"horizons": "39"}, TypeError, "horizons must be a list or tuple"),
    ({"horizons": (39, 2.5)}, TypeError, r"horizons\[1\] must be a positive int"),
])
def test_forecast_table_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        forecast_table(SineRNN(2), heldout_phases(2), **kwargs)


@pytest.mark.parametrize("call, err, match", [
    (lambda: free_run_errors("model", heldout_phases(2)), TypeError, "model must be a torch.nn"),
    (lambda: free_run_errors(SineRNN(2), [0.0]), TypeError, "phases must be a torch.Tensor"),
    (lambda: free_run_errors(SineRNN(2), heldout_phases(2), warmup=0), ValueError, "warmup must be a positive int"),
    (lambda: teacher_forced_error(SineRNN(2), heldout_phases(2), steps=0), ValueError, "steps must be a positive int"),
])
def test_measurements_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_free_running_map_iterated_is_the_fed_back_forecast():
    set_seed(6)
    net = SineRNN(7)
    M, b = free_running_map(net)
    assert M.shape == (7, 7) and b.shape == (7,) and M.dtype == torch.float64
    windows = sine_batch(heldout_phases(5, seed=6), 4 + 30, dtype=torch.float64)
    net64 = SineRNN.copy_of(net).double()
    with torch.no_grad():
        _, h = net64.rnn(windows[:, :4])
        h, states = h[0], []
        for _ in range(30):
            states.append(h)
            h = torch.tanh(h @ M + b)
        by_map = net64.linear(torch.stack(states, dim=1))
        fed_back = free_run(net64, windows[:, :4], 30)
    torch.testing.assert_close(by_map, fed_back)


def test_free_running_map_rejects_other_models():
    with pytest.raises(ValueError, match="model must have .rnn"):
        free_running_map(ExactSineRNN())
    no_bias = SineRNN(3)
    no_bias.rnn = nn.RNN(1, 3, bias=False, batch_first=True)
    with pytest.raises(ValueError, match="model must have .rnn"):
        free_running_map(no_bias)
    with pytest.raises(TypeError, match="model must be a torch.nn"):
        free_running_map("net")


def _scaled_net(seed: int, hidden_size: int, scale: float) -> SineRNN:
    """A SineRNN with every weight multiplied by ``scale`` (< 1: the free-running map contracts)."""
    set_seed(seed)
    net = SineRNN(hidden_size)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(scale)
    return net


def test_free_running_eigenvalues_are_those_of_the_map_linearised_by_autograd():
    net = _scaled_net(7, 6, 0.5)                                    # small weights: the map contracts
    M, b = free_running_map(net)
    eigenvalues = free_running_eigenvalues(net)
    h_star = torch.zeros(6, dtype=torch.float64)                    # the fixed point, by plain iteration
    for _ in range(2000):
        h_star = torch.tanh(h_star @ M + b)
    assert (torch.tanh(h_star @ M + b) - h_star).abs().max() < 1e-12
    jacobian = torch.autograd.functional.jacobian(lambda h: torch.tanh(h @ M + b), h_star)   # d out_i / d h_j
    expected = torch.linalg.eigvals(jacobian)
    assert torch.all(eigenvalues.abs()[:-1] >= eigenvalues.abs()[1:])          # largest modulus first
    torch.testing.assert_close(torch.sort(eigenvalues.abs()).values, torch.sort(expected.abs()).values)


def test_free_running_multipliers_are_the_growth_of_an_explicit_jacobian_product():
    net = _scaled_net(8, 5, 3.0)                                         # large weights: tanh far from linear
    M, b = free_running_map(net)
    phase = heldout_phases(1, seed=8)
    net64 = SineRNN.copy_of(net).double()
    with torch.no_grad():
        _, h = net64.rnn(sine_batch(phase, 4, dtype=torch.float64))
    h = h[0, 0]
    for _ in range(3):                                                   # skip
        h = torch.tanh(h @ M + b)
    product = torch.eye(5, dtype=torch.float64)[:2]                      # two perturbations, as rows
    for _ in range(12):
        jacobian = torch.autograd.functional.jacobian(lambda v: torch.tanh(v @ M + b), h)   # d out_i / d h_j
        product = product @ jacobian.T                                   # row convention: δh -> δh J^T
        h = torch.tanh(h @ M + b)
    first = product[0].norm()                                            # growth of the first perturbation
    area = torch.linalg.det(product @ product.T).sqrt()                  # growth of the area they span
    expected = torch.stack([first, area / first]) ** (1 / 12)
    got = free_running_multipliers(net, phase, warmup=4, skip=3, steps=12, directions=2)
    assert got.shape == (2,) and got.dtype == torch.float64
    torch.testing.assert_close(got, expected)


def test_free_running_multipliers_at_a_stable_fixed_point_are_its_eigenvalue_moduli():
    net = _scaled_net(7, 6, 0.5)                                         # small weights: the map contracts
    moduli = free_running_eigenvalues(net).abs()
    got = free_running_multipliers(net, heldout_phases(3, seed=7), skip=500, steps=3000, directions=3)
    assert moduli[0] < 1 and torch.all(got[:-1] >= got[1:])
    torch.testing.assert_close(got, moduli[:3], rtol=0.01, atol=0)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"model": ExactSineRNN()}, ValueError, "model must have .rnn"),
    ({"phases": [0.0]}, TypeError, "phases must be a torch.Tensor"),
    ({"skip": -1}, ValueError, "skip must be an int"),
    ({"steps": 0}, ValueError, "steps must be a positive int"),
    ({"directions": 3}, ValueError, "directions must be a positive int <= 2"),
])
def test_free_running_multipliers_reject_bad_input(kwargs, err, match):
    arguments = {"model": SineRNN(2), "phases": heldout_phases(2), **kwargs}
    with pytest.raises(err, match=match):
        free_running_multipliers(**arguments)


def test_sine_amplitude_reads_any_amplitude_and_phase():
    t = np.arange(60)
    for a, phase, delta in ((1.0, 0.3, DELTA), (0.25, 2.0, 0.5), (3.0, -1.0, 1.3)):
        s = a * np.sin(phase + delta * t)
        amplitude = sine_amplitude(s, delta=delta)
        assert amplitude.shape == (59,)
        np.testing.assert_allclose(amplitude, a, rtol=1e-10)
    growing = np.exp(0.01 * t) * np.sin(0.7 + DELTA * t)
    assert np.all(np.diff(sine_amplitude(growing)) > 0)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"values": [1.0]}, ValueError, "at least 2"),
    ({"values": "abc"}, TypeError, "values must be a 1-D list"),
    ({"values": [0.0, 1.0], "delta": math.pi}, ValueError, "multiple of π"),
    ({"values": [0.0, 1.0], "delta": 0.0}, ValueError, "delta must be a positive"),
])
def test_sine_amplitude_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        sine_amplitude(**kwargs)


def test_models_with_an_lstm_are_refused_by_the_map():
    class Lstm(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.linear = nn.LSTM(1, 3, batch_first=True), nn.Linear(3, 1)

    with pytest.raises(ValueError, match="one-layer tanh nn.RNN"):
        free_running_map(Lstm())
