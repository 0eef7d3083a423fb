"""Unit tests of helpers.bptt: the gradient-norm measurement (checked against autograd, nn.RNN and the
closed form of the linear RNN), the drawings of 图7–图9, and the curve plots (checked for what they draw)."""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import (draw_bptt_graph, draw_jacobian_chain, draw_log_curves, draw_step_contributions,
                     draw_truncation, hidden_jacobian_norms)

DTYPE = torch.float64


def setup(H=6, T=7, seed=0, scale=1.3):
    g = torch.Generator().manual_seed(seed)
    W = scale * torch.randn(H, H, dtype=DTYPE, generator=g) / H**0.5
    u = torch.randn(T, H, dtype=DTYPE, generator=g)
    h_0 = 0.1 * torch.randn(H, dtype=DTYPE, generator=g)
    return W, u, h_0


def run(h, W, u, activation):
    for u_t in u:
        a = h @ W + u_t
        h = torch.tanh(a) if activation == "tanh" else a
    return h


# -- the measurement ------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "identity"])
def test_jacobian_norms_match_autograd(activation):
    W, u, h_0 = setup()
    norms = hidden_jacobian_norms(W, u, activation, h_0=h_0)
    T = u.shape[0]
    assert norms.shape == (T + 1,)
    h_t = h_0
    for t in range(T + 1):                       # norms[T - t] = ||dh_T / dh_t||
        jac = torch.autograd.functional.jacobian(lambda h: run(h, W, u[t:], activation), h_t)
        torch.testing.assert_close(norms[T - t], torch.linalg.matrix_norm(jac, ord=2))
        if t < T:
            h_t = run(h_t, W, u[t:t + 1], activation)


def test_jacobian_norms_match_nn_rnn():
    """The tanh case against PyTorch's own layer: drive u_t enters as the input, weight_hh_l0 = W.T."""
    W, u, _ = setup(H=5, T=9, seed=1)
    H, T = W.shape[0], u.shape[0]
    rnn = nn.RNN(H, H, dtype=DTYPE)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.eye(H, dtype=DTYPE))
        rnn.weight_hh_l0.copy_(W.T)
        rnn.bias_ih_l0.zero_()
        rnn.bias_hh_l0.zero_()
    h_0 = torch.zeros(H, dtype=DTYPE)
    jac = torch.autograd.functional.jacobian(lambda h: rnn(u.unsqueeze(1), h.view(1, 1, H))[1].view(H), h_0)
    norms = hidden_jacobian_norms(W, u, "tanh")
    torch.testing.assert_close(norms[T], torch.linalg.matrix_norm(jac, ord=2))


def test_identity_activation_is_the_closed_form():
    """Linear RNN: ||dh_T/dh_{T-d}|| = ||(W^T)^d||, for a non-normal W and for rho times an orthogonal Q."""
    W, u, h_0 = setup(H=8, T=12, seed=4)
    powers = torch.stack([torch.linalg.matrix_norm(torch.linalg.matrix_power(W.T, d), ord=2) for d in range(13)])
    torch.testing.assert_close(hidden_jacobian_norms(W, u, "identity", h_0=h_0), powers)
    g = torch.Generator().manual_seed(2)
    Q, _ = torch.linalg.qr(torch.randn(10, 10, dtype=DTYPE, generator=g))
    u = torch.randn(30, 10, dtype=DTYPE, generator=g)
    for rho in (0.5, 1.0, 1.7):
        torch.testing.assert_close(hidden_jacobian_norms(rho * Q, u, "identity"),
                                   rho ** torch.arange(31, dtype=DTYPE))


def test_tanh_can_exceed_the_linear_product():
    """W = [[1, 1], [-1, -1]] has W^2 = 0: the linear norm vanishes at distance 2, the tanh one does not."""
    W = torch.tensor([[1.0, 1.0], [-1.0, -1.0]], dtype=DTYPE)
    u = torch.tensor([[0.5, -1.5], [0.2, 0.3]], dtype=DTYPE)
    linear = hidden_jacobian_norms(W, u, "identity")
    with_tanh = hidden_jacobian_norms(W, u, "tanh")
    assert linear[2].item() == 0.0 and with_tanh[2].item() > 0.1


@pytest.mark.parametrize("kwargs, err, match", [
    ({"W_hh": np.zeros((3, 3))}, TypeError, "W_hh must be a torch.Tensor"),
    ({"W_hh": torch.zeros(3, 3, dtype=torch.long)}, TypeError, "W_hh must be a floating-point tensor"),
    ({"W_hh": torch.zeros(3, 4)}, ValueError, "W_hh must be a square"),
    ({"W_hh": torch.zeros(3)}, ValueError, "W_hh must have 2 dims"),
    ({"u": [[0.0] * 3] * 5}, TypeError, r"u \(the drive .*\) must be a torch.Tensor"),
    ({"u": torch.zeros(5, 4)}, ValueError, r"must have shape \(any, 3\)"),
    ({"u": torch.zeros(0, 3)}, ValueError, "at least one step"),
    ({"u": torch.zeros(5, 3, dtype=DTYPE)}, TypeError, "u must have the dtype of W_hh"),
    ({"activation": "relu"}, ValueError, "activation must be one of"),
    ({"h_0": torch.zeros(1, 3)}, ValueError, r"h_0 must have 1 dims"),
    ({"h_0": torch.zeros(4)}, ValueError, r"h_0 must have shape \(3\)"),
    ({"h_0": "zeros"}, TypeError, "h_0 must be a torch.Tensor"),
])
def test_jacobian_norms_reject_bad_input(kwargs, err, match):
    args = {"W_hh": torch.eye(3), "u": torch.zeros(5, 3), "activation": "tanh", "h_0": None}
    args.update(kwargs)
    with pytest.raises(err, match=match):
        hidden_jacobian_norms(**args)


# -- drawings -------------------------------------------------------------------------------
def texts(fig: Figure) -> str:
    return "\n".join([t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes])


def test_bptt_graph_has_a_prediction_and_a_loss_per_step():
    fig = draw_bptt_graph(4)
    assert fig.canvas.manager is None                # no pyplot: the figure shows once
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert all(f"$L_{{{k}}}$" in labels and f"$\\hat y_{{{k}}}$" in labels for k in range(1, 5))
    assert labels.count("$W_{hh}$") == 4             # one label per use of W_hh
    assert len(fig.axes[0].patches) == 1 + 4 * 4     # h_0, and x, h, y^, L per step


def test_bptt_graph_one_loss_step_greys_out_later_steps():
    ax = draw_bptt_graph(5, loss_step=2).axes[0]
    grey = {t.get_text() for t in ax.texts if t.get_color() == "#999999"}
    assert {"$L_{1}$", "$L_{3}$", "$h_{3}$", "$x_{5}$"} <= grey
    assert "$L_{2}$" not in grey and "$h_{1}$" not in grey
    assert "steps 1..2, not later" in ax.get_title()


@pytest.mark.parametrize("kwargs, err, match", [
    ({"seq_len": 9}, ValueError, "seq_len must be a positive int <= 8"),
    ({"seq_len": "4"}, TypeError, "seq_len must be a positive int"),
    ({"seq_len": 4, "loss_step": 0}, ValueError, r"loss_step must be an int in \[1, 4\]"),
    ({"seq_len": 4, "loss_step": 5}, ValueError, r"loss_step must be an int in \[1, 4\], got 5"),
    ({"seq_len": 4, "loss_step": 1.5}, TypeError, "loss_step must be an int"),
])
def test_bptt_graph_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        draw_bptt_graph(**kwargs)


def test_step_contributions_shows_the_lower_triangle():
    norms = np.tril(np.arange(1, 17, dtype=float).reshape(4, 4))
    fig = draw_step_contributions(torch.tensor(norms))
    image = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_array_equal(np.ma.filled(image, np.nan)[np.tril_indices(4)], norms[np.tril_indices(4)])
    assert np.isnan(np.ma.filled(image, np.nan)[0, 1])
    zeros = [t for t in fig.axes[0].texts if t.get_text() == "0"]
    assert len(zeros) == 6                          # the 4 x 4 upper triangle, written as 0
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [f"$L_{{{t}}}$" for t in range(1, 5)]


@pytest.mark.parametrize("norms, err, match", [
    ("1 2; 3 4", TypeError, "norms must be a torch.Tensor or numpy.ndarray or list or tuple"),
    ([["a", "b"], ["c", "d"]], TypeError, "norms must hold real numbers"),
    (np.ones((3, 4)), ValueError, "square"),
    (np.ones(3), ValueError, "square"),
    (np.tril(np.ones((3, 3))) * -1, ValueError, "non-negative"),
    (np.ones((3, 3)), ValueError, "zero above the diagonal"),
    (np.tril(np.full((3, 3), np.inf)), ValueError, "finite"),
])
def test_step_contributions_rejects_bad_input(norms, err, match):
    with pytest.raises(err, match=match):
        draw_step_contributions(norms)


def test_jacobian_chain_names_every_factor_latest_first():
    fig = draw_jacobian_chain(2, 6)
    text = texts(fig)
    assert "J_{6} J_{5} J_{4} J_{3}" in text
    assert all(f"$J_{{{k}}}$" in text for k in range(3, 7))
    assert [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("$h_")] == \
        [f"$h_{{{k}}}$" for k in range(2, 7)]


@pytest.mark.parametrize("i, t, err, match", [
    (2, 2, ValueError, r"t \(at most six steps after i are drawn\) must be an int in \[3, 8\]"),
    (0, 7, ValueError, r"must be an int in \[1, 6\], got 7"),
    (-1, 3, ValueError, "i must be an int >= 0"),
    (1.0, 3, TypeError, "i must be an int"),
    (1, "4", TypeError, r"t \(at most six steps after i are drawn\) must be an int"),
])
def test_jacobian_chain_rejects_bad_input(i, t, err, match):
    with pytest.raises(err, match=match):
        draw_jacobian_chain(i, t)


# -- curves ---------------------------------------------------------------------------------
def test_log_curves_plot_values_and_drop_non_finite():
    fig = draw_log_curves({"a": {"one": [1.0, 10.0, float("inf")], "two": torch.tensor([1.0, 0.1, 0.01])},
                           "b": {"three": [2.0, 4.0]}}, xlabel="d", ylabel="norm", sequential=True)
    ax_a, ax_b = fig.axes
    assert ax_a.get_yscale() == "log" and ax_a.get_title() == "a" and ax_a.get_xlabel() == "d"
    one = ax_a.get_lines()[0].get_ydata()
    np.testing.assert_array_equal(one[:2], [1.0, 10.0])
    assert np.isnan(one[2])
    np.testing.assert_array_equal(ax_a.get_lines()[0].get_xdata(), [0, 1, 2])
    assert ax_b.get_shared_y_axes().joined(ax_a, ax_b)
    assert [t.get_text() for t in ax_b.get_legend().get_texts()] == ["three"]
    unshared = draw_log_curves({"a": {"x": [1, 2]}, "b": {"y": [3, 4]}}, xlabel="d", ylabel="v", sharey=False)
    assert not unshared.axes[1].get_shared_y_axes().joined(unshared.axes[0], unshared.axes[1])
    assert unshared.axes[1].get_ylabel() == "v"


def test_log_curves_dashed_references_x_start_and_panel_limits():
    fig = draw_log_curves({"runs": {"run": [0.5, 0.7, 2.0], "one": [1.0] * 3, "two": [2.0] * 3},
                           "other": {"run": [1.0, 2.0, 3.0]}},
                          xlabel="step", ylabel="v", sharey=False, dashed={"one", "two"}, x_start=1,
                          ylim={"runs": (0.1, 10.0)})
    ax = fig.axes[0]
    styles = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
    assert styles == {"run": "-", "one": "--", "two": ":"}
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])
    assert ax.get_ylim() == pytest.approx((0.1, 10.0))
    assert fig.axes[1].get_ylim() != pytest.approx((0.1, 10.0))


@pytest.mark.parametrize("panels, kwargs, err, match", [
    ({}, {}, ValueError, "panels must hold at least one panel"),
    ([("a", {"x": [1]})], {}, TypeError, "panels must be a"),
    ({"a": [1, 2]}, {}, TypeError, r"panels\['a'\] must be a"),
    ({"a": {}}, {}, ValueError, r"panels\['a'\] must hold at least one curve"),
    ({"a": {"x": "12"}}, {}, TypeError, r"panels\['a'\]\['x'\] must be a"),
    ({"a": {"x": [[1, 2]]}}, {}, ValueError, "non-empty 1-D sequence"),
    ({"a": {"x": [1, 2]}}, {"ylim": (0, 1)}, ValueError, "must be a positive finite number"),
    ({"a": {"x": [1, 2]}}, {"ylim": (2, 1)}, ValueError, "ylim must be"),
    ({"a": {"x": [1, 2]}}, {"ylim": {"b": (1, 2)}}, ValueError, r"ylim\['b'\] names no panel"),
    ({"a": {"x": [1, 2]}}, {"xlabel": 3}, TypeError, "xlabel must be a str"),
    ({"a": {"x": [1, 2]}}, {"sequential": 1}, TypeError, "sequential must be a bool"),
    ({"a": {"x": [1, 2]}}, {"dashed": "x"}, TypeError, "dashed must be a"),
    ({"a": {"x": [1, 2]}}, {"x_start": 0.5}, TypeError, "x_start must be an int"),
    ({"a": {"x": [1, 2]}}, {"figsize": (4, -1)}, ValueError, r"figsize\[1\] must be a positive"),
])
def test_log_curves_reject_bad_input(panels, kwargs, err, match):
    args = {"xlabel": "x", "ylabel": "y", **kwargs}
    with pytest.raises(err, match=match):
        draw_log_curves(panels, **args)


def test_truncation_marks_zeros_and_the_cut():
    full = np.linspace(0.1, 1.0, 6)
    cut_grads = np.concatenate([np.zeros(3), full[3:]])
    fig = draw_truncation(full, torch.tensor(cut_grads), cut=3)
    left, right = fig.axes
    assert len(left.patches) == 6 and len(right.patches) == 6
    np.testing.assert_allclose([p.get_height() for p in left.patches], full)
    zeros = [line for line in right.get_lines() if line.get_label() == "exactly 0"]
    assert len(zeros) == 1 and list(zeros[0].get_xdata()) == [1, 2, 3]
    cut_lines = [line for line in left.get_lines() if line.get_linestyle() == "--"]
    assert cut_lines and cut_lines[0].get_xdata()[0] == 3.5
    assert [left.get_title(), right.get_title()] == ["h carried with its graph", "h.detach() at the cut"]


@pytest.mark.parametrize("args, err, match", [
    ((np.ones(6), np.ones(5), 3), ValueError, "same length"),
    ((np.ones(6), np.ones(6), 6), ValueError, r"cut \(steps 1..cut form the first chunk\) must be an int in \[1, 5\]"),
    ((np.ones(6), np.ones(6), 2.0), TypeError, "cut .* must be an int"),
    ((-np.ones(6), np.ones(6), 2), ValueError, "grad_full must hold non-negative numbers"),
    (("abc", np.ones(6), 2), TypeError, "grad_full must be a 1-D list, array or tensor"),
    ((np.ones(6), np.ones(1), 2), ValueError, "grad_truncated must be 1-D with at least 2"),
    ((np.zeros(6), np.zeros(6), 2), ValueError, "grad_full must hold at least one positive number"),
])
def test_truncation_rejects_bad_input(args, err, match):
    with pytest.raises(err, match=match):
        draw_truncation(*args)
