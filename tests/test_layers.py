"""Unit tests of chapter 4's helpers: the drawings, the shape checker and the shapes explorer, against nn.RNN."""
import itertools
import re

import pytest
import torch
from matplotlib.patches import FancyBboxPatch, Rectangle
from torch import nn

from helpers import check_rnn_input, draw_layer_stack, draw_rnn_parameters, rnn_shapes, rnn_shapes_text

CONFIGS = [  # (input_size, hidden_size, num_layers, batch_first, bidirectional, seq_len, batch)
    (100, 20, 1, False, False, 10, 3),
    (100, 20, 4, False, False, 10, 3),
    (1, 16, 1, True, False, 49, 1),
    (7, 5, 3, True, True, 4, 2),
    (7, 5, 2, False, True, 6, 1),
]


def _real(input_size, hidden_size, num_layers, batch_first, bidirectional, seq_len, batch):
    rnn = nn.RNN(input_size, hidden_size, num_layers=num_layers, batch_first=batch_first, bidirectional=bidirectional)
    x = torch.randn((batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size))
    with torch.no_grad():
        out, h_n = rnn(x)
    return rnn, x, out, h_n


# -- drawings -------------------------------------------------------------------------------------
def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_rnn_parameters_draws_one_row_per_hidden_unit():
    fig = draw_rnn_parameters(input_size=8, hidden_size=3)
    texts = _texts(fig)
    assert "weight_ih_l0: (3, 8) = (hidden_size, input_size)" in texts
    assert "weight_hh_l0\n(3, 3)" in texts
    assert "row 2 = weight_ih_l0[2] (code counts from 0):\nthe 8 input weights of hidden unit 2" in texts
    # the formula in the course's math (row vectors, W_xh = weight_ih_l0.T), not PyTorch's W_ih^T
    assert r"$h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b)$" in texts
    assert "$W_{xh}$ = weight_ih_l0.T,   $W_{hh}$ = weight_hh_l0.T,   $b$ = bias_ih_l0 + bias_hh_l0" in texts
    assert "$x_t W_{xh}$\n(3,)" in texts
    assert not [t for t in texts if "^T" in t]
    ax = fig.axes[0]
    assert len(ax.lines) == 5 * (3 - 1)       # row lines of weight_ih, the result, weight_hh and the two biases
    big = draw_rnn_parameters(input_size=100, hidden_size=30)
    assert len(big.axes[0].lines) == 0         # more than 24 rows: no row lines
    assert "row 2 = weight_ih_l0[2] (code counts from 0):\nthe 100 input weights of hidden unit 2" in _texts(big)
    one = draw_rnn_parameters(input_size=4, hidden_size=1)
    assert "row 0 = weight_ih_l0[0] (code counts from 0):\nthe 4 input weights of hidden unit 0" in _texts(one)   # the highlighted row exists


def test_layer_stack_draws_every_state_in_math_step_notation():
    fig = draw_layer_stack(num_layers=3, seq_len=4)
    ax = fig.axes[0]
    texts = _texts(fig)
    assert [t for t in texts if t.startswith("$x_")] == ["$x_{1}$", "$x_{2}$", "$x_{3}$", "$x_{4}$"]
    assert sum(t.startswith("$h^{(") for t in texts) == 3 * 4
    assert "$h^{(2)}_{4}$" in texts and "$h^{(0)}_{1}$" in texts and "$h^{(0)}_{0}$" not in texts
    assert "out: the top layer's state at every step" in texts
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    frames = [p for p in ax.patches if type(p) is Rectangle]
    assert len(boxes) == 3 * 4 + 4 and len(frames) == 3   # states and inputs; one h_n frame per layer


def test_layer_stack_labels_every_h_n_slot():
    fig = draw_layer_stack(num_layers=3, seq_len=4)
    assert [t for t in _texts(fig) if t.startswith("h_n[")] == ["h_n[0]: layer 0", "h_n[1]: layer 1", "h_n[2]: layer 2"]
    fig = draw_layer_stack(num_layers=2, seq_len=4, bidirectional=True)
    texts = _texts(fig)
    assert [t for t in texts if t.startswith("h_n[")] == ["h_n[0]: layer 0, forward", "h_n[1]: layer 0, backward",
                                                        "h_n[2]: layer 1, forward", "h_n[3]: layer 1, backward"]
    assert sum(t.startswith(r"$\leftarrow") for t in texts) == 2 * 4
    assert "out: cat(forward, backward) of the top layer at every step" in texts
    frames = [p for p in fig.axes[0].patches if type(p) is Rectangle]
    assert len(frames) == 4
    # the backward frames sit over step 1 (left), the forward ones over the last step (right)
    lefts = sorted(p.get_x() for p in frames)
    assert lefts[0] == lefts[1] < 0 < lefts[2] == lefts[3]


@pytest.mark.parametrize("call, err, match", [
    (lambda: draw_rnn_parameters(input_size=0), ValueError, "input_size must be a positive int"),
    (lambda: draw_rnn_parameters(hidden_size=2.5), TypeError, "hidden_size must be a positive int"),
    (lambda: draw_layer_stack(num_layers=True), TypeError, "num_layers must be a positive int"),
    (lambda: draw_layer_stack(seq_len=20), ValueError, "seq_len must be a positive int <= 8"),
    (lambda: draw_layer_stack(bidirectional=1), TypeError, "bidirectional must be a bool"),
])
def test_drawings_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


# -- check_rnn_input ------------------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS)
def test_check_rnn_input_predicts_what_pytorch_returns(config):
    torch.manual_seed(0)
    rnn, x, out, h_n = _real(*config)
    assert check_rnn_input(rnn, x) == (tuple(out.shape), tuple(h_n.shape))
    assert check_rnn_input(rnn, x, torch.zeros_like(h_n)) == (tuple(out.shape), tuple(h_n.shape))


def test_check_rnn_input_rejects_what_pytorch_rejects():
    rnn = nn.RNN(100, 20, num_layers=2, batch_first=True)
    x = torch.randn(3, 10, 100)
    bad = [(torch.randn(3, 100), None), (torch.randn(3, 10, 50), None), (x, torch.zeros(3, 2, 20)),
           (x, torch.zeros(3, 20)), (torch.randn(3, 10, 100, 1), None)]
    for x_bad, h_bad in bad:
        with pytest.raises(ValueError):
            check_rnn_input(rnn, x_bad, h_bad)
        if x_bad.dim() != 2:            # PyTorch reads 2-D input as unbatched; it rejects the rest
            with pytest.raises((RuntimeError, ValueError)):
                rnn(x_bad, h_bad)


@pytest.mark.parametrize("rnn, x, h0, err, match", [
    (nn.RNNCell(100, 20), torch.randn(10, 3, 100), None, TypeError, r"rnn must be a torch.nn.modules.rnn.RNN, got RNNCell"),
    (nn.RNN(100, 20), [[1.0]], None, TypeError, "x must be a torch.Tensor"),
    (nn.RNN(100, 20), torch.randn(3, 100), None, ValueError,
     r"x has 2 dims \(3, 100\): nn.RNN would read it as ONE unbatched sequence of seq_len=3.*x.unsqueeze\(0\) -> \(1, 3, 100\)"),
    (nn.RNN(100, 20, batch_first=True), torch.randn(3, 100), None, ValueError, r"x.unsqueeze\(1\) -> \(3, 1, 100\)"),
    (nn.RNN(100, 20), torch.randn(10, 3, 100, 2), None, ValueError, r"x must have 3 dims \(seq_len, batch, input_size\), got 4"),
    (nn.RNN(100, 20), torch.randn(10, 3, 50), None, ValueError, "x's last dim must be input_size = 100, got 50"),
    (nn.RNN(100, 20), torch.randn(10, 3, 100), torch.zeros(1, 20, 3), ValueError,
     r"h0 must have shape \(num_layers, batch, hidden_size\) = \(1, 3, 20\), got \(1, 20, 3\)$"),
    (nn.RNN(100, 20), torch.randn(10, 3, 100), torch.zeros(3, 20), ValueError, r"use h0.unsqueeze\(0\)"),
    (nn.RNN(100, 20, num_layers=2, batch_first=True), torch.randn(3, 10, 100), torch.zeros(3, 2, 20), ValueError,
     r"= \(2, 3, 20\), got \(3, 2, 20\); h0 keeps layers first even when batch_first=True"),
    (nn.RNN(100, 20, bidirectional=True), torch.randn(10, 3, 100), torch.zeros(1, 3, 20), ValueError,
     r"\(num_layers \* 2, batch, hidden_size\) = \(2, 3, 20\)"),
    (nn.RNN(100, 20), torch.randn(10, 3, 100), "zeros", TypeError, "h0 must be None or a torch.Tensor, got str"),
])
def test_check_rnn_input_messages(rnn, x, h0, err, match):
    with pytest.raises(err, match=match):
        check_rnn_input(rnn, x, h0)


# -- rnn_shapes / rnn_shapes_text ----------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS)
def test_rnn_shapes_match_a_real_rnn(config):
    input_size, hidden_size, num_layers, batch_first, bidirectional, seq_len, batch = config
    s = rnn_shapes(*config)
    rnn, x, out, h_n = _real(*config)
    assert s["params"] == {name: tuple(p.shape) for name, p in rnn.named_parameters()}
    assert (s["x"], s["out"], s["h_n"], s["h0"]) == (tuple(x.shape), tuple(out.shape), tuple(h_n.shape),
                                                   tuple(h_n.shape))
    D = 2 if bidirectional else 1
    by_time = out.transpose(0, 1) if batch_first else out
    for k, where in s["h_n_in_out"].items():
        if k < (num_layers - 1) * D:
            assert where is None                      # lower layers never appear in out
        else:
            t, d = where
            assert (t, d) == ((seq_len - 1, 0) if k % D == 0 else (0, 1))
            torch.testing.assert_close(by_time[t, :, d * hidden_size:(d + 1) * hidden_size], h_n[k])


def test_rnn_shapes_leaves_the_global_random_stream_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    rnn_shapes(10, 4, 2, False, True, 5, 2)
    torch.testing.assert_close(torch.rand(3), expected)


def _parse(text):
    params = {}
    for row in re.finditer(r"^  (_l\d+(?:_reverse)?)\s+(\(.*?\))\s+(\(.*?\))\s+(\(.*?\))\s+(\(.*?\))$", text, re.M):
        for kind, shape in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), row.groups()[1:]):
            params[kind + row.group(1)] = eval(shape)
    shapes = {name: eval(m) for name, m in re.findall(r"^(x|h0|out|h_n)\s+(\([\d, ]+\))", text, re.M)}
    return params, shapes


@pytest.mark.parametrize("config", CONFIGS)
def test_rnn_shapes_text_shows_the_real_shapes(config):
    text = rnn_shapes_text(*config)
    rnn, x, out, h_n = _real(*config)
    params, shapes = _parse(text)
    assert params == {name: tuple(p.shape) for name, p in rnn.named_parameters()}
    assert shapes == {"x": tuple(x.shape), "h0": tuple(h_n.shape), "out": tuple(out.shape), "h_n": tuple(h_n.shape)}
    assert f"total: {sum(p.numel() for p in rnn.parameters()):,} numbers" in text


def test_rnn_shapes_text_says_where_h_n_sits():
    text = rnn_shapes_text(100, 20, 2, True, True, 5, 3)
    assert "h_n[2] == out[:, 4, :20]" in text and "h_n[3] == out[:, 0, 20:]" in text
    assert "|....#|" in text and "|#....|" in text
    assert "layers first, even with batch_first=True" in text
    assert "h_n[0] .. h_n[1]: a lower layer, not in out" in text
    text = rnn_shapes_text(100, 20, 1, False, False, 10, 3)
    assert "h_n[0] == out[9]" in text and "not in out" not in text
    assert "h_n[2] == out[9]" in rnn_shapes_text(100, 20, 3, False, False, 10, 3)
    long = rnn_shapes_text(1, 16, 1, True, True, 49, 1)  # long sequences: first and last 5 steps
    assert "|..... ... ....#|  h_n[0] == out[:, 48, :16]" in long and "|#.... ... .....|  h_n[1] == out[:, 0, 16:]" in long


def test_rnn_shapes_text_fits_the_page():
    grid = itertools.product([1, 100], [16, 20], [1, 2, 3], [False, True], [False, True], [10, 49], [1, 3])
    assert max(len(line) for point in grid for line in rnn_shapes_text(*point).splitlines()) <= 70


def test_every_control_of_the_chapter_grid_changes_the_frame():
    grid = itertools.product([1, 100], [16, 20], [1, 2, 3], [False, True], [False, True], [10, 49], [1, 3])
    texts = {rnn_shapes_text(*point) for point in grid}
    assert len(texts) == 192                   # no two settings of the explorer show the same frame


def test_rnn_shapes_text_labels_the_time_axis_as_code_indices():
    text = rnn_shapes_text(100, 20, 1, False, False, 10, 3)
    assert "time index 0 .. 9 (index t - 1 holds h_t)" in text
    header, bar = [line for line in text.splitlines() if "time index" in line or "|" in line]
    assert header.index("time index") == bar.index("|") + 1     # the header starts over the first step


@pytest.mark.parametrize("kwargs, err, match", [
    ({"input_size": 0}, ValueError, "input_size must be a positive int"),
    ({"hidden_size": "20"}, TypeError, "hidden_size must be a positive int"),
    ({"num_layers": 1.0}, TypeError, "num_layers must be a positive int"),
    ({"batch_first": "yes"}, TypeError, "batch_first must be a bool"),
    ({"bidirectional": 0}, TypeError, "bidirectional must be a bool"),
    ({"seq_len": -1}, ValueError, "seq_len must be a positive int"),
    ({"batch": True}, TypeError, "batch must be a positive int"),
])
def test_rnn_shapes_reject_bad_input(kwargs, err, match):
    args = {"input_size": 10, "hidden_size": 4, **kwargs}
    with pytest.raises(err, match=match):
        rnn_shapes(**args)
    with pytest.raises(err, match=match):
        rnn_shapes_text(**args)
