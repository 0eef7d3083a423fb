"""Unit tests of helpers.recurrence: chapter 2's drawings (图2–图6, 图10, the unrolled graph, the explorer's frame)."""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from torch import nn

from helpers import (draw_batch_step, draw_hidden_state, draw_parameter_counts, draw_per_word_layers,
                     draw_rnn_cell, draw_unrolled, draw_weight_shapes)


def texts(fig: Figure) -> str:
    """Every piece of text in a figure (titles included), joined."""
    found = [t.get_text() for ax in fig.axes for t in ax.texts]
    found += [ax.get_title() for ax in fig.axes]
    return "\n".join(found)


# -- every drawing is a pyplot-free Figure ----------------------------------------------------
@pytest.mark.parametrize("draw", [
    lambda: draw_per_word_layers(),
    lambda: draw_unrolled(5),
    lambda: draw_unrolled(5, batch=3, input_size=100, hidden_size=20),
    lambda: draw_unrolled(8, highlight=3),
    lambda: draw_batch_step(),
    lambda: draw_rnn_cell(),
    lambda: draw_rnn_cell(None, None, None),
    lambda: draw_weight_shapes(),
    lambda: draw_parameter_counts([1, 2, 3], [505, 1010, 1515], 535),
    lambda: draw_hidden_state(torch.zeros(4, 3, 20), 2),
])
def test_drawings_return_pyplot_free_figures(draw):
    fig = draw()
    assert isinstance(fig, Figure)
    assert fig.canvas.manager is None


# -- 图2 -----------------------------------------------------------------------------------------
def test_per_word_layers_count_matches_pytorch():
    T, I, O = 5, 100, 5
    fig = draw_per_word_layers(T, I, O)
    n_params = sum(p.numel() for layer in [nn.Linear(I, O) for _ in range(T)] for p in layer.parameters())
    assert f"= {n_params:,} parameters\n" in texts(fig)
    assert all(f"Linear #{k}" in texts(fig) for k in range(1, T + 1))


# -- the unrolled graph ----------------------------------------------------------------------
def test_unrolled_draws_every_step_and_its_shapes():
    fig = draw_unrolled(4, batch=3, input_size=100, hidden_size=20)
    text = texts(fig)
    for k in range(1, 5):
        assert f"$x_{{{k}}}$\n[3, 100]" in text and f"$h_{{{k}}}$\n[3, 20]" in text
    assert "$h_0$\n[3, 20]" in text
    assert "$x_{5}$" not in text
    assert text.count("tanh cell") == 4


def test_unrolled_highlight_greys_out_what_cannot_reach_h_t():
    fig = draw_unrolled(5, highlight=2)
    ax = fig.axes[0]
    grey = {t.get_text() for t in ax.texts if t.get_color() == "#999999"}
    black = {t.get_text() for t in ax.texts if t.get_color() == "black"}
    assert {"$x_{3}$", "$x_{4}$", "$x_{5}$", "$h_{3}$", "$h_{5}$"} <= grey
    assert {"$h_0$", "$x_{1}$", "$x_{2}$", "$h_{2}$"} <= black
    assert "What feeds $h_{2}$" in ax.get_title()


@pytest.mark.parametrize("kwargs, err, match", [
    ({"seq_len": 0}, ValueError, "seq_len must be a positive int"),
    ({"seq_len": 13}, ValueError, "seq_len must be a positive int <= 12"),
    ({"seq_len": "5"}, TypeError, "seq_len must be a positive int, got str"),
    ({"seq_len": True}, TypeError, "seq_len must be a positive int, got bool"),
    ({"seq_len": 5, "batch": 0}, ValueError, "batch must be a positive int"),
    ({"seq_len": 5, "hidden_size": 2.5}, TypeError, "hidden_size must be a positive int"),
    ({"seq_len": 5, "highlight": 6}, ValueError, r"highlight must be an int step in \[0, seq_len=5\]"),
    ({"seq_len": 5, "highlight": -1}, ValueError, "highlight must be"),
])
def test_unrolled_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        draw_unrolled(**kwargs)


# -- 图4, 图6, 图10 --------------------------------------------------------------------------------
def test_batch_step_names_the_step_and_its_shapes():
    text = texts(draw_batch_step(seq_len=5, batch=3, input_size=100, hidden_size=20, t=2))
    assert "x: [5, 3, 100]" in text
    assert "$x_{2}$ = x[1]: [3, 100]" in text
    assert "$h_{1}$: [3, 20]" in text and "$h_{2}$: [3, 20]" in text
    assert "sentence 3" in text and "A batch of 3 sentences, not 3 words" in text


@pytest.mark.parametrize("kwargs, match", [
    ({"t": 0}, r"t must be an int step in \[1, seq_len=5\]"),
    ({"t": 6}, "t must be an int step"),
    ({"batch": 9}, "batch must be a positive int <= 8"),
    ({"input_size": -1}, "input_size must be a positive int"),
])
def test_batch_step_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        draw_batch_step(**kwargs)


def test_rnn_cell_puts_each_weight_on_its_own_input():
    text = texts(draw_rnn_cell(3, 100, 20))
    assert "$\\cdot\\,W_{xh}$\n[100, 20]" in text       # W_xh acts on x_t: [3, 100]
    assert "$\\cdot\\,W_{hh}$\n[20, 20]" in text        # W_hh acts on h_{t-1}: [3, 20]
    assert "$x_t$\n[3, 100]" in text and "$h_{t-1}$\n[3, 20]" in text
    assert r"$h_t = \tanh(x_t\,W_{xh} + h_{t-1}\,W_{hh} + b)$" in text
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        draw_rnn_cell(hidden_size=0)


def test_weight_shapes_match_pytorch_storage():
    I, H = 100, 20
    rnn = nn.RNN(I, H)
    text = texts(draw_weight_shapes(batch=3, input_size=I, hidden_size=H))
    ih, hh = tuple(rnn.weight_ih_l0.shape), tuple(rnn.weight_hh_l0.shape)
    assert f"weight_ih_l0 = $W_{{xh}}$.T: [{ih[0]}, {ih[1]}]" in text
    assert f"weight_hh_l0 = $W_{{hh}}$.T: [{hh[0]}, {hh[1]}]" in text
    assert f"$W_{{xh}}$: [{I}, {H}]" in text and f"$x_t$: [3, {I}]" in text


def test_weight_shapes_rejects_bad_input():
    with pytest.raises(ValueError, match="input_size must be a positive int <= 400"):
        draw_weight_shapes(input_size=1000)
    with pytest.raises(TypeError, match="batch must be a positive int"):
        draw_weight_shapes(batch="3")


# -- the parameter count ----------------------------------------------------------------------
def test_parameter_counts_plots_the_given_numbers():
    lengths = np.arange(1, 6)
    per_word = 505 * lengths
    fig = draw_parameter_counts(lengths, per_word, 535)
    lines = fig.axes[0].get_lines()
    np.testing.assert_array_equal(lines[0].get_ydata(), per_word)
    np.testing.assert_array_equal(lines[1].get_ydata(), np.full(5, 535))
    assert "535" in lines[1].get_label()


@pytest.mark.parametrize("args, err, match", [
    (([1, 2], [1], 5), ValueError, "same length"),
    (("12", [1, 2], 5), TypeError, "seq_lens must be a sequence of numbers"),
    (([], [], 5), ValueError, "non-empty 1-D"),
    (([1, 2], [1, float("nan")], 5), ValueError, "finite"),
    (([1, 2], [1, 2], 0), ValueError, "shared must be a positive int"),
    (([1, 2], [1, 2], 5.0), TypeError, "shared must be a positive int"),
])
def test_parameter_counts_rejects_bad_input(args, err, match):
    with pytest.raises(err, match=match):
        draw_parameter_counts(*args)


# -- the explorer frame -----------------------------------------------------------------------
def test_hidden_state_frame_shows_h_t():
    torch.manual_seed(0)
    hs = torch.tanh(torch.randn(6, 3, 20))
    fig = draw_hidden_state(hs, 4)
    images = [im for ax in fig.axes for im in ax.get_images() if isinstance(im, AxesImage)]
    assert len(images) == 1
    np.testing.assert_allclose(images[0].get_array(), hs[4].numpy())
    assert images[0].get_clim() == (-1, 1)
    assert "t = 4" in texts(fig)
    assert "t = 0" in texts(draw_hidden_state(hs, 0))


@pytest.mark.parametrize("hs, t, err, match", [
    (torch.zeros(6, 20), 1, TypeError, "hs must be a tensor"),
    (np.zeros((6, 3, 20)), 1, TypeError, "hs must be a tensor"),
    (torch.zeros(1, 3, 20), 0, ValueError, "1 <= T <= 12"),
    (torch.zeros(6, 3, 20), 6, ValueError, r"t must be an int step in \[0, 5\]"),
    (torch.zeros(6, 3, 20), 1.0, ValueError, "t must be an int step"),
])
def test_hidden_state_frame_rejects_bad_input(hs, t, err, match):
    with pytest.raises(err, match=match):
        draw_hidden_state(hs, t)
