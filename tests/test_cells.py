"""Unit tests of chapter 5's helpers: the cell-stack loop against nn.RNN, the drawings, and bad input."""
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import draw_cell_stack, draw_stack_states, run_cell_stack


def _rnn_from_cells(cells):
    """An nn.RNN(num_layers=len(cells)) holding the cells' weights (every cell must be hidden -> hidden above 0)."""
    rnn = nn.RNN(cells[0].input_size, cells[0].hidden_size, num_layers=len(cells))
    with torch.no_grad():
        for k, cell in enumerate(cells):
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(rnn, f"{kind}_l{k}").copy_(getattr(cell, kind))
    return rnn


def test_run_cell_stack_matches_nn_rnn_with_shared_weights():
    torch.manual_seed(0)
    cells = [nn.RNNCell(8, 5), nn.RNNCell(5, 5), nn.RNNCell(5, 5)]
    xs = torch.randn(6, 2, 8)
    h0 = torch.randn(3, 2, 5)
    states = run_cell_stack(cells, xs, list(h0))
    out, h_n = _rnn_from_cells(cells)(xs, h0)
    assert [tuple(s.shape) for s in states] == [(6, 2, 5)] * 3
    torch.testing.assert_close(states[-1], out)
    torch.testing.assert_close(torch.stack([s[-1] for s in states]), h_n)


def test_run_cell_stack_allows_different_sizes_and_matches_two_rnns():
    torch.manual_seed(1)
    cells = [nn.RNNCell(100, 30), nn.RNNCell(30, 20)]
    xs = [torch.randn(3, 100) for _ in range(4)]
    states = run_cell_stack(cells, xs)
    assert [tuple(s.shape) for s in states] == [(4, 3, 30), (4, 3, 20)]
    out0, _ = _rnn_from_cells(cells[:1])(torch.stack(xs))
    out1, _ = _rnn_from_cells(cells[1:])(out0)
    torch.testing.assert_close(states[0], out0)
    torch.testing.assert_close(states[1], out1)


def test_run_cell_stack_is_the_notes_loop():
    torch.manual_seed(2)
    cell_l0, cell_l1 = nn.RNNCell(100, 30), nn.RNNCell(30, 20)
    xs = [torch.randn(3, 100) for _ in range(4)]
    h_l0, h_l1 = torch.zeros(3, 30), torch.zeros(3, 20)
    for xt in xs:
        h_l0 = cell_l0(xt, h_l0)
        h_l1 = cell_l1(h_l0, h_l1)
    states = run_cell_stack([cell_l0, cell_l1], xs)
    torch.testing.assert_close(states[0][-1], h_l0)
    torch.testing.assert_close(states[1][-1], h_l1)


@pytest.mark.parametrize("cells, xs, hs, err, match", [
    (nn.RNNCell(4, 3), torch.randn(2, 1, 4), None, TypeError, "cells must be a non-empty list of nn.RNNCell"),
    ([], torch.randn(2, 1, 4), None, TypeError, "cells must be a non-empty list"),
    ([nn.RNN(4, 3)], torch.randn(2, 1, 4), None, TypeError, r"cells\[0\] must be an nn.RNNCell, got RNN"),
    ([nn.RNNCell(4, 3), nn.RNNCell(5, 2)], torch.randn(2, 1, 4), None, ValueError,
     r"cells\[1\].input_size must equal cells\[0\].hidden_size = 3 .*got 5"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 4), None, ValueError, r"got a tensor of shape \(2, 4\)"),
    ([nn.RNNCell(4, 3)], "abc", None, TypeError, "xs must be a tensor"),
    ([nn.RNNCell(4, 3)], [], None, TypeError, "xs must be a tensor"),
    ([nn.RNNCell(4, 3)], [torch.randn(2, 4), torch.randn(2, 5)], None, ValueError,
     r"every step must be \(batch, input_size\) = \(2, 4\), got xs\[1\] of shape \(2, 5\)"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 1, 4), [torch.zeros(1, 3)] * 2, ValueError, "hs must be a list of 1"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 1, 4), [torch.zeros(1, 1, 3)], ValueError,
     r"hs\[0\] must be \(batch, hidden_size\) = \(1, 3\), got \(1, 1, 3\)"),
])
def test_run_cell_stack_rejects_bad_input(cells, xs, hs, err, match):
    with pytest.raises(err, match=match):
        run_cell_stack(cells, xs, hs)


def test_drawings_return_figures():
    assert isinstance(draw_cell_stack(), Figure)
    assert isinstance(draw_cell_stack((4, 3, 3, 2), seq_len=2, batch=1), Figure)
    states = [torch.rand(5, 2, 6) * 2 - 1, torch.rand(5, 2, 4) * 2 - 1]
    fig = draw_stack_states(states, t=2, sentence=1)
    assert isinstance(fig, Figure)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles[0].startswith("layer 1: h_l1 = cell_l1(h_l0, h_l1), shape (2, 4)")
    assert titles[1].startswith("layer 0: h_l0 = cell_l0(x_t, h_l0), shape (2, 6)")
    assert isinstance(draw_stack_states(states[:1], t=4), Figure)


@pytest.mark.parametrize("call, err, match", [
    (lambda: draw_cell_stack((100,)), TypeError, "sizes must be a list"),
    (lambda: draw_cell_stack("100"), TypeError, "sizes must be a list"),
    (lambda: draw_cell_stack((100, 0)), ValueError, r"sizes\[1\] must be a positive int"),
    (lambda: draw_cell_stack((1, 2, 3, 4, 5, 6)), ValueError, "at most 4 layers"),
    (lambda: draw_cell_stack(seq_len=9), ValueError, "seq_len must be a positive int <= 6"),
    (lambda: draw_stack_states(torch.rand(5, 2, 3), t=0), TypeError, "states must be a non-empty list"),
    (lambda: draw_stack_states([torch.rand(5, 3)], t=0), ValueError, r"states\[0\] must be a \(seq_len, batch, hidden\)"),
    (lambda: draw_stack_states([torch.rand(5, 2, 3), torch.rand(4, 2, 3)], t=0), ValueError, "same"),
    (lambda: draw_stack_states([torch.rand(5, 2, 3)], t=5), ValueError, r"t must be an int in \[0, 4\], got 5"),
    (lambda: draw_stack_states([torch.rand(5, 2, 3)], t=1, sentence=2), ValueError, r"sentence must be an int in \[0, 1\]"),
])
def test_drawings_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
