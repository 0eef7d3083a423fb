"""The explorer: one function from parameter values to a picture, shown two ways.

In a kernel front end (JupyterLab) ``explore`` shows live ipywidgets that call the
function at each move. In the built HTML book, where no kernel runs, it shows the
same controls over frames computed in advance for every point of the grid, switched
by the book's static script ``book/_static/rnn-explorer.js``: no kernel, no network,
no inline script. Figures become 256-colour PNGs of one common size.

Computing every frame takes time. ``make execute`` and the tests need the frames (the
book shows them); a learner in JupyterLab does not, so ``make lab`` sets
``RNN_EXPLORER_FRAMES=lazy`` and the live widget appears at once.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import numbers
import os
from typing import Any, Callable, Mapping, Sequence

from matplotlib.figure import Figure

from .checks import function, instance, integer

__all__ = ["Explorer", "explore", "MAX_FRAMES", "FRAMES_ENV"]

#: Upper bound on the number of precomputed frames (grid points) of one explorer.
MAX_FRAMES = 200
#: Environment variable: ``lazy`` skips the precomputed frames (live widgets only).
FRAMES_ENV = "RNN_EXPLORER_FRAMES"
_COUNTER = itertools.count(1)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _check_grid(grid: Any) -> dict[str, list]:
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a dict of parameter name -> list of values, got {type(grid).__name__}")
    if not grid:
        raise ValueError("grid must name at least one parameter, got an empty dict")
    checked: dict[str, list] = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid keys must be parameter names (identifiers), got {name!r}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(f"grid[{name!r}] must be a list or tuple of values, got {type(values).__name__}")
        if len(values) == 0:
            raise ValueError(f"grid[{name!r}] must hold at least one value, got an empty sequence")
        labels = [_label(v) for v in values]
        if len(set(labels)) != len(labels):
            raise ValueError(f"grid[{name!r}] has repeated values: {list(values)!r}")
        checked[name] = list(values)
    size = 1
    for values in checked.values():
        size *= len(values)
    if size > MAX_FRAMES:
        raise ValueError(f"the grid has {size} points; an explorer precomputes at most {MAX_FRAMES}")
    return checked


def _png_bytes(fig: Figure, dpi: int):
    """A figure as a Pillow RGB image at ``dpi`` (its own size, no tight crop: frames line up)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _palette_png(image, size: tuple[int, int]) -> bytes:
    """``image`` padded with white to ``size``, as a 256-colour PNG (no dithering: lines stay crisp)."""
    from PIL import Image

    if image.size != size:
        canvas = Image.new("RGB", size, "white")
        canvas.paste(image, (0, 0))
        image = canvas
    out = io.BytesIO()
    image.quantize(256, dither=Image.Dither.NONE).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _render_text(result: str) -> str:
    return f'<pre class="rnn-explorer-text">{html.escape(result)}</pre>'


def _check_result(result: Any) -> Any:
    if not isinstance(result, (Figure, str)):
        raise TypeError(f"the explored function must return a matplotlib Figure or a str, got {type(result).__name__}")
    return result


class Explorer:
    """Controls over ``fn(**params)``: live ipywidgets in a kernel, precomputed frames in HTML."""

    def __init__(self, fn: Callable[..., Any], grid: Mapping[str, Sequence], *, title: str = "",
                 dpi: int = 72, start: Mapping[str, Any] | None = None):
        function(fn, "fn")
        instance(title, "title", str)
        dpi = integer(dpi, "dpi", minimum=20, maximum=300)
        self.fn = fn
        self.grid = _check_grid(grid)
        self.title = title
        self.dpi = dpi
        start = dict(start or {})
        unknown = set(start) - set(self.grid)
        if unknown:
            raise ValueError(f"start names unknown parameters {sorted(unknown)}; the grid has {list(self.grid)}")
        for name, value in start.items():
            if value not in self.grid[name]:
                raise ValueError(f"start[{name!r}] = {value!r} is not one of {self.grid[name]!r}")
        self.start = {name: start.get(name, values[0]) for name, values in self.grid.items()}
        self._frames: list[str] | None = None

    # -- the grid -------------------------------------------------------------
    @property
    def points(self) -> list[dict[str, Any]]:
        """Every grid point, in the order of the precomputed frames (last parameter fastest)."""
        names = list(self.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*self.grid.values())]

    def index_of(self, **params: Any) -> int:
        """Position of a grid point among the frames."""
        if set(params) != set(self.grid):
            raise ValueError(f"give every parameter {list(self.grid)}, got {sorted(params)}")
        index = 0
        for name, values in self.grid.items():
            if params[name] not in values:
                raise ValueError(f"{name}={params[name]!r} is not on the grid {values!r}")
            index = index * len(values) + values.index(params[name])
        return index

    def frame(self, **params: Any) -> str:
        """The HTML fragment the book shows at these parameter values."""
        return self.frames[self.index_of(**params)]

    @property
    def frames(self) -> list[str]:
        """Every precomputed frame as an HTML fragment (computed once, on first use).

        Figures become 256-colour PNGs, all padded to the largest frame's size so the page does
        not jump while sliding; strings become preformatted text.
        """
        if self._frames is None:
            results = []  # a str, or the figure already rasterised (figures are not kept)
            for point in self.points:
                result = _check_result(self.fn(**point))
                results.append(result if isinstance(result, str) else _png_bytes(result, self.dpi))
            images = [r for r in results if not isinstance(r, str)]
            size = (max((im.size[0] for im in images), default=0), max((im.size[1] for im in images), default=0))
            self._frames = []
            for point, result in zip(self.points, results):
                if isinstance(result, str):
                    self._frames.append(_render_text(result))
                    continue
                alt = f"{self.title or 'explorer'}: " + ", ".join(f"{k} = {_label(v)}" for k, v in point.items())
                data = base64.b64encode(_palette_png(result, size)).decode("ascii")
                self._frames.append(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
                                    f'width="{size[0]}" height="{size[1]}" style="max-width:100%;height:auto">')
        return self._frames

    # -- the static view ------------------------------------------------------
    def static_html(self) -> str:
        """Controls and frames that work in a page with no kernel and no network."""
        key = json.dumps([self.title, {k: [_label(v) for v in vs] for k, vs in self.grid.items()}])
        uid = f"explorer-{hashlib.sha1(key.encode()).hexdigest()[:10]}-{next(_COUNTER)}"
        rows = []
        for k, (name, values) in enumerate(self.grid.items()):
            cid = f"{uid}-{k}"
            labels = [_label(v) for v in values]
            i0 = values.index(self.start[name])
            attrs = (f'id="{cid}" data-param="{html.escape(name)}" data-size="{len(values)}" '
                     f"data-labels='{html.escape(json.dumps(labels))}'")
            if all(_is_number(v) for v in values):
                control = (f'<input type="range" {attrs} min="0" max="{len(values) - 1}" step="1" '
                           f'value="{i0}" aria-label="{html.escape(name)}">')
            else:
                options = "".join(f'<option value="{i}"{" selected" if i == i0 else ""}>{html.escape(lab)}</option>'
                                  for i, lab in enumerate(labels))
                control = f'<select {attrs} aria-label="{html.escape(name)}">{options}</select>'
            shown = f' <output for="{cid}">{html.escape(labels[i0])}</output>' if control.startswith("<input") else ""
            rows.append(f'<label for="{cid}" style="margin-right:1.5em;white-space:nowrap">'
                        f'<code>{html.escape(name)}</code> {control}{shown}</label>')
        first = self.index_of(**self.start)
        frames = "".join(f'<div class="rnn-explorer-frame"{"" if i == first else " hidden"}>{f}</div>'
                         for i, f in enumerate(self.frames))
        title = f"<strong>{html.escape(self.title)}</strong><br>" if self.title else ""
        status = ('<div class="rnn-explorer-status" aria-live="polite" style="position:absolute;width:1px;'
                  'height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"></div>')
        return (f'<div class="rnn-explorer" id="{uid}" data-index="{first}" '
                f'style="border:1px solid #ddd;border-radius:6px;padding:0.6em;max-width:100%;overflow-x:auto">'
                f'{title}<div class="rnn-explorer-controls">{"".join(rows)}</div>{status}{frames}</div>')

    # -- the live view --------------------------------------------------------
    def widget(self):
        """Live ipywidgets calling ``fn`` at each move (needs a running kernel)."""
        import ipywidgets as widgets
        from IPython import get_ipython
        from IPython.display import HTML

        controls = {}
        for name, values in self.grid.items():
            options = [(_label(v), v) for v in values]
            if all(_is_number(v) for v in values):
                controls[name] = widgets.SelectionSlider(options=options, value=self.start[name],
                                                         description=name, continuous_update=True)
            elif len(values) <= 4:
                controls[name] = widgets.ToggleButtons(options=options, value=self.start[name], description=name)
            else:
                controls[name] = widgets.Dropdown(options=options, value=self.start[name], description=name)

        output = widgets.Output()
        shell = get_ipython()

        def show(change=None):
            # Set the Output widget's outputs directly (as Output.append_display_data does) instead of
            # display() inside it: nothing goes to the cell's own output stream, so a run without a
            # widget front end (nbval, nbclient) records the same outputs as one with it.
            result = _check_result(self.fn(**{name: c.value for name, c in controls.items()}))
            shown = result if isinstance(result, Figure) else HTML(_render_text(result))
            data, metadata = shell.display_formatter.format(shown) if shell is not None else \
                ({"text/plain": repr(shown)}, {})
            output.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)

        for control in controls.values():
            control.observe(show, "value")
        show()
        header = [widgets.HTML(f"<strong>{html.escape(self.title)}</strong>")] if self.title else []
        return widgets.VBox([*header, widgets.HBox(list(controls.values())), output])

    def _repr_mimebundle_(self, include=None, exclude=None):
        if os.environ.get(FRAMES_ENV, "").lower() == "lazy":
            static = ("<p><em>Live explorer: its precomputed frames are made by <code>make execute</code> "
                      f"(unset {FRAMES_ENV} to make them here).</em></p>")
        else:
            static = self.static_html()
        bundle = {"text/plain": repr(self), "text/html": static}
        live = self.widget()._repr_mimebundle_() or {}
        bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle

    def __repr__(self) -> str:
        sizes = " x ".join(f"{name}[{len(values)}]" for name, values in self.grid.items())
        return f"Explorer({self.title!r}, {sizes} = {len(self.points)} frames)"


def explore(fn: Callable[..., Any], grid: Mapping[str, Sequence], *, title: str = "", dpi: int = 72,
            start: Mapping[str, Any] | None = None) -> Explorer:
    """Explore ``fn(**params) -> Figure | str`` over ``grid`` (name -> list of values).

    Display the returned object: live widgets in JupyterLab, a precomputed slider in the book.
    """
    return Explorer(fn, grid, title=title, dpi=dpi, start=start)
