"""Chapter 5, nn.RNNCell: the cell-stack loop the chapter teaches, its drawing, and the explorer's frame."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from .checks import instance as _instance
from .checks import integer as _integer
from .checks import positive_int as _positive_int
from .checks import tensor as _tensor
from .diagram import arrow as _arrow
from .diagram import box as _box
from .style import COLORS, new_figure

__all__ = ["run_cell_stack", "draw_cell_stack", "draw_stack_states"]


def _check_cells(cells: Sequence[nn.RNNCell]) -> list[nn.RNNCell]:
    if not isinstance(cells, (list, tuple, nn.ModuleList)) or len(cells) == 0:
        raise TypeError(f"cells must be a non-empty list of nn.RNNCell (bottom layer first), got {cells!r}")
    for k, cell in enumerate(cells):
        _instance(cell, f"cells[{k}]", nn.RNNCell)
        if k > 0 and cell.input_size != cells[k - 1].hidden_size:
            raise ValueError(f"cells[{k}].input_size must equal cells[{k - 1}].hidden_size = "
                             f"{cells[k - 1].hidden_size} (layer {k} reads layer {k - 1}'s state), got {cell.input_size}")
    return list(cells)


def run_cell_stack(cells: Sequence[nn.RNNCell], xs, hs: Sequence[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Step a stack of cells through time; return every layer's states, each ``(seq_len, batch, hidden_k)``."""
    cells = _check_cells(cells)
    if isinstance(xs, torch.Tensor):
        steps = list(_tensor(xs, "xs (a tensor (seq_len, batch, input_size))", ndim=3))
    elif isinstance(xs, (list, tuple)) and len(xs) > 0:
        steps = [_tensor(x, f"xs[{t}]", ndim=2) for t, x in enumerate(xs)]
    else:
        raise TypeError(f"xs must be a tensor (seq_len, batch, input_size) or a non-empty list of "
                        f"(batch, input_size) tensors, got {xs!r}")
    batch = steps[0].shape[0]
    for t, x in enumerate(steps):
        if tuple(x.shape) != (batch, cells[0].input_size):
            raise ValueError(f"every step must be (batch, input_size) = ({batch}, {cells[0].input_size}), "
                             f"got xs[{t}] of shape {tuple(x.shape)}")
    if hs is None:
        hs = [torch.zeros(batch, cell.hidden_size) for cell in cells]
    if not isinstance(hs, (list, tuple)):
        raise TypeError(f"hs must be None or a list of {len(cells)} initial states (one per layer), got {hs!r}")
    if len(hs) != len(cells):
        raise ValueError(f"hs must be a list of {len(cells)} initial states (one per layer), got {len(hs)}")
    hs = [_tensor(h, f"hs[{k}]", shape=(batch, cell.hidden_size)) for k, (h, cell) in enumerate(zip(hs, cells))]
    states: list[list[torch.Tensor]] = [[] for _ in cells]
    for x in steps:
        layer_input = x
        for k, cell in enumerate(cells):
            hs[k] = cell(layer_input, hs[k])
            states[k].append(hs[k])
            layer_input = hs[k]
    return [torch.stack(s) for s in states]


def draw_cell_stack(sizes: Sequence[int] = (100, 30, 20), seq_len: int = 4, batch: int = 3) -> Figure:
    """A stack of cells unrolled in time: ``cell_lk`` maps ``sizes[k] -> sizes[k+1]``; the top states stack into out."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise TypeError(f"sizes must be a list (input_size, hidden_l0, hidden_l1, ...) of >= 2 ints, got {sizes!r}")
    sizes = [_positive_int(s, f"sizes[{k}]") for k, s in enumerate(sizes)]
    T = _positive_int(seq_len, "seq_len", maximum=6)
    B = _positive_int(batch, "batch")
    L = len(sizes) - 1
    if L > 4:
        raise ValueError(f"draw_cell_stack draws at most 4 layers, got {L} (sizes = {sizes})")
    dx, dy, bw, bh = 2.5, 1.9, 1.5, 0.8
    x_right = (T - 1) * dx + bw + 3.2
    fig, ax = new_figure(figsize=(min(7.6, 0.55 * (x_right + 2.3)), 0.75 * (1.5 + L * dy + 1.0)))
    ax.set_axis_off()
    y0 = 1.5
    for t in range(T):
        x = t * dx
        _box(ax, x + bw / 2, 0.3, bw - 0.5, 0.6, f"$x_{{{t + 1}}}$", color=COLORS["input"])
        _arrow(ax, (x + bw / 2, 0.65), (x + bw / 2, y0 - 0.05))
        if t == 0:
            ax.text(x + bw / 2 + 0.08, (0.65 + y0) / 2, f"({B}, {sizes[0]})", ha="left", va="center", fontsize=8,
                    color=COLORS["input"])
    for k in range(L):
        y = y0 + k * dy
        color = COLORS["output"] if k == L - 1 else COLORS["hidden"]
        ax.text(-0.75, y + bh / 2, f"h_l{k} =\nzeros({B}, {sizes[k + 1]})", ha="right", va="center", fontsize=8,
                color=COLORS["muted"])
        _arrow(ax, (-0.7, y + bh / 2), (-0.05, y + bh / 2))
        for t in range(T):
            x = t * dx
            _box(ax, x + bw / 2, y + bh / 2, bw, bh, f"cell_l{k}\n{sizes[k]} -> {sizes[k + 1]}", color=color, fontsize=8.5)
            if t > 0:
                _arrow(ax, (x - dx + bw + 0.05, y + bh / 2), (x - 0.05, y + bh / 2))
            if t == 1:
                ax.text(x - (dx - bw) / 2, y + bh / 2 + 0.08, f"h_l{k}\n({B}, {sizes[k + 1]})", ha="center",
                        va="bottom", fontsize=8, color=color)
            if k > 0:
                _arrow(ax, (x + bw / 2, y - dy + bh + 0.05), (x + bw / 2, y - 0.05))
        x_last = (T - 1) * dx
        _arrow(ax, (x_last + bw + 0.05, y + bh / 2), (x_last + bw + 0.5, y + bh / 2))
        ax.text(x_last + bw + 0.6, y + bh / 2, f"last h_l{k}\n({B}, {sizes[k + 1]})", ha="left", va="center",
                fontsize=9, color=color)
    y_top = y0 + (L - 1) * dy + bh
    for t in range(T):
        _arrow(ax, (t * dx + bw / 2, y_top + 0.05), (t * dx + bw / 2, y_top + 0.55), color=COLORS["output"])
    ax.text(((T - 1) * dx + bw) / 2, y_top + 0.65,
            f"out = torch.stack([h_l{L - 1} after steps 1 .. {T}]): ({T}, {B}, {sizes[-1]})",
            ha="center", va="bottom", fontsize=10, color=COLORS["output"], fontweight="bold")
    ax.set_xlim(-2.3, x_right)
    ax.set_ylim(-0.3, y_top + 1.1)
    return fig


def draw_stack_states(states: Sequence[torch.Tensor], t: int) -> Figure:
    """Explorer frame: every layer's state (units x steps) for every sentence of the batch, after step ``t``.

    ``states[k]`` is layer k's ``(seq_len, batch, hidden_k)``; ``t`` counts steps from 1 (the math's h_t), so
    the loop has read ``x_1 .. x_t`` and the columns after ``t`` are left blank.
    """
    if not isinstance(states, (list, tuple)) or len(states) == 0:
        raise TypeError(f"states must be a non-empty list of (seq_len, batch, hidden) tensors, got {type(states).__name__}")
    for k, s in enumerate(states):
        _tensor(s, f"states[{k}]", ndim=3)
        if s.shape[:2] != states[0].shape[:2]:
            raise ValueError(f"every layer must have the same (seq_len, batch), got {tuple(s.shape[:2])} "
                             f"for states[{k}] and {tuple(states[0].shape[:2])} for states[0]")
    T, B = states[0].shape[:2]
    if B > 4:
        raise ValueError(f"draw_stack_states draws at most 4 sentences side by side, got batch = {B}")
    t = _integer(t, "t", minimum=1, maximum=T)
    L = len(states)
    fig, axes = new_figure(L, B, figsize=(7.4, 0.9 + 1.3 * L))
    axes = np.array(axes, dtype=object).reshape(L, B)
    for row, k in enumerate(reversed(range(L))):            # the top layer on top
        for b in range(B):
            ax = axes[row][b]
            values = states[k][:, b].detach().numpy().T                   # (hidden, seq_len)
            shown = np.ma.masked_where(np.broadcast_to(np.arange(1, T + 1)[None, :] > t, values.shape), values)
            ax.set_facecolor("#f2f2f2")
            image = ax.imshow(shown, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest",
                              extent=(0.5, T + 0.5, values.shape[0] - 0.5, -0.5))
            ax.add_patch(Rectangle((t - 0.5, -0.5), 1, values.shape[0], facecolor="none", edgecolor="black",
                                   linewidth=1.8))
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"sentence {b + 1}", fontsize=9.5)   # counted from 1, as in chapters 1-2
            if b == 0:
                ax.set_ylabel(f"layer {k}\nh_l{k}: {values.shape[0]} units", fontsize=9)
            ax.set_xticks(range(1, T + 1))
            ax.tick_params(labelsize=8, labelbottom=row == L - 1)
    fig.supxlabel(f"step $t$ (the loop has read $x_1 \\ldots x_{{{t}}}$; blank: not computed yet)", fontsize=9.5)
    fig.colorbar(image, ax=list(axes.flat), shrink=0.85, label="state value (tanh)")
    return fig
