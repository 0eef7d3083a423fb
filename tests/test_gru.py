"""Unit tests of helpers.gru: the from-scratch GRU in both variants against nn.GRU and against the
paper's equations written out, the update gate's bias, the gradient-norm measurement against
autograd through nn.GRU, and the drawing of one step."""
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from torch import nn

from helpers import GRU_GATES, GRU_RESETS, draw_gru_cell, gru_from_scratch, gru_jacobian_norms, set_update_bias

DTYPE = torch.float64


def make_gru(input_size=5, hidden_size=4, seed=0, **kwargs):
    torch.manual_seed(seed)
    return nn.GRU(input_size, hidden_size, dtype=DTYPE, **kwargs)


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


# -- gru_from_scratch ---------------------------------------------------------------------------
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_from_scratch_equals_nn_gru(num_layers, batch_first, with_state):
    gru = make_gru(num_layers=num_layers, batch_first=batch_first)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(6, 2, 5, dtype=DTYPE, generator=g)                     # (seq_len, batch, input)
    if batch_first:
        x = x.transpose(0, 1).contiguous()
    h_0 = torch.randn(num_layers, 2, 4, dtype=DTYPE, generator=g) if with_state else None
    with torch.no_grad():
        out, h_n = gru(x, h_0)
        mine, h_mine = gru_from_scratch(gru, x, h_0)
    assert mine.shape == out.shape and h_mine.shape == h_n.shape
    torch.testing.assert_close(mine, out, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h_mine, h_n, rtol=1e-12, atol=1e-12)


def _paper_sequence(gru, x, h):
    """Cho et al. (2014) / d2l, written from their equations with one matrix per block (one layer)."""
    H = gru.hidden_size
    W = {g: gru.weight_ih_l0[n * H:(n + 1) * H].T for n, g in enumerate("rzn")}
    U = {g: gru.weight_hh_l0[n * H:(n + 1) * H].T for n, g in enumerate("rzn")}
    b = {g: gru.bias_ih_l0[n * H:(n + 1) * H] + gru.bias_hh_l0[n * H:(n + 1) * H] for n, g in enumerate("rzn")}
    states = []
    for x_t in x:
        r = torch.sigmoid(x_t @ W["r"] + h @ U["r"] + b["r"])
        z = torch.sigmoid(x_t @ W["z"] + h @ U["z"] + b["z"])
        h_tilde = torch.tanh(x_t @ W["n"] + (r * h) @ U["n"] + b["n"])
        h = z * h + (1 - z) * h_tilde
        states.append(h)
    return torch.stack(states)


def test_reset_before_is_the_papers_gru_and_not_nn_gru():
    gru = make_gru(hidden_size=6)
    x = torch.randn(8, 3, 5, dtype=DTYPE, generator=torch.Generator().manual_seed(2))
    h_0 = torch.randn(1, 3, 6, dtype=DTYPE, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        out, _ = gru(x, h_0)
        before, h_before = gru_from_scratch(gru, x, h_0, reset="before")
        paper = _paper_sequence(gru, x, h_0[0])
    torch.testing.assert_close(before, paper, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h_before[0], paper[-1], rtol=1e-12, atol=1e-12)
    assert (before - out).abs().max() > 1e-3                              # a different network


def test_the_variants_agree_when_the_reset_gate_is_open():
    """With r = 1 (a reset bias of 50 in float64), r ⊙ (h W + b) = h W + b = (r ⊙ h) W + b."""
    gru = make_gru(hidden_size=6)
    with torch.no_grad():
        gru.bias_ih_l0[:6] = 50.0
    x = torch.randn(8, 3, 5, dtype=DTYPE)
    with torch.no_grad():
        after, _ = gru_from_scratch(gru, x, reset="after")
        before, _ = gru_from_scratch(gru, x, reset="before")
        out, _ = gru(x)
    torch.testing.assert_close(after, before, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(before, out, rtol=1e-12, atol=1e-12)


def test_gate_order_is_pytorchs():
    """Swapping the r and z blocks changes the result: the order r, z, n matters."""
    assert GRU_GATES == ("r", "z", "n") and GRU_RESETS == ("after", "before")
    gru = make_gru()
    x = torch.randn(4, 1, 5, dtype=DTYPE)
    with torch.no_grad():
        reference, _ = gru(x)
        H = gru.hidden_size
        swap = torch.cat([torch.arange(H, 2 * H), torch.arange(H), torch.arange(2 * H, 3 * H)])
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(gru, name).copy_(getattr(gru, name)[swap])
        swapped, _ = gru_from_scratch(gru, x)
    assert not torch.allclose(swapped, reference)


@pytest.mark.parametrize("make, x, kwargs, err, match", [
    (lambda: nn.LSTM(5, 4), torch.zeros(3, 1, 5), {}, TypeError, "gru must be a torch.nn.modules.rnn.GRU"),
    (lambda: nn.GRU(5, 4, bidirectional=True), torch.zeros(3, 1, 5), {}, ValueError, "one-directional"),
    (lambda: nn.GRU(5, 4, bias=False), torch.zeros(3, 1, 5), {}, ValueError, "bias=True"),
    (lambda: nn.GRU(5, 4), torch.zeros(3, 1, 5), {"reset": "inside"}, ValueError, "reset must be one of"),
    (lambda: nn.GRU(5, 4), [[0.0]], {}, TypeError, "x must be a torch.Tensor"),
    (lambda: nn.GRU(5, 4), torch.zeros(3, 5), {}, ValueError, "x must have 3 dims"),
    (lambda: nn.GRU(5, 4), torch.zeros(3, 1, 6), {}, ValueError, "input_size = 5"),
    (lambda: nn.GRU(5, 4), torch.zeros(3, 1, 5), {"h_0": torch.zeros(1, 2, 4)}, ValueError,
     r"h_0 must have shape \(1, 1, 4\)"),
])
def test_from_scratch_rejects_bad_input(make, x, kwargs, err, match):
    with pytest.raises(err, match=match):
        gru_from_scratch(make(), x, **kwargs)


# -- set_update_bias ----------------------------------------------------------------------------
def test_set_update_bias_sets_the_total_bias_everywhere_and_nothing_else():
    gru = make_gru(num_layers=2, bidirectional=True)
    before = {name: p.detach().clone() for name, p in gru.named_parameters()}
    assert set_update_bias(gru, 3.5) is gru
    H = gru.hidden_size
    for k in range(2):
        for suffix in ("", "_reverse"):
            b_ih, b_hh = getattr(gru, f"bias_ih_l{k}{suffix}"), getattr(gru, f"bias_hh_l{k}{suffix}")
            assert torch.equal(b_ih[H:2 * H] + b_hh[H:2 * H], torch.full((H,), 3.5, dtype=DTYPE))
            for name, b in ((f"bias_ih_l{k}{suffix}", b_ih), (f"bias_hh_l{k}{suffix}", b_hh)):
                keep = torch.cat([torch.arange(H), torch.arange(2 * H, 3 * H)])
                assert torch.equal(b[keep], before[name][keep])            # r and n untouched
    for name, p in gru.named_parameters():
        if name.startswith("weight"):
            assert torch.equal(p, before[name])


def test_update_bias_moves_the_update_gate():
    """A large b_z makes z close to 1: the layer keeps h_0 (z = sigma(b_z + small))."""
    gru = make_gru()
    set_update_bias(gru, 30.0)
    h_0 = torch.randn(1, 2, 4, dtype=DTYPE)
    with torch.no_grad():
        _, h_n = gru(torch.randn(20, 2, 5, dtype=DTYPE), h_0)
    torch.testing.assert_close(h_n, h_0, rtol=0, atol=1e-9)


@pytest.mark.parametrize("make, value, err, match", [
    (lambda: nn.LSTM(5, 4), 1.0, TypeError, "gru must be a torch.nn.modules.rnn.GRU"),
    (lambda: nn.GRU(5, 4, bias=False), 1.0, ValueError, "bias=True"),
    (lambda: nn.GRU(5, 4), "5", TypeError, "value must be a real number"),
    (lambda: nn.GRU(5, 4), float("inf"), ValueError, "value must be a finite number"),
])
def test_set_update_bias_rejects_bad_input(make, value, err, match):
    with pytest.raises(err, match=match):
        set_update_bias(make(), value)


# -- gru_jacobian_norms -------------------------------------------------------------------------
@pytest.mark.parametrize("update_bias", [None, 4.0])
def test_jacobian_norms_match_autograd_through_nn_gru(update_bias):
    gru = make_gru(input_size=3, hidden_size=5)
    if update_bias is not None:
        set_update_bias(gru, update_bias)
    x = torch.randn(7, 3, dtype=DTYPE, generator=torch.Generator().manual_seed(4))
    h_0 = torch.randn(5, dtype=DTYPE, generator=torch.Generator().manual_seed(5))
    norms = gru_jacobian_norms(gru, x, h_0)
    assert norms.shape == (8,) and norms[0] == 1
    with torch.no_grad():
        out, _ = gru(x[:, None], h_0.view(1, 1, 5))                       # out[t - 1] = h_t
    states = [h_0] + [out[t, 0] for t in range(7)]
    for t in range(7):                                                      # h_T from h_t, through nn.GRU
        def h_T(h_t, t=t):
            return gru(x[t:, None], h_t.view(1, 1, 5))[1].view(5)
        jac = torch.autograd.functional.jacobian(h_T, states[t])
        torch.testing.assert_close(norms[7 - t], torch.linalg.matrix_norm(jac, ord=2), rtol=1e-9, atol=0)


@pytest.mark.parametrize("make, x, h_0, err, match", [
    (lambda: nn.RNN(3, 4), torch.zeros(5, 3), None, TypeError, "gru must be a torch.nn.modules.rnn.GRU"),
    (lambda: nn.GRU(3, 4, num_layers=2), torch.zeros(5, 3), None, ValueError, "num_layers=1"),
    (lambda: nn.GRU(3, 4), torch.zeros(5, 1, 3), None, ValueError, "x .* must have 2 dims"),
    (lambda: nn.GRU(3, 4), torch.zeros(5, 2), None, ValueError, "input_size = 3"),
    (lambda: nn.GRU(3, 4), torch.zeros(0, 3), None, ValueError, "seq_len >= 1"),
    (lambda: nn.GRU(3, 4), torch.zeros(5, 3), torch.zeros(3), ValueError, r"h_0 must have shape \(4\)"),
])
def test_jacobian_norms_reject_bad_input(make, x, h_0, err, match):
    with pytest.raises(err, match=match):
        gru_jacobian_norms(make(), x, h_0)


# -- draw_gru_cell ------------------------------------------------------------------------------
def test_draw_gru_cell_draws_gates_state_and_equations():
    fig = draw_gru_cell()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    drawn = texts(fig)
    for label in ("$h_{t-1}$", "$x_t$", "$h_t$", "$1 - z_t$", "$h_{t-1} W_{hn} + b_{hn}$"):
        assert label in drawn
    assert sum(t.startswith(("update", "reset", "candidate")) for t in drawn) == 3
    assert sum(isinstance(p, Circle) and p.get_radius() > 0.1 for p in ax.patches) == 4   # keep, reset, write x2
    assert any("h_t = (1 - z_t)" in t for t in drawn)
    assert any("r_t \\odot (h_{t-1} W_{hn} + b_{hn})" in t for t in drawn)
    assert "after the product" in ax.get_title()


def test_draw_gru_cell_before_draws_the_papers_candidate():
    fig = draw_gru_cell("before")
    drawn = texts(fig)
    assert "$W_{hn}$" in drawn and "$h_{t-1} W_{hn} + b_{hn}$" not in drawn
    assert any("(r_t \\odot h_{t-1}) W_{hn}" in t for t in drawn)
    assert "before the product" in fig.axes[0].get_title() and "Cho et al. (2014)" in fig.axes[0].get_title()


def test_draw_gru_cell_rejects_bad_input():
    with pytest.raises(ValueError, match="reset must be one of"):
        draw_gru_cell("paper")
