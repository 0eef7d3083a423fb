"""Chapter 8, GRU: the from-scratch GRU the chapter writes out first, in both variants (the reset
gate applied after the hidden product, as PyTorch computes it, or before, as Cho et al. 2014 and
d2l write it), the update gate's bias, the gradient-norm measurement, and the drawing of one step.

Conventions as in the chapter: time runs t = 1..T (``x[t - 1]`` holds x_t), states are rows, and
PyTorch stacks the three blocks in ``weight_ih_l{k}: [3H, input]`` in the order r, z, n, so block
number ``n`` is the rows ``n*H:(n+1)*H``. Every function here is first written out in
``book/08_gru.ipynb`` and checked there against this copy and against ``nn.GRU``.
"""
from __future__ import annotations

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from torch import nn

from .checks import instance as _instance
from .checks import one_of as _one_of
from .checks import real as _real
from .checks import tensor as _tensor
from .diagram import arrow as _arrow
from .diagram import box as _box
from .diagram import canvas as _canvas
from .style import COLORS

__all__ = ["GRU_GATES", "GRU_RESETS", "gru_from_scratch", "set_update_bias", "gru_jacobian_norms", "draw_gru_cell"]

#: PyTorch's order of the blocks inside ``weight_ih_l{k}``, ``weight_hh_l{k}`` and the biases.
GRU_GATES = ("r", "z", "n")
#: Where the reset gate acts: ``"after"`` the hidden product (PyTorch, cuDNN) or ``"before"`` it (Cho et al. 2014, d2l).
GRU_RESETS = ("after", "before")


def _check_plain_gru(gru, name: str = "gru") -> nn.GRU:
    _instance(gru, name, nn.GRU)
    if gru.bidirectional:
        raise ValueError(f"{name} must be one-directional (bidirectional=False); this loop runs forward in time")
    if not gru.bias:
        raise ValueError(f"{name} must have bias=True (the chapter's GRU has biases)")
    return gru


# -- the from-scratch GRU -----------------------------------------------------------------------
def gru_from_scratch(gru: nn.GRU, x: torch.Tensor, h_0: torch.Tensor | None = None, *, reset: str = "after"):
    """``gru(x, h_0)`` computed step by step with gru's own weights: ``(out, h_n)``.

    ``x`` is ``(seq_len, batch, input_size)``, or ``(batch, seq_len, input_size)`` when
    ``gru.batch_first``; ``h_0`` is None (zeros) or ``(num_layers, batch, hidden_size)``. With
    ``reset="after"`` (PyTorch's equations) it equals ``nn.GRU``; ``reset="before"`` is the other
    GRU, the one of Cho et al. (2014) and d2l, with the same weights. One direction.
    """
    _check_plain_gru(gru)
    reset = _one_of(reset, "reset", GRU_RESETS)
    _tensor(x, "x", ndim=3, floating=True)
    if gru.batch_first:
        x = x.transpose(0, 1)                      # (seq_len, batch, input_size)
    if x.shape[2] != gru.input_size:
        raise ValueError(f"x must have input_size = {gru.input_size} features, got shape {tuple(x.shape)}")
    shape = (gru.num_layers, x.shape[1], gru.hidden_size)
    h_0 = torch.zeros(shape, dtype=x.dtype) if h_0 is None else _tensor(h_0, "h_0", shape=shape)
    H = gru.hidden_size
    layer_input = x                                # (seq_len, batch, features)
    h_n = []
    for k in range(gru.num_layers):
        W_ih, W_hh = getattr(gru, f"weight_ih_l{k}").T, getattr(gru, f"weight_hh_l{k}").T   # (in, 3H), (H, 3H)
        b_ih, b_hh = getattr(gru, f"bias_ih_l{k}"), getattr(gru, f"bias_hh_l{k}")
        h = h_0[k]                                 # (batch, hidden_size)
        states = []
        for x_t in layer_input:
            gi = x_t @ W_ih + b_ih                 # (batch, 3 * hidden_size): blocks r, z, n
            if reset == "after":                   # PyTorch: one product of h_{t-1} for all three blocks
                gh = h @ W_hh + b_hh               # (batch, 3 * hidden_size)
                r = torch.sigmoid(gi[:, :H] + gh[:, :H])
                z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
                n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
            else:                                  # Cho et al., d2l: r first, then a second product
                gh = h @ W_hh[:, :2 * H] + b_hh[:2 * H]                      # (batch, 2 * hidden_size)
                r = torch.sigmoid(gi[:, :H] + gh[:, :H])
                z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:])
                n = torch.tanh(gi[:, 2 * H:] + (r * h) @ W_hh[:, 2 * H:] + b_hh[2 * H:])
            h = (1 - z) * n + z * h
            states.append(h)
        layer_input = torch.stack(states)          # (seq_len, batch, hidden_size)
        h_n.append(h)
    out = layer_input.transpose(0, 1) if gru.batch_first else layer_input
    return out, torch.stack(h_n)


# -- the update gate's bias ---------------------------------------------------------------------
def set_update_bias(gru: nn.GRU, value: float) -> nn.GRU:
    """Set the total bias of the update gate z of every layer and direction to ``value``.

    PyTorch adds two biases, ``bias_ih`` and ``bias_hh``; the z block (rows H:2H) of ``bias_ih``
    gets the value and that of ``bias_hh`` zero, so their sum is exactly the value. Returns ``gru``.
    """
    _instance(gru, "gru", nn.GRU)
    if not gru.bias:
        raise ValueError("gru must have bias=True to set the update gate's bias")
    value = _real(value, "value")
    H = gru.hidden_size
    suffixes = ["", "_reverse"] if gru.bidirectional else [""]
    with torch.no_grad():
        for k in range(gru.num_layers):
            for suffix in suffixes:
                getattr(gru, f"bias_ih_l{k}{suffix}")[H:2 * H] = value
                getattr(gru, f"bias_hh_l{k}{suffix}")[H:2 * H] = 0.0
    return gru


# -- the measurement ----------------------------------------------------------------------------
def gru_jacobian_norms(gru: nn.GRU, x: torch.Tensor, h_0: torch.Tensor | None = None) -> torch.Tensor:
    """‖∂h_T/∂h_t‖₂ for t = T, T-1, ..., 0 (index = distance T - t), for one sequence.

    ``x`` is ``(seq_len, input_size)``; ``h_0`` is None (zeros) or ``(hidden_size,)``. One layer,
    one direction, PyTorch's equations; measured with autograd through the whole sequence (one
    backward pass per unit of h_T, batched).
    """
    _check_plain_gru(gru)
    if gru.num_layers != 1:
        raise ValueError(f"gru must have num_layers=1 for this measurement, got {gru.num_layers}")
    _tensor(x, "x (one sequence, (seq_len, input_size))", ndim=2, floating=True)
    if x.shape[0] == 0 or x.shape[1] != gru.input_size:
        raise ValueError(f"x must be (seq_len >= 1, input_size = {gru.input_size}), got {tuple(x.shape)}")
    H = gru.hidden_size
    h = torch.zeros(H, dtype=x.dtype) if h_0 is None else _tensor(h_0, "h_0", shape=(H,)).detach().clone()
    W_ih, W_hh = gru.weight_ih_l0.detach().T, gru.weight_hh_l0.detach().T
    b_ih, b_hh = gru.bias_ih_l0.detach(), gru.bias_hh_l0.detach()
    with torch.enable_grad():
        h.requires_grad_()
        hs = [h]                                   # h_t as step t + 1 reads it
        for x_t in x:
            gi, gh = x_t @ W_ih + b_ih, h @ W_hh + b_hh          # (3 * hidden_size,) each: r, z, n
            r = torch.sigmoid(gi[:H] + gh[:H])
            z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
            n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
            h = (1 - z) * n + z * h
            hs.append(h)
        eye = torch.eye(H, dtype=x.dtype)
        grads = torch.autograd.grad(h, hs[:-1], eye, is_grads_batched=True)    # ∂h_T/∂h_t, t < T
    one = torch.ones(1, dtype=x.dtype)             # distance 0: ∂h_T/∂h_T = I
    return torch.cat([one, torch.stack([torch.linalg.matrix_norm(j, ord=2) for j in grads]).flip(0)])


# -- the drawing --------------------------------------------------------------------------------
def _node(ax, cx: float, cy: float, symbol: str, color: str = "black") -> None:
    ax.add_patch(Circle((cx, cy), 0.24, facecolor="white", edgecolor=color, linewidth=1.3, zorder=3))
    ax.text(cx, cy, symbol, ha="center", va="center", fontsize=12, zorder=4)


def draw_gru_cell(reset: str = "after") -> Figure:
    """One GRU step: the update and reset gates and the candidate read [x_t, h_{t-1}]; h runs along the top.

    ``reset="after"`` draws PyTorch's candidate, r_t ⊙ (h_{t-1} W_hn + b_hn); ``reset="before"``
    the one of Cho et al. (2014) and d2l, (r_t ⊙ h_{t-1}) W_hn.
    """
    reset = _one_of(reset, "reset", GRU_RESETS)
    fig, ax = _canvas((-0.9, 12.3), (-1.75, 5.3))
    y_h, y_mul, y_gate, y_bus = 4.6, 3.5, 2.2, 0.7
    x_z, x_r, x_rh, x_n, x_add, x_end = 1.6, 3.3, 4.7, 7.6, 9.4, 11.5
    # h_{t-1} at the top left, along the top to h_t; x_t from below; the bus [x_t, h_{t-1}]
    _box(ax, -0.2, y_h, 1.05, 0.6, "$h_{t-1}$", COLORS["hidden"])
    ax.plot([0.33, x_end - 0.7], [y_h, y_h], color=COLORS["hidden"], lw=2.6, zorder=1)
    _arrow(ax, (x_end - 1.0, y_h), (x_end - 0.53, y_h), COLORS["hidden"], lw=2.6)
    _box(ax, x_end, y_h, 1.05, 0.6, "$h_t$", COLORS["hidden"])
    ax.text(x_end, y_h - 0.45, "to $y_t$\nand step $t+1$", ha="center", va="top", fontsize=8,
            color=COLORS["hidden"])
    ax.plot([0.6, 0.6], [y_h, y_bus], color=COLORS["muted"], lw=1.4)
    _box(ax, 1.0, -0.75, 0.9, 0.55, "$x_t$", COLORS["input"])
    _arrow(ax, (1.0, -0.47), (1.0, y_bus), COLORS["input"])
    ax.plot([0.6, x_n], [y_bus, y_bus], color=COLORS["muted"], lw=1.4)
    ax.text(1.12, y_bus - 0.1, "$[x_t,\\ h_{t-1}]$", ha="left", va="top", fontsize=9, color="#555555")
    # the two gates
    for gx, label, color in ((x_z, "update $z_t$\n$\\sigma$", COLORS["weight"]),
                             (x_r, "reset $r_t$\n$\\sigma$", COLORS["grad"])):
        _arrow(ax, (gx, y_bus), (gx, y_gate - 0.42), COLORS["muted"])
        _box(ax, gx, y_gate, 1.3, 0.84, label, color, alpha=0.22, fontsize=9)
    # keep: z_t * h_{t-1} on the top line; 1 - z_t goes on to the write node
    _node(ax, x_z, y_h, "$\\times$")
    _arrow(ax, (x_z, y_gate + 0.42), (x_z, y_h - 0.24), COLORS["weight"])
    ax.text(x_z + 0.3, y_h + 0.12, "keep", ha="left", va="bottom", fontsize=8.5, color=COLORS["weight"])
    ax.add_patch(Circle((x_z, y_mul), 0.06, color=COLORS["weight"], zorder=3))
    _arrow(ax, (x_z, y_mul), (x_add - 0.24, y_mul), COLORS["weight"], linestyle="--")
    ax.text(x_add - 0.5, y_mul + 0.08, "$1 - z_t$", ha="right", va="bottom", fontsize=9, color=COLORS["weight"])
    # the reset gate meets the hidden part of the candidate
    _node(ax, x_rh, y_gate, "$\\times$")
    _arrow(ax, (x_r + 0.65, y_gate), (x_rh - 0.24, y_gate), COLORS["grad"])
    if reset == "after":
        _box(ax, x_rh, 1.3, 1.9, 0.46, "$h_{t-1} W_{hn} + b_{hn}$", COLORS["hidden"], alpha=0.12, fontsize=8.5)
        _arrow(ax, (x_rh, y_bus), (x_rh, 1.07), COLORS["muted"])
        _arrow(ax, (x_rh, 1.53), (x_rh, y_gate - 0.24), COLORS["hidden"])
        _arrow(ax, (x_rh + 0.24, y_gate), (x_n - 0.95, y_gate), "black")
        candidate = "candidate $n_t$\ntanh($x_t W_{xn} + b_{in}$\n$+\\ r_t \\odot (\\cdots)$)"
        formula = "$n_t = \\tanh(x_t W_{xn} + b_{in} + r_t \\odot (h_{t-1} W_{hn} + b_{hn}))$"
        title = "One GRU step as PyTorch computes it: the reset gate acts after the product"
    else:
        _arrow(ax, (x_rh, y_bus), (x_rh, y_gate - 0.24), COLORS["muted"])
        ax.text(x_rh + 0.1, 1.3, "$h_{t-1}$", ha="left", va="center", fontsize=8.5, color=COLORS["hidden"])
        _box(ax, 5.8, y_gate, 0.75, 0.5, "$W_{hn}$", COLORS["hidden"], alpha=0.12, fontsize=8.5)
        _arrow(ax, (x_rh + 0.24, y_gate), (5.8 - 0.375, y_gate), "black")
        _arrow(ax, (5.8 + 0.375, y_gate), (x_n - 0.95, y_gate), "black")
        candidate = "candidate $n_t$\ntanh($x_t W_{xn}$\n$+\\ (\\cdots) + b_n$)"
        formula = "$n_t = \\tanh(x_t W_{xn} + (r_t \\odot h_{t-1}) W_{hn} + b_n)$"
        title = "One GRU step as Cho et al. (2014) and d2l write it: the reset gate acts before the product"
    _arrow(ax, (x_n, y_bus), (x_n, y_gate - 0.55), COLORS["muted"])
    _box(ax, x_n, y_gate, 1.9, 1.1, candidate, COLORS["output"], alpha=0.22, fontsize=8.5)
    # write: (1 - z_t) * n_t, added on the top line
    _node(ax, x_add, y_mul, "$\\times$")
    _node(ax, x_add, y_h, "$+$")
    ax.plot([x_n + 0.95, x_add], [y_gate, y_gate], color=COLORS["output"], lw=1.4)
    _arrow(ax, (x_add, y_gate), (x_add, y_mul - 0.24), COLORS["output"])
    _arrow(ax, (x_add, y_mul + 0.24), (x_add, y_h - 0.24), "black")
    ax.text(x_add + 0.3, y_h + 0.12, "write", ha="left", va="bottom", fontsize=8.5, color=COLORS["output"])
    ax.text(5.7, -0.95, formula, ha="center", va="center", fontsize=10.5)
    ax.text(5.7, -1.5, "$h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}$", ha="center", va="center", fontsize=10.5)
    ax.set_title(title, fontsize=10.5)
    return fig
