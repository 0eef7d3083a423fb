"""Unit tests of helpers.lstm: the from-scratch LSTM against nn.LSTM, the gate biases, the gradient-norm
measurement against autograd and nn.LSTM, and the drawing of one step."""
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.text import Annotation
from torch import nn

from helpers import LSTM_GATES, draw_lstm_cell, lstm_from_scratch, lstm_jacobian_norms, set_gate_biases

DTYPE = torch.float64


def make_lstm(input_size=5, hidden_size=4, seed=0, **kwargs):
    torch.manual_seed(seed)
    return nn.LSTM(input_size, hidden_size, dtype=DTYPE, **kwargs)


# -- lstm_from_scratch ----------------------------------------------------------------------
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_from_scratch_equals_nn_lstm(num_layers, batch_first, with_state):
    lstm = make_lstm(num_layers=num_layers, batch_first=batch_first)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(6, 2, 5, dtype=DTYPE, generator=g)                     # (seq_len, batch, input)
    if batch_first:
        x = x.transpose(0, 1).contiguous()
    state = None
    if with_state:
        state = (torch.randn(num_layers, 2, 4, dtype=DTYPE, generator=g),
                 torch.randn(num_layers, 2, 4, dtype=DTYPE, generator=g))
    with torch.no_grad():
        out, (h_n, c_n) = lstm(x, state)
        mine, (h_mine, c_mine) = lstm_from_scratch(lstm, x, state)
    for a, b in ((mine, out), (h_mine, h_n), (c_mine, c_n)):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_gate_order_is_pytorchs():
    """Swapping the g and o blocks of the weights changes the result: the order i, f, g, o matters."""
    assert LSTM_GATES == ("i", "f", "g", "o")
    lstm = make_lstm()
    x = torch.randn(4, 1, 5, dtype=DTYPE)
    with torch.no_grad():
        reference, _ = lstm(x)
        H = lstm.hidden_size
        swap = torch.cat([torch.arange(2 * H), torch.arange(3 * H, 4 * H), torch.arange(2 * H, 3 * H)])
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(lstm, name).copy_(getattr(lstm, name)[swap])
        swapped, _ = lstm_from_scratch(lstm, x)
    assert not torch.allclose(swapped, reference)


@pytest.mark.parametrize("make, x, state, err, match", [
    (lambda: nn.GRU(5, 4), torch.zeros(3, 1, 5), None, TypeError, "lstm must be a torch.nn.modules.rnn.LSTM"),
    (lambda: nn.LSTM(5, 4, bidirectional=True), torch.zeros(3, 1, 5), None, ValueError, "one-directional"),
    (lambda: nn.LSTM(5, 4, proj_size=2), torch.zeros(3, 1, 5), None, ValueError, "proj_size=0"),
    (lambda: nn.LSTM(5, 4, bias=False), torch.zeros(3, 1, 5), None, ValueError, "bias=True"),
    (lambda: nn.LSTM(5, 4), torch.zeros(3, 5), None, ValueError, "x must have 3 dims"),
    (lambda: nn.LSTM(5, 4), torch.zeros(3, 1, 5, dtype=torch.long), None, TypeError, "floating-point"),
    (lambda: nn.LSTM(5, 4), torch.zeros(3, 1, 6), None, ValueError, "input_size = 5"),
    (lambda: nn.LSTM(5, 4), torch.zeros(3, 1, 5), torch.zeros(1, 1, 4), TypeError, "pair"),
    (lambda: nn.LSTM(5, 4), torch.zeros(3, 1, 5), (torch.zeros(1, 1, 4), torch.zeros(2, 1, 4)), ValueError,
     r"state\[1\] \(c_0\) must have shape \(1, 1, 4\)"),
])
def test_from_scratch_rejects_bad_input(make, x, state, err, match):
    with pytest.raises(err, match=match):
        lstm_from_scratch(make(), x, state)


# -- set_gate_biases ------------------------------------------------------------------------
def test_set_gate_biases_sets_the_total_bias_everywhere():
    lstm = make_lstm(num_layers=2, bidirectional=True)
    before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
    assert set_gate_biases(lstm, forget=2.5, input=-1.0) is lstm
    H = lstm.hidden_size
    for k in range(2):
        for suffix in ("", "_reverse"):
            total = getattr(lstm, f"bias_ih_l{k}{suffix}") + getattr(lstm, f"bias_hh_l{k}{suffix}")
            assert torch.equal(total[H:2 * H], torch.full((H,), 2.5, dtype=DTYPE))       # f
            assert torch.equal(total[:H], torch.full((H,), -1.0, dtype=DTYPE))          # i
            for name in (f"bias_ih_l{k}{suffix}", f"bias_hh_l{k}{suffix}"):            # g and o untouched
                assert torch.equal(getattr(lstm, name)[2 * H:], before[name][2 * H:])
    for name, p in lstm.named_parameters():
        if name.startswith("weight"):
            assert torch.equal(p, before[name])


def test_forget_bias_moves_the_forget_gate():
    """With b_f = 30 the forget gate is 1 to float precision: from c_0 and zero input the cell keeps c_0."""
    lstm = set_gate_biases(make_lstm(), forget=30.0, input=-30.0)
    c_0 = torch.randn(1, 1, 4, dtype=DTYPE)
    with torch.no_grad():
        _, (_, c_n) = lstm(torch.zeros(20, 1, 5, dtype=DTYPE), (torch.zeros(1, 1, 4, dtype=DTYPE), c_0))
    torch.testing.assert_close(c_n, c_0)


def test_set_gate_biases_leaves_unnamed_gates_alone():
    lstm = make_lstm()
    before = lstm.bias_ih_l0.detach().clone()
    set_gate_biases(lstm, forget=1.0)
    H = lstm.hidden_size
    assert torch.equal(lstm.bias_ih_l0[:H], before[:H])


@pytest.mark.parametrize("make, kwargs, err, match", [
    (lambda: nn.RNN(3, 2), {"forget": 1.0}, TypeError, "lstm must be"),
    (lambda: nn.LSTM(3, 2), {"forget": "1"}, TypeError, "forget must be a real number"),
    (lambda: nn.LSTM(3, 2), {"input": float("inf")}, ValueError, "input must be a finite number"),
    (lambda: nn.LSTM(3, 2, bias=False), {"forget": 1.0}, ValueError, "bias=True"),
])
def test_set_gate_biases_rejects_bad_input(make, kwargs, err, match):
    with pytest.raises(err, match=match):
        set_gate_biases(make(), **kwargs)


# -- lstm_jacobian_norms --------------------------------------------------------------------
def run_pair(lstm, x, h, c):
    _, (h_n, c_n) = lstm(x.unsqueeze(1), (h.view(1, 1, -1), c.view(1, 1, -1)))
    return h_n.view(-1), c_n.view(-1)


@pytest.mark.parametrize("forget_bias", [None, 3.0])
def test_jacobian_norms_match_autograd_through_nn_lstm(forget_bias):
    """Every distance against torch.autograd.functional.jacobian of nn.LSTM itself, run from step t."""
    lstm = make_lstm(input_size=3, hidden_size=4, seed=2)
    if forget_bias is not None:
        set_gate_biases(lstm, forget=forget_bias)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(7, 3, dtype=DTYPE, generator=g)
    h_0, c_0 = 0.3 * torch.randn(4, dtype=DTYPE, generator=g), 0.3 * torch.randn(4, dtype=DTYPE, generator=g)
    h_norms, c_norms = lstm_jacobian_norms(lstm, x, (h_0, c_0))
    T = x.shape[0]
    assert h_norms.shape == c_norms.shape == (T + 1,)
    h, c = h_0, c_0
    for t in range(T):                                      # norms[T - t]: from step t to step T
        dh = torch.autograd.functional.jacobian(lambda h_t: run_pair(lstm, x[t:], h_t, c)[0], h)
        dc = torch.autograd.functional.jacobian(lambda c_t: run_pair(lstm, x[t:], h, c_t)[1], c)
        # relative tolerance only: the norms go down to 1e-2, where float64's default atol would be loose
        torch.testing.assert_close(h_norms[T - t], torch.linalg.matrix_norm(dh, ord=2), rtol=1e-9, atol=0)
        torch.testing.assert_close(c_norms[T - t], torch.linalg.matrix_norm(dc, ord=2), rtol=1e-9, atol=0)
        with torch.no_grad():
            h, c = run_pair(lstm, x[t:t + 1], h, c)
    assert h_norms[0] == c_norms[0] == 1.0                  # distance 0: the identity


def test_jacobian_norms_of_one_step_along_c_is_the_largest_forget_gate():
    """One step: dc_1/dc_0 = diag(f_1), whose 2-norm is max(f_1)."""
    lstm = make_lstm(input_size=3, hidden_size=4, seed=4)
    x = torch.randn(1, 3, dtype=DTYPE)
    _, c_norms = lstm_jacobian_norms(lstm, x)
    with torch.no_grad():
        a = x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0   # h_0 = 0
    f = torch.sigmoid(a[4:8])
    torch.testing.assert_close(c_norms, torch.stack([torch.tensor(1.0, dtype=DTYPE), f.max()]))


@pytest.mark.parametrize("make, x, state, err, match", [
    (lambda: nn.LSTM(3, 4, num_layers=2, dtype=DTYPE), torch.zeros(5, 3, dtype=DTYPE), None, ValueError,
     "num_layers=1"),
    (lambda: nn.LSTM(3, 4, dtype=DTYPE), torch.zeros(5, 1, 3, dtype=DTYPE), None, ValueError, "must have 2 dims"),
    (lambda: nn.LSTM(3, 4, dtype=DTYPE), torch.zeros(0, 3, dtype=DTYPE), None, ValueError, "seq_len >= 1"),
    (lambda: nn.LSTM(3, 4, dtype=DTYPE), torch.zeros(5, 2, dtype=DTYPE), None, ValueError, "input_size = 3"),
    (lambda: nn.LSTM(3, 4, dtype=DTYPE), torch.zeros(5, 3, dtype=DTYPE), [torch.zeros(4)], TypeError, "pair"),
    (lambda: nn.LSTM(3, 4, dtype=DTYPE), torch.zeros(5, 3, dtype=DTYPE),
     (torch.zeros(4, dtype=DTYPE), torch.zeros(1, 4, dtype=DTYPE)), ValueError, "c_0"),
    (lambda: nn.RNN(3, 4), torch.zeros(5, 3), None, TypeError, "lstm must be"),
])
def test_jacobian_norms_reject_bad_input(make, x, state, err, match):
    with pytest.raises(err, match=match):
        lstm_jacobian_norms(make(), x, state)


# -- the drawing ----------------------------------------------------------------------------
def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_draw_lstm_cell_draws_gates_states_and_equations():
    fig = draw_lstm_cell()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    drawn = texts(fig)
    for label in ("$c_{t-1}$", "$h_{t-1}$", "$x_t$", "$c_t$", "$h_t$"):
        assert label in drawn
    gates = [t for t in drawn if t.startswith(("forget", "input", "candidate", "output"))]
    assert len(gates) == 4
    assert sum(isinstance(p, Circle) for p in ax.patches) == 4          # x f, + , x (i g), x o
    assert any("c_t = f_t" in t and "h_t = o_t" in t for t in drawn)
    assert "three gates" in ax.get_title()
    assert not any("diag}(f_t)" in t for t in drawn)


def test_draw_lstm_cell_with_gradient_labels_the_path():
    plain, with_gradient = draw_lstm_cell(), draw_lstm_cell(gradient=True)
    labels = [t for t in texts(with_gradient) if "\\mathrm{diag}(f_t)" in t]
    assert len(labels) == 1 and "W_{hh}" in labels[0]
    def dashed_arrows(fig):
        return [a for a in fig.axes[0].texts if isinstance(a, Annotation) and a.arrow_patch.get_linestyle() != "-"]

    assert len(dashed_arrows(plain)) == 0 and len(dashed_arrows(with_gradient)) == 1
    assert with_gradient.get_size_inches()[1] > plain.get_size_inches()[1]   # room for the arrow


def test_draw_lstm_cell_rejects_bad_input():
    with pytest.raises(TypeError, match="gradient must be a bool"):
        draw_lstm_cell(gradient=1)
