"""Chapter 3, backpropagation through time: the drawings of 图7–图9, the gradient-norm measurement
(written out in full in the chapter first), and log-scale curve plots.

Conventions as in chapter 3: time runs t = 1..T, states are rows, h_t = φ(x_t W_xh + h_{t-1} W_hh + b),
so the Jacobian of one step is ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_hhᵀ.
"""
from __future__ import annotations

import itertools
from typing import Collection, Mapping, Sequence

import numpy as np
import torch
import matplotlib
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .checks import boolean as _boolean
from .checks import instance as _instance
from .checks import integer as _integer
from .checks import one_of as _one_of
from .checks import positive_int as _positive_int
from .checks import real as _real
from .checks import tensor as _tensor
from .checks import vector as _vector
from .diagram import arrow as _arrow
from .diagram import box as _box
from .diagram import canvas as _canvas
from .style import COLORS, new_figure

__all__ = [
    "draw_bptt_graph",
    "draw_step_contributions",
    "draw_jacobian_chain",
    "hidden_jacobian_norms",
    "draw_log_curves",
    "draw_truncation",
]

_ACTIVATIONS = ("tanh", "identity")


# -- 图7 ----------------------------------------------------------------------------------------
def draw_bptt_graph(seq_len: int = 4, loss_step: int | None = None) -> Figure:
    """图7: a prediction ŷ_t and a loss L_t on every step; red arrows carry the gradient back through every use of W_hh.

    With ``loss_step=k`` only the paths from L_k are drawn: they reach steps 1..k and no later one.
    """
    T = _positive_int(seq_len, "seq_len", maximum=8)
    if loss_step is not None:
        loss_step = _integer(loss_step, "loss_step", minimum=1, maximum=T)
    dx, bw, bh = 2.0, 0.95, 0.6
    y_x, y_h, y_y, y_l = 0.0, 1.55, 2.9, 4.1
    fig, ax = _canvas((-0.75, T * dx + 0.75), (-0.45, 4.55))
    red = COLORS["grad"]
    reach = T if loss_step is None else loss_step

    def lit(k: int) -> bool:
        return loss_step is None or k <= loss_step

    _box(ax, 0.0, y_h, bw, bh, "$h_0$", COLORS["hidden"], muted=not lit(0))
    for k in range(1, T + 1):
        cx = k * dx
        on_path = k <= reach
        has_loss = loss_step is None or k == loss_step
        _box(ax, cx, y_x, bw, bh, f"$x_{{{k}}}$", COLORS["input"], muted=not lit(k))
        _box(ax, cx, y_h, bw, bh, f"$h_{{{k}}}$", COLORS["hidden"], muted=not lit(k))
        _box(ax, cx, y_y, bw, bh, f"$\\hat y_{{{k}}}$", COLORS["output"], muted=not has_loss)
        _box(ax, cx, y_l, bw, bh, f"$L_{{{k}}}$", red, muted=not has_loss)
        # forward arrows
        _arrow(ax, (cx, y_x + bh / 2), (cx, y_h - bh / 2), COLORS["input"], muted=not lit(k))
        _arrow(ax, (cx, y_h + bh / 2), (cx, y_y - bh / 2), COLORS["hidden"], muted=not has_loss)
        _arrow(ax, (cx, y_y + bh / 2), (cx, y_l - bh / 2), COLORS["output"], muted=not has_loss)
        _arrow(ax, (cx - dx + bw / 2, y_h + 0.1), (cx - bw / 2, y_h + 0.1), COLORS["weight"], muted=not lit(k))
        ax.text(cx - dx / 2, y_h + 0.18, "$W_{hh}$", ha="center", va="bottom", fontsize=9,
                color=COLORS["weight"] if lit(k) else "#bbbbbb")
        # backward arrows (red, dashed)
        if has_loss:
            _arrow(ax, (cx + 0.3, y_l - bh / 2), (cx + 0.3, y_y + bh / 2), red, linestyle="--", lw=1.3)
            _arrow(ax, (cx + 0.3, y_y - bh / 2), (cx + 0.3, y_h + bh / 2), red, linestyle="--", lw=1.3)
        if on_path:
            _arrow(ax, (cx - bw / 2, y_h - 0.12), (cx - dx + bw / 2, y_h - 0.12), red, linestyle="--", lw=1.3)
    if loss_step is None:
        title = (f"$L = L_1 + \\dots + L_{{{T}}}$: the gradient (red) flows back from every $L_t$ "
                 "through every earlier use of $W_{hh}$")
    else:
        title = (f"$L_{{{loss_step}}}$ alone: its gradient reaches $W_{{hh}}$ at steps 1..{loss_step}"
                 + (", not later" if loss_step < T else ""))
    ax.set_title(title, fontsize=11)
    return fig


# -- 图8 ----------------------------------------------------------------------------------------
def draw_step_contributions(norms) -> Figure:
    """图8: ``norms[t-1, i-1]`` = size of L_t's gradient through the use of W_hh at step i (zero for i > t)."""
    _instance(norms, "norms", (torch.Tensor, np.ndarray, list, tuple))
    if isinstance(norms, torch.Tensor):
        norms = norms.detach().cpu().numpy()
    try:
        array = np.asarray(norms, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"norms must hold real numbers only, got {norms!r}") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ValueError(f"norms must be a square [T, T] array (loss step t, use step i), got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError("norms must hold finite, non-negative numbers")
    if np.any(np.triu(array, k=1) != 0):
        raise ValueError("norms must be zero above the diagonal: L_t cannot reach a use of W_hh after step t")
    T = array.shape[0]
    shown = np.where(np.tril(np.ones((T, T), dtype=bool)) & (array > 0), array, np.nan)
    positive = array[array > 0]
    fig, ax = new_figure(figsize=(1.8 + 0.5 * T, 1.2 + 0.45 * T))
    if positive.size:
        image = ax.imshow(shown, cmap="magma_r", norm=LogNorm(vmin=positive.min(), vmax=positive.max()))
        fig.colorbar(image, ax=ax, shrink=0.85, label="Frobenius norm")
    ax.set_xticks(range(T), [str(i + 1) for i in range(T)])
    ax.set_yticks(range(T), [f"$L_{{{t + 1}}}$" for t in range(T)])
    ax.set_xlabel("step i where $W_{hh}$ is used")
    ax.set_ylabel("loss term")
    for t in range(T):
        for i in range(t + 1, T):
            ax.text(i, t, "0", ha="center", va="center", fontsize=8, color="#aaaaaa")
    ax.set_title("$\\partial L_t / \\partial W_{hh}^{(i)}$, one term per use of $W_{hh}$:\n"
                 "row t sums to $\\partial L_t/\\partial W_{hh}$, all cells to $\\partial L/\\partial W_{hh}$",
                 fontsize=10)
    return fig


# -- 图9 ----------------------------------------------------------------------------------------
def draw_jacobian_chain(i: int = 1, t: int = 4) -> Figure:
    """图9: ∂h_t/∂h_i as the product of one Jacobian per step, J_k = diag(1 - h_k²) W_hhᵀ."""
    i = _integer(i, "i", minimum=0)
    t = _integer(t, "t (at most six steps after i are drawn)", minimum=i + 1, maximum=i + 6)
    n = t - i
    dx, bw, bh = 2.6, 0.9, 0.6
    fig, ax = _canvas((-0.7, n * dx + 0.7), (-1.4, 0.7), title=False)
    for k in range(n + 1):
        _box(ax, k * dx, 0.0, bw, bh, f"$h_{{{i + k}}}$", COLORS["hidden"])
        if k > 0:
            _arrow(ax, ((k - 1) * dx + bw / 2, 0.0), (k * dx - bw / 2, 0.0), COLORS["weight"])
            ax.text((k - 0.5) * dx, 0.12, f"$J_{{{i + k}}}$", ha="center", va="bottom", fontsize=11,
                    color=COLORS["weight"])
            ax.text((k - 0.5) * dx, -0.18, f"diag$(1-h_{{{i + k}}}^2)\\,W_{{hh}}^\\top$", ha="center", va="top",
                    fontsize=8.5, color=COLORS["weight"])
    product = " ".join(f"J_{{{k}}}" for k in range(t, i, -1))
    ax.text(n * dx / 2, -1.0, f"$\\partial h_{{{t}}} / \\partial h_{{{i}}} = {product}$,   with   "
            "$J_k = \\partial h_k / \\partial h_{k-1} = \\mathrm{diag}(1-h_k^2)\\,W_{hh}^\\top$",
            ha="center", va="center", fontsize=11.5)
    return fig


# -- the measurement ----------------------------------------------------------------------------
def hidden_jacobian_norms(W_hh: torch.Tensor, u: torch.Tensor, activation: str = "tanh",
                          h_0: torch.Tensor | None = None) -> torch.Tensor:
    """‖∂h_T/∂h_t‖₂ for t = T, T-1, ..., 0 (index = distance T - t), for h_t = φ(h_{t-1} W_hh + u_t).

    ``u`` is the input drive ``x_t W_xh + b`` of every step, shape ``[T, hidden_size]`` (one sequence).
    """
    _tensor(W_hh, "W_hh", ndim=2, floating=True)
    H = W_hh.shape[0]
    if W_hh.shape[1] != H:
        raise ValueError(f"W_hh must be a square [hidden_size, hidden_size] tensor, got shape {tuple(W_hh.shape)}")
    _tensor(u, "u (the drive x_t W_xh + b of every step)", shape=(None, H), floating=True)
    if u.shape[0] == 0:
        raise ValueError(f"u must hold at least one step (T >= 1), got shape {tuple(u.shape)}")
    _one_of(activation, "activation", _ACTIVATIONS)
    if h_0 is None:
        h_0 = torch.zeros(H, dtype=W_hh.dtype)
    _tensor(h_0, "h_0", shape=(H,), floating=True)
    for name, value in (("u", u), ("h_0", h_0)):
        if value.dtype != W_hh.dtype:
            raise TypeError(f"{name} must have the dtype of W_hh ({W_hh.dtype}), got {value.dtype}")
    with torch.no_grad():
        hs = [h_0]
        for u_t in u:
            a_t = hs[-1] @ W_hh + u_t
            hs.append(torch.tanh(a_t) if activation == "tanh" else a_t)
        P = torch.eye(H, dtype=W_hh.dtype)                      # ∂h_T/∂h_T
        norms = [torch.linalg.matrix_norm(P, ord=2)]
        for t in range(u.shape[0], 0, -1):
            slope = 1 - hs[t] ** 2 if activation == "tanh" else torch.ones(H, dtype=W_hh.dtype)
            P = P @ (torch.diag(slope) @ W_hh.T)                 # ∂h_T/∂h_{t-1} = ∂h_T/∂h_t · J_t
            norms.append(torch.linalg.matrix_norm(P, ord=2))
    return torch.stack(norms)


# -- curves on a log scale ----------------------------------------------------------------------
def draw_log_curves(panels: Mapping[str, Mapping[str, Sequence[float]]], *, xlabel: str, ylabel: str,
                    sequential: bool = False, sharey: bool = True,
                    ylim: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
                    figsize: tuple[float, float] | None = None, dashed: Collection[str] = (),
                    x_start: int = 0) -> Figure:
    """Side-by-side panels (title -> {label -> values}) on a log y-axis; value k is drawn at x = x_start + k.

    Non-finite values (a run that blew up) are left out of the line; ``sequential`` colours the
    curves of a panel from light to dark, for an ordered family such as several spectral radii;
    curves whose label is in ``dashed`` are drawn as thin grey reference lines (a bound, a level), dashed,
    then dotted, then dash-dotted.
    ``ylim`` is one (low, high) for every panel, or a dict title -> (low, high) for some of them.
    """
    _instance(panels, "panels", Mapping)
    if not panels:
        raise ValueError("panels must hold at least one panel (title -> {label -> values}), got an empty dict")
    _instance(xlabel, "xlabel", str)
    _instance(ylabel, "ylabel", str)
    _boolean(sequential, "sequential")
    _boolean(sharey, "sharey")
    _instance(dashed, "dashed", (list, tuple, set, frozenset))
    checked: dict[str, dict[str, np.ndarray]] = {}
    for title, curves in panels.items():
        _instance(curves, f"panels[{title!r}]", Mapping)
        if not curves:
            raise ValueError(f"panels[{title!r}] must hold at least one curve (label -> values), got an empty dict")
        checked[title] = {}
        for label, values in curves.items():
            _instance(values, f"panels[{title!r}][{label!r}]", (torch.Tensor, np.ndarray, list, tuple))
            if isinstance(values, torch.Tensor):
                values = values.detach().cpu().numpy()
            try:
                array = np.asarray(values, dtype=float)
            except (TypeError, ValueError):
                raise TypeError(f"panels[{title!r}][{label!r}] must hold real numbers only, got {values!r}") from None
            if array.ndim != 1 or array.size == 0:
                raise ValueError(f"panels[{title!r}][{label!r}] must be a non-empty 1-D sequence, "
                                 f"got shape {array.shape}")
            checked[title][label] = np.where(np.isfinite(array) & (array > 0), array, np.nan)
    x_start = _integer(x_start, "x_start")
    limits: dict[str, tuple[float, float]] = {}
    if ylim is not None:
        _instance(ylim, "ylim", (tuple, list, Mapping))
        wanted = ylim if isinstance(ylim, Mapping) else {title: ylim for title in checked}
        for title, pair in wanted.items():
            name = "ylim" if not isinstance(ylim, Mapping) else f"ylim[{title!r}]"
            if title not in checked:
                raise ValueError(f"{name} names no panel; the panels are {list(checked)}")
            _instance(pair, name, (tuple, list))
            if len(pair) != 2:
                raise ValueError(f"{name} must be (low, high) with 0 < low < high, got {pair!r}")
            low, high = _real(pair[0], f"{name}[0]", positive=True), _real(pair[1], f"{name}[1]", positive=True)
            if not low < high:
                raise ValueError(f"{name} must be (low, high) with 0 < low < high, got {pair!r}")
            limits[title] = (low, high)
    if figsize is not None:
        _instance(figsize, "figsize", (tuple, list))
        if len(figsize) != 2:
            raise ValueError(f"figsize must be (width, height) in inches, got {figsize!r}")
        figsize = (_real(figsize[0], "figsize[0]", positive=True), _real(figsize[1], "figsize[1]", positive=True))
    n = len(checked)
    fig, axes = new_figure(1, n, figsize=figsize or (1.0 + 4.2 * n, 3.6))
    axes = [axes] if n == 1 else list(axes)
    if sharey:
        for ax in axes[1:]:
            ax.sharey(axes[0])

    for ax, (title, curves) in zip(axes, checked.items()):
        solid = [label for label in curves if label not in dashed]
        colors = dict(zip(solid, matplotlib.colormaps["viridis"](np.linspace(0.9, 0.05, len(solid))))) \
            if sequential else {}
        references = itertools.cycle(["--", ":", "-."])
        for label, values in curves.items():
            if label in dashed:
                style = dict(color=COLORS["muted"], linestyle=next(references), linewidth=1.3)
            else:
                style = dict(linewidth=1.8, **({"color": colors[label]} if label in colors else {}))
            ax.plot(x_start + np.arange(values.size), values, label=label, **style)
        ax.set_yscale("log")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3, which="major")
        if title in limits:
            ax.set_ylim(*limits[title])
    for ax in axes if not sharey else axes[:1]:
        ax.set_ylabel(ylabel)
    axes[-1].legend(loc="best", fontsize=9)
    return fig


# -- truncated BPTT -----------------------------------------------------------------------------
def draw_truncation(grad_full, grad_truncated, cut: int) -> Figure:
    """Per-step input gradients of the second chunk's loss, with and without ``h.detach()`` at ``cut``."""
    full = _vector(grad_full, "grad_full", min_length=2, nonnegative=True)
    truncated = _vector(grad_truncated, "grad_truncated", min_length=2, nonnegative=True)
    if full.size != truncated.size:
        raise ValueError(f"grad_full and grad_truncated must have the same length, "
                         f"got {full.size} and {truncated.size}")
    if not np.any(full > 0):
        raise ValueError("grad_full must hold at least one positive number (the bars are drawn on a log scale)")
    T = full.size
    cut = _integer(cut, "cut (steps 1..cut form the first chunk)", minimum=1, maximum=T - 1)
    steps = np.arange(1, T + 1)
    fig, axes = new_figure(1, 2, figsize=(10, 3.4))
    axes[1].sharey(axes[0])
    for ax, values, title, color in ((axes[0], full, "h carried with its graph", COLORS["hidden"]),
                                     (axes[1], truncated, "h.detach() at the cut", COLORS["grad"])):
        shown = np.where(values > 0, values, np.nan)
        ax.bar(steps, shown, color=color, width=0.75)
        zeros = steps[values == 0]
        if zeros.size:
            ax.plot(zeros, np.full(zeros.size, np.nanmin(np.where(full > 0, full, np.nan)) * 0.5), "x",
                    color=COLORS["muted"], label="exactly 0")
            ax.legend(loc="upper left", fontsize=9)
        ax.axvline(cut + 0.5, color="black", linestyle="--", linewidth=1)
        ax.text(cut + 0.6, 0.98, " cut", transform=ax.get_xaxis_transform(), ha="left", va="top", fontsize=9)
        ax.set_yscale("log")
        ax.set_xlabel("input step t")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize=11)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("size of the gradient\nof the second chunk's loss")
    return fig
