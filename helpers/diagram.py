"""Diagram primitives shared by the chapters' drawings: a canvas, rounded boxes, arrows, matrices."""
from __future__ import annotations

from matplotlib.colors import to_rgba
from matplotlib.patches import FancyBboxPatch, Rectangle

from .style import COLORS, new_figure

__all__: list[str] = []  # internal to the package

INCH_PER_UNIT = 0.68  # diagrams keep one scale, so their text and boxes look alike


def canvas(xlim: tuple[float, float], ylim: tuple[float, float], title: bool = True):
    """An empty, equal-aspect axes sized from its limits at the course's diagram scale."""
    width = INCH_PER_UNIT * (xlim[1] - xlim[0]) + 0.2
    height = INCH_PER_UNIT * (ylim[1] - ylim[0]) + (0.45 if title else 0.2)
    fig, ax = new_figure(figsize=(width, height))
    ax.set_axis_off()
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    return fig, ax


def box(ax, cx: float, cy: float, w: float, h: float, text: str = "", color: str = COLORS["hidden"],
         *, muted: bool = False, fontsize: float = 10, alpha: float = 0.2, lw: float = 1.4) -> None:
    """A rounded box centred on (cx, cy); a muted box is grey with grey text."""
    edge = COLORS["muted"] if muted else color
    face = to_rgba("#eeeeee" if muted else color, 1.0 if muted else alpha)
    ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0.0,rounding_size=0.08",
                                facecolor=face, edgecolor=edge, linewidth=lw))
    if text:
        ax.text(cx, cy, text, ha="center", va="center", fontsize=fontsize,
                color="#999999" if muted else "black")


def arrow(ax, start: tuple[float, float], end: tuple[float, float], color: str = COLORS["muted"],
           *, lw: float = 1.4, style: str = "-|>", linestyle: str = "-", muted: bool = False) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle=style, color="#c8c8c8" if muted else color, lw=lw,
                                shrinkA=0, shrinkB=0, mutation_scale=12, linestyle=linestyle))


def matrix(ax, x: float, y: float, w: float, h: float, color: str, *, rows: int | None = None,
           highlight: int | None = None, label: str = "", alpha: float = 0.25, lw: float = 1.3) -> None:
    """A matrix as a w x h rectangle (bottom-left at x, y).

    ``rows`` draws its row lines (up to 24), ``highlight`` fills one row (counted from the top),
    ``label`` is written under it.
    """
    ax.add_patch(Rectangle((x, y), w, h, facecolor=to_rgba(color, alpha), edgecolor=color, linewidth=lw))
    if rows is not None and rows <= 24:
        for r in range(1, rows):
            ax.plot([x, x + w], [y + h * r / rows] * 2, color=color, alpha=0.35, linewidth=0.6)
    if rows is not None and highlight is not None:
        ax.add_patch(Rectangle((x, y + h * (rows - highlight - 1) / rows), w, h / rows, facecolor=color,
                               alpha=0.8, edgecolor="none"))
    if label:
        ax.text(x + w / 2, y - 0.12, label, ha="center", va="top", fontsize=9)
