"""Unit tests of chapter 5's helpers: the cell-stack loop against nn.RNN, the drawings, and bad input."""
import pytest
import torch
import numpy as np
from matplotlib.patches import Rectangle
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
    ([nn.RNN(4, 3)], torch.randn(2, 1, 4), None, TypeError, r"cells\[0\] must be a torch.nn.modules.rnn.RNNCell, got RNN"),
    ([nn.RNNCell(4, 3), nn.RNNCell(5, 2)], torch.randn(2, 1, 4), None, ValueError,
     r"cells\[1\].input_size must equal cells\[0\].hidden_size = 3 .*got 5"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 4), None, ValueError, r"xs \(a tensor \(seq_len, batch, input_size\)\) must have 3 dims, got shape \(2, 4\)"),
    ([nn.RNNCell(4, 3)], [torch.randn(2, 4), "x"], None, TypeError, r"xs\[1\] must be a torch.Tensor"),
    ([nn.RNNCell(4, 3)], [torch.randn(1, 2, 4)], None, ValueError, r"xs\[0\] must have 2 dims"),
    ([nn.RNNCell(4, 3)], "abc", None, TypeError, "xs must be a tensor"),
    ([nn.RNNCell(4, 3)], [], None, TypeError, "xs must be a tensor"),
    ([nn.RNNCell(4, 3)], [torch.randn(2, 4), torch.randn(2, 5)], None, ValueError,
     r"every step must be \(batch, input_size\) = \(2, 4\), got xs\[1\] of shape \(2, 5\)"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 1, 4), [torch.zeros(1, 3)] * 2, ValueError, "hs must be a list of 1 .*got 2"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 1, 4), torch.zeros(1, 1, 3), TypeError, "hs must be None or a list of 1"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 1, 4), [torch.zeros(1, 1, 3)], ValueError,
     r"hs\[0\] must have 2 dims, got shape \(1, 1, 3\)"),
    ([nn.RNNCell(4, 3)], torch.randn(2, 1, 4), [torch.zeros(2, 3)], ValueError,
     r"hs\[0\] must have shape \(1, 3\), got \(2, 3\)"),
])
def test_run_cell_stack_rejects_bad_input(cells, xs, hs, err, match):
    with pytest.raises(err, match=match):
        run_cell_stack(cells, xs, hs)


def test_cell_stack_drawing_labels_steps_from_1():
    fig = draw_cell_stack()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [t for t in texts if t.startswith("$x_")] == ["$x_{1}$", "$x_{2}$", "$x_{3}$", "$x_{4}$"]
    assert sum(t == "cell_l0\n100 -> 30" for t in texts) == 4 and sum(t == "cell_l1\n30 -> 20" for t in texts) == 4
    assert "out = torch.stack([h_l1 after steps 1 .. 4]): (4, 3, 20)" in texts
    fig = draw_cell_stack((4, 3, 3, 2), seq_len=2, batch=1)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "cell_l2\n3 -> 2" in texts and "last h_l2\n(1, 2)" in texts
    assert "out = torch.stack([h_l2 after steps 1 .. 2]): (2, 1, 2)" in texts


def test_stack_states_draws_every_sentence_up_to_step_t():
    torch.manual_seed(0)
    states = [torch.rand(5, 3, 6) * 2 - 1, torch.rand(5, 3, 4) * 2 - 1]
    fig = draw_stack_states(states, t=2)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2 * 3                                    # layers x sentences
    assert [ax.get_title() for ax in panels[:3]] == ["sentence 1", "sentence 2", "sentence 3"]   # counted from 1
    assert panels[0].get_ylabel() == "layer 1\nh_l1: 4 units"     # the top layer on top
    assert panels[3].get_ylabel() == "layer 0\nh_l0: 6 units"
    for ax, (k, b) in zip(panels, [(1, 0), (1, 1), (1, 2), (0, 0), (0, 1), (0, 2)]):
        data = ax.images[0].get_array()
        assert data.shape == (states[k].shape[2], 5)                # (hidden units, steps)
        assert not data.mask[:, :2].any() and data.mask[:, 2:].all()   # steps 1, 2 drawn, 3 .. 5 blank
        np.testing.assert_allclose(data[:, :2], states[k][:2, b].T.numpy())
        frame = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(frame) == 1 and frame[0].get_x() == 1.5           # step 2 framed
    assert "$x_1 \\ldots x_{2}$" in fig.get_supxlabel()
    full = draw_stack_states(states[:1], t=5)
    assert not [ax for ax in full.axes if ax.images][0].images[0].get_array().mask.any()


@pytest.mark.parametrize("call, err, match", [
    (lambda: draw_cell_stack((100,)), TypeError, "sizes must be a list"),
    (lambda: draw_cell_stack("100"), TypeError, "sizes must be a list"),
    (lambda: draw_cell_stack((100, 0)), ValueError, r"sizes\[1\] must be a positive int"),
    (lambda: draw_cell_stack((1, 2, 3, 4, 5, 6)), ValueError, "at most 4 layers"),
    (lambda: draw_cell_stack(seq_len=9), ValueError, "seq_len must be a positive int <= 6"),
    (lambda: draw_stack_states(torch.rand(5, 2, 3), t=1), TypeError, "states must be a non-empty list"),
    (lambda: draw_stack_states([], t=1), TypeError, "states must be a non-empty list"),
    (lambda: draw_stack_states([[0.5]], t=1), TypeError, r"states\[0\] must be a torch.Tensor"),
    (lambda: draw_stack_states([torch.rand(5, 3)], t=1), ValueError, r"states\[0\] must have 3 dims"),
    (lambda: draw_stack_states([torch.rand(5, 2, 3), torch.rand(4, 2, 3)], t=1), ValueError, "same"),
    (lambda: draw_stack_states([torch.rand(5, 5, 3)], t=1), ValueError, "at most 4 sentences"),
    (lambda: draw_stack_states([torch.rand(5, 2, 3)], t=0), ValueError, r"t must be an int in \[1, 5\], got 0"),
    (lambda: draw_stack_states([torch.rand(5, 2, 3)], t=6), ValueError, r"t must be an int in \[1, 5\], got 6"),
    (lambda: draw_stack_states([torch.rand(5, 2, 3)], t=2.0), TypeError, r"t must be an int"),
])
def test_drawings_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
