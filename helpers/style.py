"""The one figure style every chapter uses, and a pyplot-free figure factory."""
from __future__ import annotations

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["COURSE_STYLE", "COLORS", "new_figure"]

#: Colours by role, so a hidden state looks the same in every chapter.
COLORS = {
    "input": "#4C72B0",   # x_t
    "hidden": "#DD8452",  # h_t
    "output": "#55A868",  # y_t / out
    "weight": "#8172B3",  # W_xh, W_hh
    "grad": "#C44E52",    # gradients, errors
    "muted": "#8C8C8C",
}

COURSE_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.prop_cycle": matplotlib.cycler(color=list(COLORS.values())),
    "legend.frameon": False,
    "image.cmap": "viridis",
    "svg.hashsalt": "rnn-course",
}
matplotlib.rcParams.update(COURSE_STYLE)


def new_figure(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (6.4, 3.6),
               **subplot_kw) -> tuple[Figure, Axes | list]:
    """Return ``(fig, axes)`` in the course style, without pyplot (so it shows exactly once)."""
    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    if (not isinstance(figsize, (tuple, list)) or len(figsize) != 2
            or not all(isinstance(v, (int, float)) and v > 0 for v in figsize)):
        raise ValueError(f"figsize must be two positive numbers (width, height), got {figsize!r}")
    fig = Figure(figsize=tuple(figsize), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, subplot_kw=subplot_kw or None)
    return fig, axes


def _register_inline_png() -> None:
    """In IPython, show a returned Figure as a PNG (without pyplot nothing registers the formatter)."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:  # plain Python: nothing to register
        return
    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"}, bbox_inches="tight", metadata={"Software": None})


_register_inline_png()
