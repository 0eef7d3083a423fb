"""Unit tests of helpers.recurrence: chapter 2's drawings (图2–图6, 图10, the unrolled graph, the explorer's frame)."""
import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from torch import nn

from helpers import (COLORS, draw_batch_step, draw_hidden_state, draw_parameter_counts, draw_per_word_layers,
                     draw_rnn_cell, draw_unrolled, draw_weight_shapes)


def texts(fig: Figure) -> str:
    """Every piece of text in a figure (titles included), joined."""
    found = [t.get_text() for ax in fig.axes for t in ax.texts]
    found += [ax.get_title() for ax in fig.axes] + [ax.get_xlabel() for ax in fig.axes]
    found += [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    return "\n".join(found)


# -- every drawing is a pyplot-free Figure that labels steps from 1 ----------------------------
@pytest.mark.parametrize("draw, expected", [
    (lambda: draw_per_word_layers(), "One linear layer per word: a [5, 100] sentence becomes [5, 5]"),
    (lambda: draw_unrolled(5), "Unrolled over 5 steps"),
    (lambda: draw_unrolled(5, batch=3, input_size=100, hidden_size=20), "Unrolled over 5 steps"),
    (lambda: draw_unrolled(8, highlight=3), "What feeds $h_{3}$"),
    (lambda: draw_batch_step(), "step 2 reads word 2 of each"),
    (lambda: draw_rnn_cell(), "$h_{t-1}$\n[3, 20]"),
    (lambda: draw_rnn_cell(None, None, None), "next step: $h_t$ becomes $h_{t-1}$"),
    (lambda: draw_weight_shapes(), "The shapes of one step, drawn to scale"),
    (lambda: draw_parameter_counts([1, 2, 3], [505, 1010, 1515], 535), "one shared recurrence (nn.RNN): 535"),
    (lambda: draw_hidden_state(torch.zeros(4, 3, 20), 2), "t = 2: $h_{2}$ is fed by"),
])
def test_drawings_are_pyplot_free_and_count_steps_from_one(draw, expected):
    fig = draw()
    assert isinstance(fig, Figure)
    assert fig.canvas.manager is None
    text = texts(fig)
    assert expected in text
    # the math's indexing: no step is called x_0 (h_0 is the initial state, x_1 the first input)
    assert "x_{0}" not in text and "x_0" not in text and "t=0" not in text


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


@pytest.mark.parametrize("t", [0, 2, 5])
def test_unrolled_highlight_greys_out_what_cannot_reach_h_t(t):
    fig = draw_unrolled(5, highlight=t)
    ax = fig.axes[0]
    grey = {x.get_text() for x in ax.texts if x.get_color() == "#999999"}
    black = {x.get_text() for x in ax.texts if x.get_color() == "black"}
    names = ["$h_0$"] + [f"$h_{{{k}}}$" for k in range(1, 6)]
    assert {f"$x_{{{k}}}$" for k in range(1, t + 1)} | set(names[:t + 1]) <= black
    assert {f"$x_{{{k}}}$" for k in range(t + 1, 6)} | set(names[t + 1:]) <= grey
    assert ax.get_title() == {0: "What feeds $h_{0}$: $h_0$ only; later inputs cannot reach it",
                              2: "What feeds $h_{2}$: $h_0$ and $x_{1}$, $x_{2}$; later inputs cannot reach it",
                              5: r"What feeds $h_{5}$: $h_0$ and $x_1, \dots, x_{5}$; later inputs cannot reach it"}[t]
    # one frame, around h_t: the box of h_t is centred at x = 1.7 t
    frames = [p for p in ax.patches if isinstance(p, Rectangle) and to_hex(p.get_edgecolor()) == COLORS["grad"].lower()]
    assert len(frames) == 1
    assert frames[0].get_x() + frames[0].get_width() / 2 == pytest.approx(1.7 * t)


def test_unrolled_without_highlight_has_no_frame_and_nothing_grey():
    ax = draw_unrolled(4).axes[0]
    assert not [p for p in ax.patches if isinstance(p, Rectangle)]
    assert all(x.get_color() == "black" for x in ax.texts)
    assert ax.get_xlim() == (-0.8, 4 * 1.7 + 0.8)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"seq_len": 0}, ValueError, "seq_len must be a positive int"),
    ({"seq_len": 13}, ValueError, "seq_len must be a positive int <= 12"),
    ({"seq_len": "5"}, TypeError, "seq_len must be a positive int, got str"),
    ({"seq_len": True}, TypeError, "seq_len must be a positive int, got bool"),
    ({"seq_len": 5, "batch": 0}, ValueError, "batch must be a positive int"),
    ({"seq_len": 5, "hidden_size": 2.5}, TypeError, "hidden_size must be a positive int"),
    ({"seq_len": 5, "highlight": 6}, ValueError, r"highlight must be an int in \[0, 5\], got 6"),
    ({"seq_len": 5, "highlight": -1}, ValueError, "highlight must be an int in"),
    ({"seq_len": 5, "highlight": 2.0}, TypeError, "highlight must be an int"),
])
def test_unrolled_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        draw_unrolled(**kwargs)


# -- 图4, 图6, 图10 --------------------------------------------------------------------------------
def test_batch_step_names_the_step_and_its_shapes():
    fig = draw_batch_step(seq_len=5, batch=3, input_size=100, hidden_size=20, t=2)
    text = texts(fig)
    assert "x: [5, 3, 100]" in text
    assert "$x_{2}$ = x[1]: [3, 100]" in text
    assert "$h_{1}$: [3, 20]" in text and "$h_{2}$: [3, 20]" in text
    assert "sentence 3" in text and "A batch of 3 sentences, not 3 words" in text
    assert [f"t={k}" for k in range(1, 6)] == [x.get_text() for x in fig.axes[0].texts if x.get_text().startswith("t=")]
    # the grid: 5 x 3 word cells, and exactly the column of step 2 is filled strongly
    cells = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(cells) == 15
    strong = sorted({round(p.get_x(), 2) for p in cells if p.get_facecolor()[3] > 0.5})
    assert strong == [0.95]  # column k = 1 (x[1]) of width 0.95


@pytest.mark.parametrize("kwargs, err, match", [
    ({"t": 0}, ValueError, r"t must be an int in \[1, 5\], got 0"),
    ({"t": 6}, ValueError, r"t must be an int in \[1, 5\]"),
    ({"t": "2"}, TypeError, "t must be an int"),
    ({"batch": 9}, ValueError, "batch must be a positive int <= 8"),
    ({"input_size": -1}, ValueError, "input_size must be a positive int"),
])
def test_batch_step_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
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
    # drawn to scale: W_xh is 100 high and 20 wide, x_t 3 high and 100 wide (sides of at least 0.28)
    ax = draw_weight_shapes(batch=3, input_size=I, hidden_size=H).axes[0]
    sizes = {(round(p.get_width(), 3), round(p.get_height(), 3)) for p in ax.patches}
    s = 3.2 / I
    assert (round(H * s, 3), round(I * s, 3)) in sizes      # W_xh: [100, 20]
    assert (round(I * s, 3), 0.28) in sizes                 # x_t: [3, 100]
    assert (round(H * s, 3), round(H * s, 3)) in sizes      # W_hh: [20, 20]
    assert len(ax.patches) == 6


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
    ax = fig.axes[0]
    assert ax.get_xlabel() == "sentence length (words)" and ax.get_ylabel() == "parameters"
    assert ax.get_ylim() == pytest.approx((0, 505 * 5 * 1.08))


@pytest.mark.parametrize("args, err, match", [
    (([1, 2], [1], 5), ValueError, "same length"),
    (("12", [1, 2], 5), TypeError, "seq_lens must be a 1-D list"),
    (([], [], 5), ValueError, "seq_lens must be 1-D with at least 1 value"),
    (([1, 2], [1, float("nan")], 5), ValueError, "per_word must hold finite numbers"),
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
    assert "t = 4: $h_{4}$ is fed by $h_0$ and $x_1, \\dots, x_{4}$" in texts(fig)
    assert "$h_{4}$: [3, 20]" in texts(fig)
    assert "t = 0: $h_{0}$ is fed by $h_0$ only" in texts(draw_hidden_state(hs, 0))
    assert "t = 2: $h_{2}$ is fed by $h_0$ and $x_{1}$, $x_{2}$" in texts(draw_hidden_state(hs, 2))
    assert [x.get_text() for x in fig.axes[1].get_yticklabels()] == ["sentence 1", "sentence 2", "sentence 3"]


@pytest.mark.parametrize("hs, t, err, match", [
    (torch.zeros(6, 20), 1, ValueError, "hs must have 3 dims"),
    (np.zeros((6, 3, 20)), 1, TypeError, "hs must be a torch.Tensor"),
    (torch.zeros(6, 3, 20, dtype=torch.long), 1, TypeError, "hs must be a floating-point tensor"),
    (torch.zeros(1, 3, 20), 0, ValueError, "1 <= T <= 12"),
    (torch.zeros(6, 3, 20), 6, ValueError, r"t must be an int in \[0, 5\], got 6"),
    (torch.zeros(6, 3, 20), 1.0, TypeError, "t must be an int"),
])
def test_hidden_state_frame_rejects_bad_input(hs, t, err, match):
    with pytest.raises(err, match=match):
        draw_hidden_state(hs, t)
