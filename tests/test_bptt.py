"""Unit tests of helpers.bptt: the gradient-norm measurement (checked against autograd and nn.RNN),
the drawings of 图7–图9, and the curve plots."""
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


def test_identity_with_scaled_orthogonal_gives_rho_to_the_distance():
    g = torch.Generator().manual_seed(2)
    Q, _ = torch.linalg.qr(torch.randn(10, 10, dtype=DTYPE, generator=g))
    u = torch.randn(30, 10, dtype=DTYPE, generator=g)
    for rho in (0.5, 1.0, 1.7):
        torch.testing.assert_close(hidden_jacobian_norms(rho * Q, u, "identity"),
                                   rho ** torch.arange(31, dtype=DTYPE))
        bound = rho ** torch.arange(31, dtype=DTYPE) * (1 + 1e-9)
        assert bool((hidden_jacobian_norms(rho * Q, u, "tanh") <= bound).all())


@pytest.mark.parametrize("kwargs, match", [
    ({"W_hh": torch.zeros(3, 4)}, "W_hh must be a square"),
    ({"W_hh": np.zeros((3, 3))}, "W_hh must be a square"),
    ({"u": torch.zeros(5, 4)}, r"u must be a \[T, hidden_size=3\]"),
    ({"u": torch.zeros(0, 3)}, "T >= 1"),
    ({"activation": "relu"}, "activation must be one of"),
    ({"h_0": torch.zeros(1, 3)}, r"h_0 must be a \[hidden_size=3\] tensor"),
])
def test_jacobian_norms_reject_bad_input(kwargs, match):
    args = {"W_hh": torch.eye(3), "u": torch.zeros(5, 3), "activation": "tanh", "h_0": None}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        hidden_jacobian_norms(**args)


# -- drawings -------------------------------------------------------------------------------
def texts(fig: Figure) -> str:
    return "\n".join([t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes])


def test_bptt_graph_has_a_loss_per_step():
    fig = draw_bptt_graph(4)
    assert isinstance(fig, Figure) and fig.canvas.manager is None
    text = texts(fig)
    assert all(f"$L_{{{k}}}$" in text for k in range(1, 5))
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("$W_{hh}$") == 4             # one label per use of W_hh


def test_bptt_graph_one_loss_step_greys_out_later_steps():
    ax = draw_bptt_graph(5, loss_step=2).axes[0]
    grey = {t.get_text() for t in ax.texts if t.get_color() == "#999999"}
    assert {"$L_{1}$", "$L_{3}$", "$h_{3}$", "$x_{5}$"} <= grey
    assert "$L_{2}$" not in grey and "$h_{1}$" not in grey
    assert "steps 1..2, not later" in ax.get_title()


@pytest.mark.parametrize("kwargs, err, match", [
    ({"seq_len": 9}, ValueError, "seq_len must be a positive int <= 8"),
    ({"seq_len": "4"}, TypeError, "seq_len must be a positive int"),
    ({"seq_len": 4, "loss_step": 0}, ValueError, r"loss_step must be an int in \[1, seq_len=4\]"),
    ({"seq_len": 4, "loss_step": 5}, ValueError, "loss_step must be"),
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


@pytest.mark.parametrize("norms, match", [
    (np.ones((3, 4)), "square"),
    (np.ones(3), "square"),
    (np.tril(np.ones((3, 3))) * -1, "non-negative"),
    (np.ones((3, 3)), "zero above the diagonal"),
    (np.tril(np.full((3, 3), np.inf)), "finite"),
])
def test_step_contributions_rejects_bad_input(norms, match):
    with pytest.raises(ValueError, match=match):
        draw_step_contributions(norms)


def test_jacobian_chain_names_every_factor():
    text = texts(draw_jacobian_chain(2, 6))
    assert "J_{6} J_{5} J_{4} J_{3}" in text
    assert all(f"$J_{{{k}}}$" in text for k in range(3, 7))
    with pytest.raises(ValueError, match="t must be an int with i < t <= i \\+ 6"):
        draw_jacobian_chain(2, 2)
    with pytest.raises(ValueError, match="t must be an int with"):
        draw_jacobian_chain(0, 7)
    with pytest.raises(ValueError, match="i must be an int >= 0"):
        draw_jacobian_chain(-1, 3)


# -- curves ---------------------------------------------------------------------------------
def test_log_curves_plot_values_and_drop_non_finite():
    fig = draw_log_curves({"a": {"one": [1.0, 10.0, float("inf")], "two": torch.tensor([1.0, 0.1, 0.01])},
                           "b": {"three": [2.0, 4.0]}}, xlabel="d", ylabel="norm", sequential=True)
    ax_a, ax_b = fig.axes
    assert ax_a.get_yscale() == "log" and ax_a.get_title() == "a"
    one = ax_a.get_lines()[0].get_ydata()
    np.testing.assert_array_equal(one[:2], [1.0, 10.0])
    assert np.isnan(one[2])
    assert ax_b.get_shared_y_axes().joined(ax_a, ax_b)
    unshared = draw_log_curves({"a": {"x": [1, 2]}, "b": {"y": [3, 4]}}, xlabel="d", ylabel="v", sharey=False)
    assert not unshared.axes[1].get_shared_y_axes().joined(unshared.axes[0], unshared.axes[1])


@pytest.mark.parametrize("panels, kwargs, err, match", [
    ({}, {}, TypeError, "panels must be a non-empty dict"),
    ({"a": [1, 2]}, {}, TypeError, r"panels\['a'\] must be a non-empty dict"),
    ({"a": {"x": [[1, 2]]}}, {}, ValueError, "non-empty 1-D sequence"),
    ({"a": {"x": [1, 2]}}, {"ylim": (0, 1)}, ValueError, "ylim must be"),
])
def test_log_curves_reject_bad_input(panels, kwargs, err, match):
    with pytest.raises(err, match=match):
        draw_log_curves(panels, xlabel="x", ylabel="y", **kwargs)


def test_truncation_marks_zeros_and_the_cut():
    full = np.linspace(0.1, 1.0, 6)
    cut_grads = np.concatenate([np.zeros(3), full[3:]])
    fig = draw_truncation(full, torch.tensor(cut_grads), cut=3)
    left, right = fig.axes
    assert len(left.patches) == 6 and len(right.patches) == 6
    assert any(line.get_label() == "exactly 0" for line in right.get_lines())
    with pytest.raises(ValueError, match="same length"):
        draw_truncation(full, full[:5], cut=3)
    with pytest.raises(ValueError, match=r"cut must be an int in \[1, 5\]"):
        draw_truncation(full, full, cut=6)
    with pytest.raises(ValueError, match="non-negative"):
        draw_truncation(-full, full, cut=2)
