"""Chapter 2, why recurrence: the drawings of 图2–图6 and 图10, the unrolled graph, and the explorer's frame.

Time runs t = 1..T as in the chapter's formula; ``x[t - 1]`` holds ``x_t`` and ``h_0`` is the
initial state. Every function only draws; the recurrence itself is written out in the chapter.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from .checks import integer as _integer
from .checks import positive_int as _positive_int
from .checks import tensor as _tensor
from .checks import vector as _vector
from .diagram import INCH_PER_UNIT as _INCH_PER_UNIT
from .diagram import arrow as _arrow
from .diagram import box as _box
from .diagram import canvas as _canvas
from .diagram import matrix as _matrix
from .style import COLORS, new_figure

__all__ = [
    "draw_per_word_layers",
    "draw_unrolled",
    "draw_batch_step",
    "draw_rnn_cell",
    "draw_weight_shapes",
    "draw_parameter_counts",
    "draw_hidden_state",
]

_MAX_STEPS = 12  # beyond this an unrolled drawing stops being readable


def _optional_int(value, name: str) -> int | None:
    return None if value is None else _positive_int(value, name)


def _shape_text(*dims: int | None) -> str:
    return "" if any(d is None for d in dims) else "[" + ", ".join(str(d) for d in dims) + "]"


# -- 图2 ----------------------------------------------------------------------------------------
def draw_per_word_layers(seq_len: int = 5, input_size: int = 100, output_size: int = 5) -> Figure:
    """图2: one separate linear layer per word; no arrow links one word to the next."""
    T = _positive_int(seq_len, "seq_len", maximum=_MAX_STEPS)
    I = _positive_int(input_size, "input_size")
    O = _positive_int(output_size, "output_size")
    dx, bw = 2.0, 1.65
    fig, ax = _canvas((-0.2, T * dx - dx + 1.85), (-1.05, 3.7))
    colors = [COLORS["weight"], COLORS["grad"], COLORS["output"], COLORS["input"], COLORS["hidden"]]
    for k in range(T):
        cx = 0.82 + k * dx
        _box(ax, cx, 0.25, bw, 0.7, f"$x_{{{k + 1}}}$\n[{I}]", COLORS["input"])
        _arrow(ax, (cx, 0.62), (cx, 1.18))
        _box(ax, cx, 1.75, bw, 1.1, f"Linear #{k + 1}\n$W_{{{k + 1}}}$: [{I}, {O}]\n$b_{{{k + 1}}}$: [{O}]",
             colors[k % len(colors)], fontsize=9, alpha=0.15)
        _arrow(ax, (cx, 2.32), (cx, 2.88))
        _box(ax, cx, 3.25, bw, 0.7, f"$o_{{{k + 1}}}$\n[{O}]", COLORS["output"])
    n_params = T * (I * O + O)
    ax.text(0.82 + (T - 1) * dx / 2, -0.6,
            f"{T} words, {T} different layers: {T} x ({I}*{O} + {O}) = {n_params:,} parameters\n"
            "and no arrow from one word to the next", ha="center", va="center", fontsize=9.5)
    ax.set_title(f"One linear layer per word: a [{T}, {I}] sentence becomes [{T}, {O}]", fontsize=11)
    return fig


# -- 图3 / 图5 / the unrolled graph --------------------------------------------------------------
def _draw_chain(ax, T: int, *, batch: int | None, input_size: int | None, hidden_size: int | None,
                highlight: int | None) -> None:
    """Inputs at the bottom, one shared cell per step, states on top; h_{t-1} feeds cell t."""
    dx, bw = 1.7, 1.25
    x_shape, h_shape = _shape_text(batch, input_size), _shape_text(batch, hidden_size)
    shapes = bool(x_shape and h_shape)
    y_x, y_c, y_h = 0.35, 1.85, 3.35
    hh = 0.8 if shapes else 0.6
    on = (lambda k: True) if highlight is None else (lambda k: k <= highlight)
    # h_0
    _box(ax, 0.0, y_h, bw, hh, "$h_0$" + (f"\n{h_shape}" if shapes else ""), COLORS["hidden"], muted=not on(0))
    for k in range(1, T + 1):
        cx = k * dx
        active = on(k)
        _box(ax, cx, y_x, bw, hh, f"$x_{{{k}}}$" + (f"\n{x_shape}" if shapes else ""), COLORS["input"],
             muted=not active)
        _arrow(ax, (cx, y_x + hh / 2), (cx, y_c - 0.42), COLORS["input"], muted=not active)
        _box(ax, cx, y_c, bw, 0.8, "tanh cell", COLORS["weight"], muted=not active, fontsize=9.5, alpha=0.15)
        _arrow(ax, (cx, y_c + 0.42), (cx, y_h - hh / 2), COLORS["hidden"], muted=not active)
        _box(ax, cx, y_h, bw, hh, f"$h_{{{k}}}$" + (f"\n{h_shape}" if shapes else ""), COLORS["hidden"],
             muted=not active)
        # h_{k-1} (top row, previous column) into cell k
        _arrow(ax, ((k - 1) * dx + bw / 2 - 0.05, y_h - hh / 2 + 0.05), (cx - bw / 2 + 0.02, y_c + 0.2),
               COLORS["hidden"], muted=not active)
    if highlight is not None:  # a frame around h_t
        ax.add_patch(Rectangle((highlight * dx - bw / 2 - 0.12, y_h - hh / 2 - 0.12), bw + 0.24, hh + 0.24,
                               facecolor="none", edgecolor=COLORS["grad"], linewidth=2.2))
    ax.set_xlim(*_chain_xlim(T))
    ax.set_ylim(*_CHAIN_YLIM)


def _inputs_up_to(t: int) -> str:
    """The inputs that reach h_t, for a title: ' and x_1, x_2' (listed up to three, with dots beyond)."""
    listed = ", ".join(f"$x_{{{s}}}$" for s in range(1, t + 1)) if t <= 3 else f"$x_1, \\dots, x_{{{t}}}$"
    return f" and {listed}"


def _chain_xlim(T: int) -> tuple[float, float]:
    """The x-range of an unrolled chain of ``T`` steps (h_0 at x = 0, step k at x = 1.7 k)."""
    return (-0.8, T * 1.7 + 0.8)


_CHAIN_YLIM = (-0.2, 3.9)


def draw_unrolled(seq_len: int = 5, batch: int | None = None, input_size: int | None = None,
                  hidden_size: int | None = None, highlight: int | None = None) -> Figure:
    """图3/图5: the recurrence unrolled over ``seq_len`` steps; ``highlight=t`` greys what cannot reach h_t."""
    T = _positive_int(seq_len, "seq_len", maximum=_MAX_STEPS)
    B, I, H = (_optional_int(batch, "batch"), _optional_int(input_size, "input_size"),
               _optional_int(hidden_size, "hidden_size"))
    if highlight is not None:
        highlight = _integer(highlight, "highlight", minimum=0, maximum=T)
    fig, ax = _canvas(_chain_xlim(T), _CHAIN_YLIM)
    _draw_chain(ax, T, batch=B, input_size=I, hidden_size=H, highlight=highlight)
    title = f"Unrolled over {T} steps: the same cell (same $W_{{xh}}$, $W_{{hh}}$, $b$) at every step"
    if highlight is not None:
        inputs = _inputs_up_to(highlight) if highlight else " only"
        title = f"What feeds $h_{{{highlight}}}$: $h_0${inputs}; later inputs cannot reach it"
    ax.set_title(title, fontsize=11)
    return fig


# -- 图4 ----------------------------------------------------------------------------------------
def draw_batch_step(seq_len: int = 5, batch: int = 3, input_size: int = 100, hidden_size: int = 20,
                    t: int = 2) -> Figure:
    """图4: x is [seq_len, batch, input_size]; step t reads x_t = x[t-1], the t-th word of every sentence."""
    T = _positive_int(seq_len, "seq_len", maximum=_MAX_STEPS)
    B = _positive_int(batch, "batch", maximum=8)
    I = _positive_int(input_size, "input_size")
    H = _positive_int(hidden_size, "hidden_size")
    t = _integer(t, "t", minimum=1, maximum=T)
    cw, ch = 0.95, 0.55                      # one word's cell
    rx = T * cw + 0.3                        # where the step diagram starts
    fig, ax = _canvas((-1.3, rx + 5.15), (-1.45, B * ch + 1.0))
    for k in range(T):
        for b in range(B):
            chosen = k + 1 == t
            ax.add_patch(Rectangle((k * cw, (B - 1 - b) * ch), cw, ch,
                                   facecolor=to_rgba(COLORS["input"], 0.75 if chosen else 0.12),
                                   edgecolor="white", linewidth=2))
            ax.text(k * cw + cw / 2, (B - 1 - b) * ch + ch / 2, f"w{k + 1}", ha="center", va="center",
                    fontsize=8.5, color="white" if chosen else "#555555")
        ax.text(k * cw + cw / 2, B * ch + 0.1, f"t={k + 1}", ha="center", va="bottom", fontsize=9,
                color=COLORS["input"] if k + 1 == t else "black", fontweight="bold" if k + 1 == t else "normal")
    for b in range(B):
        ax.text(-0.1, (B - 1 - b) * ch + ch / 2, f"sentence {b + 1}", ha="right", va="center", fontsize=9)
    ax.text(T * cw / 2, B * ch + 0.55, f"x: [{T}, {B}, {I}]  (seq_len, batch, input_size)", ha="center",
            va="bottom", fontsize=10)
    ax.text(T * cw / 2, -0.15, f"each cell: one word as {I} features", ha="center", va="top", fontsize=9,
            color="#555555")
    ax.text((t - 0.5) * cw, -0.6, f"$x_{{{t}}}$ = x[{t - 1}]: [{B}, {I}]\nword {t} of every sentence",
            ha="center", va="top", fontsize=9.5, color=COLORS["input"])
    # the step: x_t and h_{t-1} into the cell, h_t out
    mid = B * ch / 2
    _arrow(ax, (rx, mid), (rx + 0.95, mid), COLORS["input"])
    ax.text(rx + 0.45, mid + 0.08, f"$x_{{{t}}}$", ha="center", va="bottom", fontsize=10, color=COLORS["input"])
    _box(ax, rx + 1.75, mid, 1.55, 0.8, f"step {t}\ntanh cell", COLORS["weight"], fontsize=9.5, alpha=0.15)
    _box(ax, rx + 1.75, mid - 1.25, 1.55, 0.5, f"$h_{{{t - 1}}}$: [{B}, {H}]", COLORS["hidden"], fontsize=9.5)
    _arrow(ax, (rx + 1.75, mid - 1.0), (rx + 1.75, mid - 0.42), COLORS["hidden"])
    _arrow(ax, (rx + 2.55, mid), (rx + 3.3, mid), COLORS["hidden"])
    _box(ax, rx + 4.1, mid, 1.55, 0.5, f"$h_{{{t}}}$: [{B}, {H}]", COLORS["hidden"], fontsize=9.5)
    ax.text(rx + 4.1, mid + 0.35, f"one row per\nsentence, {H}\nfeatures each", ha="center", va="bottom",
            fontsize=8.5, color="#555555")
    ax.set_title(f"A batch of {B} sentences, not {B} words: step {t} reads word {t} of each", fontsize=11)
    return fig


# -- 图6 ----------------------------------------------------------------------------------------
def draw_rnn_cell(batch: int | None = 3, input_size: int | None = 100, hidden_size: int | None = 20) -> Figure:
    """图6: inside one step, W_xh acts on x_t and W_hh on h_{t-1}; their sum plus b goes through tanh."""
    B, I, H = (_optional_int(batch, "batch"), _optional_int(input_size, "input_size"),
               _optional_int(hidden_size, "hidden_size"))
    xs, hs, ws_x, ws_h = (_shape_text(B, I), _shape_text(B, H), _shape_text(I, H), _shape_text(H, H))

    def lab(name: str, shape: str) -> str:
        return f"{name}\n{shape}" if shape else name

    fig, ax = _canvas((-0.4, 10.4), (-0.9, 4.2), title=False)
    _box(ax, 0.8, 0.4, 1.5, 0.8, lab("$x_t$", xs), COLORS["input"])
    _box(ax, 0.8, 2.6, 1.5, 0.8, lab("$h_{t-1}$", hs), COLORS["hidden"])
    _box(ax, 3.2, 0.4, 1.6, 0.8, lab("$\\cdot\\,W_{xh}$", ws_x), COLORS["weight"], alpha=0.15)
    _box(ax, 3.2, 2.6, 1.6, 0.8, lab("$\\cdot\\,W_{hh}$", ws_h), COLORS["weight"], alpha=0.15)
    _arrow(ax, (1.57, 0.4), (2.38, 0.4), COLORS["input"])
    _arrow(ax, (1.57, 2.6), (2.38, 2.6), COLORS["hidden"])
    ax.add_patch(FancyBboxPatch((5.1, 1.2), 0.6, 0.6, boxstyle="circle,pad=0.0", facecolor="white",
                                edgecolor="black", linewidth=1.3))
    ax.text(5.4, 1.5, "+", ha="center", va="center", fontsize=16)
    _arrow(ax, (4.02, 0.55), (5.15, 1.3), COLORS["weight"])
    _arrow(ax, (4.02, 2.45), (5.15, 1.7), COLORS["weight"])
    _box(ax, 5.4, 3.1, 0.9, 0.55, "$b$" + (f" [{H}]" if H else ""), COLORS["muted"], fontsize=9.5)
    _arrow(ax, (5.4, 2.82), (5.4, 1.83), COLORS["muted"])
    _box(ax, 7.0, 1.5, 1.1, 0.7, "tanh", COLORS["output"], alpha=0.2)
    _arrow(ax, (5.72, 1.5), (6.43, 1.5), "black")
    _box(ax, 9.1, 1.5, 1.5, 0.8, lab("$h_t$", hs), COLORS["hidden"])
    _arrow(ax, (7.57, 1.5), (8.33, 1.5), COLORS["hidden"])
    # h_t becomes the next step's h_{t-1}
    loop = 3.75
    ax.plot([9.1, 9.1, 0.8], [1.92, loop, loop], color=COLORS["hidden"], lw=1.2, linestyle="--")
    _arrow(ax, (0.8, loop), (0.8, 3.02), COLORS["hidden"], lw=1.2)
    ax.text(5.0, loop + 0.08, "next step: $h_t$ becomes $h_{t-1}$", ha="center", va="bottom", fontsize=9,
            color=COLORS["hidden"])
    ax.text(4.9, -0.55, r"$h_t = \tanh(x_t\,W_{xh} + h_{t-1}\,W_{hh} + b)$", ha="center", va="center",
            fontsize=13)
    return fig


# -- 图10 ---------------------------------------------------------------------------------------
def draw_weight_shapes(batch: int = 3, input_size: int = 100, hidden_size: int = 20) -> Figure:
    """图10: x_t @ W_xh and h_{t-1} @ W_hh drawn to scale, and how PyTorch stores them (transposed)."""
    B = _positive_int(batch, "batch", maximum=64)
    I = _positive_int(input_size, "input_size", maximum=400)
    H = _positive_int(hidden_size, "hidden_size", maximum=400)
    s = 3.2 / max(I, H, B)                       # the longest side is 3.2 units
    least = 0.28

    def size(rows: int, cols: int) -> tuple[float, float]:
        return max(cols * s, least), max(rows * s, least)

    row1 = max(size(B, I)[1], size(I, H)[1])
    row2 = max(size(B, H)[1], size(H, H)[1])
    height = row1 + row2 + 2.6
    fig, ax = _canvas((-0.3, 12.6), (-0.9, height - 0.9))

    def row(y_top: float, left: str, color: str, k: int, wname: str, pt_name: str) -> None:
        x = 0.0
        for shape, name, c in (((B, k), left, color), ((k, H), wname, COLORS["weight"]),
                               ((B, H), None, COLORS["hidden"])):
            w, h = size(*shape)
            label = f"{name}: [{shape[0]}, {shape[1]}]" if name else f"[{shape[0]}, {shape[1]}]"
            _matrix(ax, x, y_top - h, w, h, c, label=label)
            x += w + 0.2
            if name is not None:
                ax.text(x + 0.12, y_top - least / 2, "@" if name == left else "=", ha="center", va="center",
                        fontsize=13)
                x += 0.45
        ax.text(x + 0.4, y_top - least / 2, f"PyTorch stores {pt_name} = {wname}.T: [{H}, {k}]\n"
                f"and computes {left} @ {pt_name}.T", ha="left", va="top", fontsize=9.5,
                color=COLORS["weight"])

    y1 = height - 1.2
    row(y1, "$x_t$", COLORS["input"], I, "$W_{xh}$", "weight_ih_l0")
    y2 = y1 - row1 - 0.9
    row(y2, "$h_{t-1}$", COLORS["hidden"], H, "$W_{hh}$", "weight_hh_l0")
    ax.text(6.0, -0.5, f"both products are [{B}, {H}]: they add, plus $b$, and tanh gives $h_t$: [{B}, {H}]",
            ha="center", va="center", fontsize=10)
    ax.set_title("The shapes of one step, drawn to scale", fontsize=11)
    return fig


# -- the parameter count ----------------------------------------------------------------------
def draw_parameter_counts(seq_lens: Sequence[int], per_word: Sequence[int], shared: int) -> Figure:
    """Parameters of one linear layer per word (grows with length) against one shared recurrence (fixed)."""
    lengths = _vector(seq_lens, "seq_lens")
    counts = _vector(per_word, "per_word")
    if lengths.shape != counts.shape:
        raise ValueError(f"seq_lens and per_word must have the same length, got {lengths.size} and {counts.size}")
    shared = _positive_int(shared, "shared")
    fig, ax = new_figure(figsize=(6.4, 3.6))
    ax.plot(lengths, counts, marker="o", markersize=4, color=COLORS["grad"], label="one linear layer per word")
    ax.plot(lengths, np.full_like(lengths, shared), color=COLORS["hidden"], linewidth=2.2,
            label=f"one shared recurrence (nn.RNN): {shared:,}")
    ax.set_xlabel("sentence length (words)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("parameters")
    ax.set_ylim(0, counts.max() * 1.08)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return fig


# -- the explorer's frame ---------------------------------------------------------------------
def draw_hidden_state(hs: torch.Tensor, t: int) -> Figure:
    """Explorer frame: what feeds h_t (top) and the values of h_t, one row per sentence (bottom).

    ``hs`` holds h_0..h_T stacked, shape ``[T + 1, batch, hidden_size]``.
    """
    _tensor(hs, "hs", ndim=3, floating=True)  # [T + 1, batch, hidden_size]: h_0 .. h_T
    T = hs.shape[0] - 1
    if not 1 <= T <= _MAX_STEPS:
        raise ValueError(f"hs must hold h_0..h_T with 1 <= T <= {_MAX_STEPS}, got {hs.shape[0]} states")
    t = _integer(t, "t", minimum=0, maximum=T)
    B, H = hs.shape[1], hs.shape[2]
    xlim = _chain_xlim(T)
    chain_height = _INCH_PER_UNIT * (_CHAIN_YLIM[1] - _CHAIN_YLIM[0]) + 0.45
    map_height = 0.75 + 0.28 * B
    fig, _ = new_figure(figsize=(_INCH_PER_UNIT * (xlim[1] - xlim[0]) + 0.2, chain_height + map_height))
    fig.clear()
    top, bottom = fig.subplots(2, 1, height_ratios=[chain_height, map_height])
    top.set_axis_off()
    top.set_aspect("equal")
    _draw_chain(top, T, batch=None, input_size=None, hidden_size=None, highlight=t)
    feeds = "$h_0$ only (the initial state)" if t == 0 else f"$h_0${_inputs_up_to(t)}"
    top.set_title(f"t = {t}: $h_{{{t}}}$ is fed by {feeds}", fontsize=11)
    values = hs[t].detach().cpu().numpy()
    image = bottom.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    bottom.set_yticks(range(B), [f"sentence {b + 1}" for b in range(B)], fontsize=9)
    bottom.set_xticks(range(0, H, max(1, H // 10)))
    bottom.set_xlabel(f"hidden unit (hidden_size = {H})", fontsize=9)
    bottom.set_title(f"$h_{{{t}}}$: [{B}, {H}]", fontsize=10)
    fig.colorbar(image, ax=bottom, shrink=0.9, ticks=[-1, 0, 1], pad=0.01)
    return fig
