"""Chapter 4, the nn.RNN layer: the drawings of 图11 and 图12, a shape checker, and the shapes explorer."""
from __future__ import annotations


import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from .checks import boolean as _bool
from .checks import instance as _instance
from .checks import positive_int as _positive_int
from .checks import tensor as _tensor
from .diagram import arrow as _arrow
from .diagram import box as _box
from .diagram import matrix as _matrix
from .style import COLORS, new_figure

__all__ = ["draw_rnn_parameters", "draw_layer_stack", "check_rnn_input", "rnn_shapes", "rnn_shapes_text"]

_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _shape(t: torch.Tensor) -> tuple[int, ...]:
    return tuple(int(n) for n in t.shape)


def _bare(ax) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")


# -- 图11 ---------------------------------------------------------------------------------------
def draw_rnn_parameters(input_size: int = 100, hidden_size: int = 10) -> Figure:
    """图11: the four parameters of ``nn.RNN(input_size, hidden_size)``; each row belongs to one hidden unit."""
    I = _positive_int(input_size, "input_size", maximum=10_000)
    H = _positive_int(hidden_size, "hidden_size", maximum=10_000)
    j = min(2, H - 1)                          # the highlighted hidden unit (row j)
    fig, ax = new_figure(figsize=(7.6, 3.9))
    ax.set_axis_off()
    ax.set_xlim(0, 7.6)                        # data units are inches
    ax.set_ylim(0, 3.9)
    y, mh = 1.55, 1.3                          # bottom and height of every (H, .) matrix
    row_y = y + mh * (H - j - 0.5) / H         # centre line of row j
    # x_t over weight_ih_l0, aligned column by column
    x0, w_ih = 0.85, 3.0
    ax.add_patch(Rectangle((x0, y + mh + 0.25), w_ih, 0.16, facecolor=COLORS["input"], alpha=0.7, edgecolor="none"))
    ax.text(x0 + w_ih / 2, y + mh + 0.48, f"$x_t$: one word of one sentence, {I} features",
            ha="center", va="bottom", fontsize=9.5, color=COLORS["input"])
    _matrix(ax, x0, y, w_ih, mh, COLORS["weight"], rows=H, highlight=j, alpha=0.18, lw=1.2)
    ax.text(x0 - 0.08, y + mh / 2, f"{H} rows =\nhidden_size", ha="right", va="center", fontsize=8)
    ax.text(x0 + w_ih / 2, y - 0.08, f"weight_ih_l0: ({H}, {I}) = (hidden_size, input_size)",
            ha="center", va="top", fontsize=9, color=COLORS["weight"], fontweight="bold")
    ax.text(x0 + w_ih / 2, y - 0.36,
            f"row {j} = weight_ih_l0[{j}] (code counts from 0):\nthe {I} input weights of hidden unit {j}",
            ha="center", va="top", fontsize=8.5)
    # the result: one number per hidden unit
    xr = x0 + w_ih + 0.5
    _matrix(ax, xr, y, 0.18, mh, COLORS["hidden"], rows=H, highlight=j, alpha=0.18, lw=1.2)
    _arrow(ax, (x0 + w_ih + 0.03, row_y), (xr - 0.03, row_y), color=COLORS["weight"])
    ax.text(xr + 0.09, y + mh + 0.06, f"$x_t W_{{xh}}$\n({H},)", ha="center", va="bottom", fontsize=8.5,
            color=COLORS["hidden"])
    # h_{t-1} over weight_hh_l0
    xh = xr + 0.62
    ax.add_patch(Rectangle((xh, y + mh + 0.25), mh, 0.16, facecolor=COLORS["hidden"], alpha=0.7, edgecolor="none"))
    ax.text(xh + mh / 2, y + mh + 0.48, f"$h_{{t-1}}$: {H} features", ha="center", va="bottom", fontsize=9.5,
            color=COLORS["hidden"])
    _matrix(ax, xh, y, mh, mh, COLORS["weight"], rows=H, highlight=j, alpha=0.18, lw=1.2)
    ax.text(xh + mh / 2, y - 0.08, f"weight_hh_l0\n({H}, {H})", ha="center", va="top", fontsize=9,
            color=COLORS["weight"], fontweight="bold")
    # the two biases
    xb = xh + mh + 0.35
    for k in range(2):
        _matrix(ax, xb + 0.3 * k, y, 0.16, mh, COLORS["muted"], rows=H, highlight=j, alpha=0.18, lw=1.2)
    ax.text(xb + 0.23, y - 0.08, f"bias_ih_l0\nbias_hh_l0\n({H},) each", ha="center", va="top", fontsize=8.5,
            color=COLORS["muted"])
    # the math's names (row vectors, W_xh: (input_size, hidden_size)) for PyTorch's stored tensors
    ax.text(3.8, 0.68, r"$h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b)$", ha="center", va="center", fontsize=10.5)
    ax.text(3.8, 0.4, "$W_{xh}$ = weight_ih_l0.T,   $W_{hh}$ = weight_hh_l0.T,   $b$ = bias_ih_l0 + bias_hh_l0",
            ha="center", va="center", fontsize=9)
    ax.text(3.8, 0.1, f"a batch of 3 sentences: $x_t$ (3, {I}) @ weight_ih_l0.T ({I}, {H}) $\\to$ (3, {H})",
            ha="center", va="center", fontsize=9.5)
    return fig


# -- 图12 ---------------------------------------------------------------------------------------
def draw_layer_stack(num_layers: int = 4, seq_len: int = 5, bidirectional: bool = False) -> Figure:
    """图12: states of a stacked nn.RNN (layers up, steps 1..T right); ``out`` is the top row, ``h_n`` the last column."""
    L = _positive_int(num_layers, "num_layers", maximum=6)
    T = _positive_int(seq_len, "seq_len", maximum=8)
    bidirectional = _bool(bidirectional, "bidirectional")
    D = 2 if bidirectional else 1
    dx, dy = 2.4, 1.9 if not bidirectional else 2.3
    bw, bh = 1.5, 0.85 if not bidirectional else 1.3
    y0 = 1.7                              # layer 0 sits one row above the inputs
    x_end = (T - 1) * dx + bw
    y_top_edge = y0 + (L - 1) * dy + bh
    xlim, ylim = (-1.4, x_end + (5.0 if bidirectional else 4.2)), (-0.9, y_top_edge + 1.2)
    scale = min(0.5, 7.6 / (xlim[1] - xlim[0]))          # inches per data unit, at most 7.6 inches wide
    fig, ax = new_figure(figsize=((xlim[1] - xlim[0]) * scale, (ylim[1] - ylim[0]) * scale))
    _bare(ax)

    def cell(l: int, t: int) -> tuple[float, float]:
        return t * dx, y0 + l * dy

    for t in range(T):
        x, _ = cell(0, t)
        _box(ax, x + bw / 2, 0.35, bw - 0.4, 0.7, f"$x_{{{t + 1}}}$", color=COLORS["input"])
        _arrow(ax, (x + bw / 2, 0.75), (x + bw / 2, y0 - 0.05))
    for l in range(L):
        top = l == L - 1
        for t in range(T):
            x, y = cell(l, t)
            if bidirectional:
                _box(ax, x + bw / 2, y + 3 * bh / 4 + 0.02, bw, bh / 2 - 0.04, rf"$\rightarrow\ h^{{({l})}}_{{{t + 1}}}$",
                     color=COLORS["output"] if top else COLORS["hidden"], fontsize=9)
                _box(ax, x + bw / 2, y + bh / 4 - 0.02, bw, bh / 2 - 0.04, rf"$\leftarrow\ h^{{({l})}}_{{{t + 1}}}$",
                     color=COLORS["output"] if top else COLORS["hidden"], fontsize=9)
            else:
                _box(ax, x + bw / 2, y + bh / 2, bw, bh, f"$h^{{({l})}}_{{{t + 1}}}$", color=COLORS["output"] if top else COLORS["hidden"])
            if t > 0:
                if bidirectional:
                    yf, yb = y + 0.75 * bh, y + 0.25 * bh
                    _arrow(ax, (x - dx + bw + 0.05, yf), (x - 0.05, yf))
                    _arrow(ax, (x - 0.05, yb), (x - dx + bw + 0.05, yb))
                else:
                    _arrow(ax, (x - dx + bw + 0.05, y + bh / 2), (x - 0.05, y + bh / 2))
            if l > 0:
                _arrow(ax, (x + bw / 2, y - dy + bh + 0.05), (x + bw / 2, y - 0.05))
        # the final states that h_n keeps
        x_last, y = cell(l, T - 1)
        if bidirectional:
            ax.text(x_last + bw + 0.25, y + 0.75 * bh, f"h_n[{2 * l}]: layer {l}, forward",
                    ha="left", va="center", fontsize=9, color=COLORS["grad"])
            ax.text(x_last + bw + 0.25, y + 0.25 * bh, f"h_n[{2 * l + 1}]: layer {l}, backward",
                    ha="left", va="center", fontsize=9, color=COLORS["grad"])
            x_first, _ = cell(l, 0)
            ax.add_patch(Rectangle((x_first - 0.08, y - 0.06), bw + 0.16, bh / 2 + 0.04, facecolor="none",
                                   edgecolor=COLORS["grad"], linewidth=2.2))
            ax.add_patch(Rectangle((x_last - 0.08, y + bh / 2 - 0.02), bw + 0.16, bh / 2 + 0.1, facecolor="none",
                                   edgecolor=COLORS["grad"], linewidth=2.2))
        else:
            ax.text(x_last + bw + 0.25, y + bh / 2, f"h_n[{l}]: layer {l}", ha="left", va="center",
                    fontsize=10, color=COLORS["grad"])
            ax.add_patch(Rectangle((x_last - 0.08, y - 0.08), bw + 0.16, bh + 0.16, facecolor="none",
                                   edgecolor=COLORS["grad"], linewidth=2.2))
    ax.text(x_last + bw + 0.25, y0 - 0.3, "h_n: the last step\nof every row" + (
        "\n(backward rows end\nat t = 1)" if bidirectional else ""),
        ha="left", va="top", fontsize=9, color=COLORS["grad"], fontstyle="italic")
    # out = the top layer at every step
    _, y_top = cell(L - 1, 0)
    x_end = (T - 1) * dx + bw
    ax.annotate("", xy=(x_end, y_top + bh + 0.25), xytext=(0, y_top + bh + 0.25),
                arrowprops=dict(arrowstyle="-", color=COLORS["output"], lw=2))
    what = "cat(forward, backward) of the top layer" if bidirectional else "the top layer's state"
    ax.text(x_end / 2, y_top + bh + 0.4, f"out: {what} at every step", ha="center", va="bottom",
            fontsize=10, color=COLORS["output"], fontweight="bold")
    ax.text(-0.3, y0 + (L - 1) * dy / 2 + bh / 2, "layers\n(up)", ha="right", va="center", fontsize=9,
            color=COLORS["muted"])
    ax.text(x_end / 2, -0.45, "time step t = 1 .. " + str(T) + " (right)", ha="center", va="top", fontsize=9, color=COLORS["muted"])
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return fig


# -- shapes -------------------------------------------------------------------------------------
def check_rnn_input(rnn: nn.RNN, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[tuple, tuple]:
    """Check ``x`` (and ``h0``) against ``rnn`` before calling it; return the (out, h_n) shapes it will give."""
    _instance(rnn, "rnn", nn.RNN)
    _tensor(x, "x")
    _instance(h0, "h0", torch.Tensor, allow_none=True)
    D = 2 if rnn.bidirectional else 1
    layout = "(batch, seq_len, input_size)" if rnn.batch_first else "(seq_len, batch, input_size)"
    shape = _shape(x)
    if x.dim() == 2:
        one_step = (shape[0], 1, shape[1]) if rnn.batch_first else (1, *shape)
        raise ValueError(
            f"x has 2 dims {shape}: nn.RNN would read it as ONE unbatched sequence of seq_len={shape[0]}, "
            f"not as a batch. Give x 3 dims {layout}; for one time step of a batch use "
            f"x.unsqueeze({1 if rnn.batch_first else 0}) -> {one_step}")
    if x.dim() != 3:
        raise ValueError(f"x must have 3 dims {layout}, got {x.dim()} dims {shape}")
    if shape[2] != rnn.input_size:
        raise ValueError(f"x's last dim must be input_size = {rnn.input_size}, got {shape[2]} (x has shape {shape})")
    batch, seq_len = (shape[0], shape[1]) if rnn.batch_first else (shape[1], shape[0])
    h_shape = (rnn.num_layers * D, batch, rnn.hidden_size)
    if h0 is not None:
        if _shape(h0) != h_shape:
            layers = "num_layers * 2" if D == 2 else "num_layers"
            hint = ""
            if h0.dim() == 2:
                hint = "; h0 needs the layers dim too: use h0.unsqueeze(0)"
            elif rnn.batch_first:
                hint = "; h0 keeps layers first even when batch_first=True"
            raise ValueError(f"h0 must have shape ({layers}, batch, hidden_size) = {h_shape}, "
                             f"got {_shape(h0)}{hint}")
    out_shape = (batch, seq_len, D * rnn.hidden_size) if rnn.batch_first else (seq_len, batch, D * rnn.hidden_size)
    return out_shape, h_shape


def rnn_shapes(input_size: int, hidden_size: int, num_layers: int = 1, batch_first: bool = False,
               bidirectional: bool = False, seq_len: int = 10, batch: int = 3) -> dict:
    """Build a real nn.RNN, run it, and report every shape and where each h_n[k] is found inside out."""
    input_size = _positive_int(input_size, "input_size", maximum=4096)
    hidden_size = _positive_int(hidden_size, "hidden_size", maximum=4096)
    num_layers = _positive_int(num_layers, "num_layers", maximum=16)
    batch_first = _bool(batch_first, "batch_first")
    bidirectional = _bool(bidirectional, "bidirectional")
    seq_len = _positive_int(seq_len, "seq_len", maximum=10_000)
    batch = _positive_int(batch, "batch", maximum=10_000)
    D = 2 if bidirectional else 1
    with torch.random.fork_rng(), torch.no_grad():   # leave the caller's random stream untouched
        torch.manual_seed(0)
        rnn = nn.RNN(input_size, hidden_size, num_layers=num_layers, batch_first=batch_first,
                     bidirectional=bidirectional)
        x = torch.randn((batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size))
        h0 = torch.zeros(num_layers * D, batch, hidden_size)
        out, h_n = rnn(x, h0)
    by_time = out.transpose(0, 1) if batch_first else out        # (seq_len, batch, D * hidden_size)
    found = {}
    for k in range(h_n.shape[0]):
        found[k] = None
        for t in range(seq_len):
            for d in range(D):
                if torch.equal(by_time[t, :, d * hidden_size:(d + 1) * hidden_size], h_n[k]):
                    found[k] = (t, d)
    return {
        "params": {name: _shape(p) for name, p in rnn.named_parameters()},
        "x": _shape(x), "h0": _shape(h0), "out": _shape(out), "h_n": _shape(h_n),
        "h_n_in_out": found,
    }


def _index_text(t: int, d: int, hidden_size: int, bidirectional: bool, batch_first: bool) -> str:
    """How to write ``out`` at time t, direction d, e.g. ``out[9, :, :20]`` or ``out[:, 9]``."""
    where = f":, {t}" if batch_first else f"{t}"
    if not bidirectional:
        return f"out[{where}]"
    feats = f":{hidden_size}" if d == 0 else f"{hidden_size}:"
    return f"out[{where}, :, {feats}]" if not batch_first else f"out[{where}, {feats}]"


def _bar(t: int, seq_len: int) -> str:
    """One mark per step, ``#`` at step t; long sequences show their first and last 5 steps."""
    marks = ["#" if i == t else "." for i in range(seq_len)]
    if seq_len <= 20:
        return "".join(marks)
    return "".join(marks[:5]) + " ... " + "".join(marks[-5:])


def rnn_shapes_text(input_size: int, hidden_size: int, num_layers: int = 1, batch_first: bool = False,
                    bidirectional: bool = False, seq_len: int = 10, batch: int = 3) -> str:
    """The explorer's frame: every parameter's shape, x/h0/out/h_n shapes, and where h_n sits inside out."""
    s = rnn_shapes(input_size, hidden_size, num_layers, batch_first, bidirectional, seq_len, batch)
    D = 2 if bidirectional else 1
    n_dirs = "num_layers * 2" if bidirectional else "num_layers"
    feats = "2 * hidden_size" if bidirectional else "hidden_size"
    seq_b = "(batch, seq_len, {})" if batch_first else "(seq_len, batch, {})"
    lines = [f"rnn = nn.RNN(input_size={input_size}, hidden_size={hidden_size}, num_layers={num_layers},",
             f"             batch_first={batch_first}, bidirectional={bidirectional})", "",
             "parameters (name = column + row)",
             f"  {'':12}" + "".join(f"{k:<12}" for k in _KINDS)]
    total = 0
    for layer in range(num_layers):
        for suffix in ([f"_l{layer}", f"_l{layer}_reverse"] if bidirectional else [f"_l{layer}"]):
            shapes = [s["params"][k + suffix] for k in _KINDS]
            total += sum(int(torch.Size(p).numel()) for p in shapes)
            lines.append(f"  {suffix:<12}" + "".join(f"{str(p):<12}" for p in shapes))
    lines += [f"  total: {total:,} numbers", "",
              f"x    {str(s['x']):<16}{seq_b.format('input_size')}",
              f"h0   {str(s['h0']):<16}({n_dirs}, batch, hidden_size)",
              f"out  {str(s['out']):<16}{seq_b.format(feats)}",
              f"h_n  {str(s['h_n']):<16}({n_dirs}, batch, hidden_size)"]
    if batch_first:
        lines.append("     h0 and h_n keep layers first, even with batch_first=True")
    lines.append("")
    if bidirectional:
        lines += ["h_n[k] is layer k // 2, direction k % 2 (0 forward, 1 backward):",
                  f"  h_n.view({num_layers}, 2, {batch}, {hidden_size}) splits layers and directions"]
    else:
        lines.append("h_n[k] is the last state of layer k (k = 0 is the bottom layer)")
    lines += ["", f"where h_n sits inside out (out holds only the top layer, layer {num_layers - 1}):",
              f"  {'':11}time index 0 .. {seq_len - 1} (index t - 1 holds h_t)"]
    for k in range(num_layers * D - D, num_layers * D):
        t, d = s["h_n_in_out"][k]
        name = ("forward" if d == 0 else "backward") if bidirectional else "top layer"
        lines.append(f"  {name:<10}|{_bar(t, seq_len)}|  h_n[{k}] == "
                     f"{_index_text(t, d, hidden_size, bidirectional, batch_first)}")
    lower = [k for k in range(num_layers * D) if s["h_n_in_out"][k] is None]
    if lower:
        span = f"h_n[{lower[0]}]" + (f" .. h_n[{lower[-1]}]" if len(lower) > 1 else "")
        lines.append(f"  {span}: {'a lower layer' if num_layers == 2 else 'lower layers'}, not in out")
    return "\n".join(line.rstrip() for line in lines)
