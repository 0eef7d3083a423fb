"""Chapter 7, LSTM: the from-scratch LSTM the chapter writes out first, its gate biases, the
gradient-norm measurement through h and through c, and the drawing of one LSTM step.

Conventions as in the chapter: time runs t = 1..T (``x[t - 1]`` holds x_t), states are rows, and
PyTorch stacks the four gates in ``weight_ih_l{k}: [4H, input]`` in the order i, f, g, o, so gate
number ``n`` is the row block ``n*H:(n+1)*H``. Every function here is first written out in
``book/07_lstm.ipynb`` and checked there against this copy and against ``nn.LSTM``.
"""
from __future__ import annotations

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from torch import nn

from .checks import boolean as _bool
from .checks import instance as _instance
from .checks import real as _real
from .checks import tensor as _tensor
from .diagram import arrow as _arrow
from .diagram import box as _box
from .diagram import canvas as _canvas
from .style import COLORS

__all__ = ["LSTM_GATES", "lstm_from_scratch", "set_gate_biases", "lstm_jacobian_norms", "draw_lstm_cell"]

#: PyTorch's order of the gates inside ``weight_ih_l{k}``, ``weight_hh_l{k}`` and the biases.
LSTM_GATES = ("i", "f", "g", "o")


def _check_plain_lstm(lstm, name: str = "lstm") -> nn.LSTM:
    _instance(lstm, name, nn.LSTM)
    if lstm.bidirectional:
        raise ValueError(f"{name} must be one-directional (bidirectional=False); this loop runs forward in time")
    if lstm.proj_size:
        raise ValueError(f"{name} must have proj_size=0 (no projection of h), got proj_size={lstm.proj_size}")
    if not lstm.bias:
        raise ValueError(f"{name} must have bias=True (the chapter's LSTM has biases)")
    return lstm


def _check_state(state, shape: tuple, dtype: torch.dtype):
    if state is None:
        return torch.zeros(shape, dtype=dtype), torch.zeros(shape, dtype=dtype)
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"state must be None or a pair (h_0, c_0), got {type(state).__name__}")
    h_0 = _tensor(state[0], "state[0] (h_0)", shape=shape)
    c_0 = _tensor(state[1], "state[1] (c_0)", shape=shape)
    return h_0, c_0


# -- the from-scratch LSTM ----------------------------------------------------------------------
def lstm_from_scratch(lstm: nn.LSTM, x: torch.Tensor, state=None):
    """``lstm(x, state)`` computed step by step with lstm's own weights: ``(out, (h_n, c_n))``.

    ``x`` is ``(seq_len, batch, input_size)``, or ``(batch, seq_len, input_size)`` when
    ``lstm.batch_first``; ``state`` is None (zeros) or ``(h_0, c_0)``, each
    ``(num_layers, batch, hidden_size)``. One direction, no projection.
    """
    _check_plain_lstm(lstm)
    _tensor(x, "x", ndim=3, floating=True)
    if lstm.batch_first:
        x = x.transpose(0, 1)                      # (seq_len, batch, input_size)
    if x.shape[2] != lstm.input_size:
        raise ValueError(f"x must have input_size = {lstm.input_size} features, got shape {tuple(x.shape)}")
    h_0, c_0 = _check_state(state, (lstm.num_layers, x.shape[1], lstm.hidden_size), x.dtype)
    H = lstm.hidden_size
    layer_input = x                                # (seq_len, batch, features)
    h_n, c_n = [], []
    for k in range(lstm.num_layers):
        W_ih, W_hh = getattr(lstm, f"weight_ih_l{k}"), getattr(lstm, f"weight_hh_l{k}")
        b = getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}")
        h, c = h_0[k], c_0[k]                      # (batch, hidden_size)
        states = []
        for x_t in layer_input:
            a = x_t @ W_ih.T + h @ W_hh.T + b      # (batch, 4 * hidden_size): gates i, f, g, o
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            states.append(h)
        layer_input = torch.stack(states)          # (seq_len, batch, hidden_size)
        h_n.append(h)
        c_n.append(c)
    out = layer_input.transpose(0, 1) if lstm.batch_first else layer_input
    return out, (torch.stack(h_n), torch.stack(c_n))


# -- gate biases --------------------------------------------------------------------------------
def set_gate_biases(lstm: nn.LSTM, *, forget: float | None = None, input: float | None = None) -> nn.LSTM:
    """Set the total bias of the forget gate and/or the input gate of every layer and direction.

    PyTorch adds two biases, ``bias_ih`` and ``bias_hh``; the gate's block of ``bias_ih`` gets the
    value and the block of ``bias_hh`` zero, so their sum is exactly the value. Returns ``lstm``.
    """
    _instance(lstm, "lstm", nn.LSTM)
    if not lstm.bias:
        raise ValueError("lstm must have bias=True to set gate biases")
    values = {}
    if forget is not None:
        values[LSTM_GATES.index("f")] = _real(forget, "forget")
    if input is not None:
        values[LSTM_GATES.index("i")] = _real(input, "input")
    H = lstm.hidden_size
    suffixes = ["", "_reverse"] if lstm.bidirectional else [""]
    with torch.no_grad():
        for k in range(lstm.num_layers):
            for suffix in suffixes:
                for n, value in values.items():
                    getattr(lstm, f"bias_ih_l{k}{suffix}")[n * H:(n + 1) * H] = value
                    getattr(lstm, f"bias_hh_l{k}{suffix}")[n * H:(n + 1) * H] = 0.0
    return lstm


# -- the measurement ----------------------------------------------------------------------------
def lstm_jacobian_norms(lstm: nn.LSTM, x: torch.Tensor, state=None) -> tuple[torch.Tensor, torch.Tensor]:
    """‖∂h_T/∂h_t‖₂ and ‖∂c_T/∂c_t‖₂ for t = T, T-1, ..., 0 (index = distance T - t), one sequence.

    ``x`` is ``(seq_len, input_size)``; ``state`` is None (zeros) or ``(h_0, c_0)``, each
    ``(hidden_size,)``. The state at step t is the pair (h_t, c_t): ∂h_T/∂h_t holds c_t fixed and
    ∂c_T/∂c_t holds h_t fixed (the two diagonal blocks of ∂(h_T, c_T)/∂(h_t, c_t)). One layer, one
    direction; measured with autograd through the whole sequence (one backward pass per unit of h_T
    and of c_T, batched).
    """
    _check_plain_lstm(lstm)
    if lstm.num_layers != 1:
        raise ValueError(f"lstm must have num_layers=1 for this measurement, got {lstm.num_layers}")
    _tensor(x, "x (one sequence, (seq_len, input_size))", ndim=2, floating=True)
    if x.shape[0] == 0 or x.shape[1] != lstm.input_size:
        raise ValueError(f"x must be (seq_len >= 1, input_size = {lstm.input_size}), got {tuple(x.shape)}")
    H = lstm.hidden_size
    h, c = (part.detach().clone() for part in _check_state(state, (H,), x.dtype))
    W_ih, W_hh = lstm.weight_ih_l0.detach(), lstm.weight_hh_l0.detach()
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    with torch.enable_grad():
        h.requires_grad_()
        c.requires_grad_()
        hs, cs = [h], [c]                          # the pair (h_t, c_t) as step t + 1 reads it
        for x_t in x:
            a = x_t @ W_ih.T + h @ W_hh.T + b      # (4 * hidden_size,): gates i, f, g, o
            i, f, g, o = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
            c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c_new)
            # the next step reads a copy of c_t: a gradient that reaches the copy has not gone
            # through h_t, so it is ∂/∂c_t with h_t held fixed (a block of the pair's Jacobian)
            c = c_new.clone()
            hs.append(h)
            cs.append(c)
        eye = torch.eye(H, dtype=x.dtype)
        dh = torch.autograd.grad(h, hs[:-1], eye, is_grads_batched=True, retain_graph=True)  # ∂h_T/∂h_t, t < T
        dc = torch.autograd.grad(c, cs[:-1], eye, is_grads_batched=True)                     # ∂c_T/∂c_t, t < T
    one = torch.ones(1, dtype=x.dtype)             # distance 0: ∂h_T/∂h_T = ∂c_T/∂c_T = I
    h_norms = torch.cat([one, torch.stack([torch.linalg.matrix_norm(j, ord=2) for j in dh]).flip(0)])
    c_norms = torch.cat([one, torch.stack([torch.linalg.matrix_norm(j, ord=2) for j in dc]).flip(0)])
    return h_norms, c_norms


# -- the drawing --------------------------------------------------------------------------------
def _node(ax, cx: float, cy: float, symbol: str, color: str = "black") -> None:
    ax.add_patch(Circle((cx, cy), 0.24, facecolor="white", edgecolor=color, linewidth=1.3, zorder=3))
    ax.text(cx, cy, symbol, ha="center", va="center", fontsize=13, zorder=4)


def draw_lstm_cell(gradient: bool = False) -> Figure:
    """One LSTM step: four gates read [x_t, h_{t-1}]; c runs along the top, h leaves at the right.

    With ``gradient=True`` the gradient's path back along c is drawn (red, dashed) and labelled
    ∂c_t/∂c_{t-1} = diag(f_t), next to the plain RNN's diag(1 - h_t²) W_hhᵀ.
    """
    _bool(gradient, "gradient")
    fig, ax = _canvas((-0.9, 11.75), (-1.55, 6.3 if gradient else 5.4))
    y_c, y_gate, y_bus, y_mul = 4.6, 2.35, 0.9, 3.5
    gates = [  # (x, label, colour)
        (3.0, "forget $f_t$\n$\\sigma$", COLORS["grad"]),
        (4.5, "input $i_t$\n$\\sigma$", COLORS["input"]),
        (6.0, "candidate $g_t$\ntanh", COLORS["output"]),
        (7.5, "output $o_t$\n$\\sigma$", COLORS["hidden"]),
    ]
    x_add, x_out, x_end = 5.25, 9.0, 11.0
    # inputs: c_{t-1}, h_{t-1} at the left, x_t from below
    _box(ax, -0.2, y_c, 1.05, 0.6, "$c_{t-1}$", COLORS["weight"])
    _box(ax, -0.2, y_bus, 1.05, 0.6, "$h_{t-1}$", COLORS["hidden"])
    _box(ax, 1.5, -0.55, 0.9, 0.55, "$x_t$", COLORS["input"])
    # the bus [x_t, h_{t-1}] under the gates
    ax.plot([0.33, 7.5], [y_bus, y_bus], color=COLORS["muted"], lw=1.4)
    _arrow(ax, (1.5, -0.27), (1.5, y_bus), COLORS["input"])
    ax.text(1.62, y_bus + 0.1, "$[x_t,\\ h_{t-1}]$", ha="left", va="bottom", fontsize=9, color="#555555")
    for gx, label, color in gates:
        _arrow(ax, (gx, y_bus), (gx, y_gate - 0.42), COLORS["muted"])
        _box(ax, gx, y_gate, 1.3, 0.84, label, color, alpha=0.22, fontsize=9)
    # the cell state line: c_{t-1} -> x f_t -> + i_t g_t -> c_t
    ax.plot([0.33, x_end - 0.7], [y_c, y_c], color=COLORS["weight"], lw=2.6, zorder=1)
    _arrow(ax, (x_end - 1.0, y_c), (x_end - 0.53, y_c), COLORS["weight"], lw=2.6)
    _box(ax, x_end, y_c, 1.05, 0.6, "$c_t$", COLORS["weight"])
    _node(ax, 3.0, y_c, "$\\times$")
    _arrow(ax, (3.0, y_gate + 0.42), (3.0, y_c - 0.24), COLORS["grad"])
    _node(ax, x_add, y_c, "$+$")
    _node(ax, x_add, y_mul, "$\\times$")
    ax.plot([4.5, 4.5, x_add - 0.24], [y_gate + 0.42, y_mul, y_mul], color=COLORS["input"], lw=1.4)
    ax.plot([6.0, 6.0, x_add + 0.24], [y_gate + 0.42, y_mul, y_mul], color=COLORS["output"], lw=1.4)
    _arrow(ax, (x_add, y_mul + 0.24), (x_add, y_c - 0.24), "black")
    ax.text(3.3, y_c + 0.12, "keep", ha="left", va="bottom", fontsize=8.5, color=COLORS["grad"])
    ax.text(x_add + 0.3, y_c + 0.12, "write", ha="left", va="bottom", fontsize=8.5, color=COLORS["input"])
    # h_t = o_t * tanh(c_t)
    _box(ax, x_out, y_mul, 0.8, 0.5, "tanh", COLORS["weight"], alpha=0.15, fontsize=9)
    _arrow(ax, (x_out, y_c), (x_out, y_mul + 0.25), COLORS["weight"])
    _node(ax, x_out, y_gate, "$\\times$")
    _arrow(ax, (x_out, y_mul - 0.25), (x_out, y_gate + 0.24), COLORS["weight"])
    _arrow(ax, (7.5 + 0.65, y_gate), (x_out - 0.24, y_gate), COLORS["hidden"])
    ax.plot([x_out + 0.24, x_end, x_end], [y_gate, y_gate, y_bus + 0.6], color=COLORS["hidden"], lw=1.4)
    _arrow(ax, (x_end, y_bus + 0.65), (x_end, y_bus + 0.3), COLORS["hidden"])
    _box(ax, x_end, y_bus, 1.05, 0.6, "$h_t$", COLORS["hidden"])
    ax.text(x_end + 0.1, y_gate - 0.1, "to $y_t$\nand step $t+1$", ha="left", va="top", fontsize=8,
            color=COLORS["hidden"])
    if gradient:
        y_g = y_c + 0.75
        _arrow(ax, (x_end - 0.5, y_g), (0.3, y_g), COLORS["grad"], linestyle="--", lw=1.6)
        ax.text(5.2, y_g + 0.1, "backwards along c: $\\partial c_t / \\partial c_{t-1} = \\mathrm{diag}(f_t)$"
                "   (plain RNN: $\\mathrm{diag}(1 - h_t^2)\\,W_{hh}^{\\top}$)",
                ha="center", va="bottom", fontsize=9.5, color=COLORS["grad"])
    ax.text(5.2, -1.25, "$c_t = f_t \\odot c_{t-1} + i_t \\odot g_t, \\qquad h_t = o_t \\odot \\tanh(c_t)$",
            ha="center", va="center", fontsize=12)
    title = ("The gradient's path along the cell state: one factor $f_t$ per step" if gradient
             else "One LSTM step: three gates and a candidate, all read from $[x_t, h_{t-1}]$")
    ax.set_title(title, fontsize=11)
    return fig
