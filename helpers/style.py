"""The one figure style every chapter uses, and a pyplot-free figure factory."""
from __future__ import annotations

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .checks import positive_int

__all__ = ["COURSE_STYLE", "COLORS", "new_figure", "figure_png"]

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
    nrows, ncols = positive_int(nrows, "nrows"), positive_int(ncols, "ncols")
    if (not isinstance(figsize, (tuple, list)) or len(figsize) != 2
            or not all(isinstance(v, (int, float)) and v > 0 for v in figsize)):
        raise ValueError(f"figsize must be two positive numbers (width, height), got {figsize!r}")
    fig = Figure(figsize=tuple(figsize), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, subplot_kw=subplot_kw or None)
    return fig, axes


def figure_png(fig: Figure, dpi: float | None = None) -> bytes:
    """A figure as a 256-colour PNG with a tight bounding box (what a notebook shows and stores).

    The figures are flat colours and lines: a palette PNG looks the same as the RGBA one and
    weighs about 2.5 times less.
    """
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white",
                metadata={"Software": None})
    buffer.seek(0)
    out = io.BytesIO()
    Image.open(buffer).convert("RGB").quantize(256, dither=Image.Dither.NONE).save(out, format="PNG",
                                                                                  optimize=True)
    return out.getvalue()


def _register_inline_png() -> None:
    """In IPython, show a returned Figure as a palette PNG (without pyplot nothing registers one)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to register
        return
    import base64

    shell = get_ipython()
    if shell is not None:  # a formatter returns base64 text, as IPython's own does
        shell.display_formatter.formatters["image/png"].for_type(
            Figure, lambda fig: base64.b64encode(figure_png(fig)).decode("ascii"))


_register_inline_png()
