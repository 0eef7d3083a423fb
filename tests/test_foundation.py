"""Unit tests of the foundation helpers: seed, style, explorer, the package's exports."""
import base64
import io
import re

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import COLORS, FRAMES_ENV, MAX_FRAMES, explore, new_figure, set_seed


# -- set_seed ---------------------------------------------------------------
def test_set_seed_repeats_every_generator():
    set_seed(3)
    a = (np.random.rand(), torch.rand(1).item())
    set_seed(3)
    assert (np.random.rand(), torch.rand(1).item()) == a


@pytest.mark.parametrize("bad, err", [("0", TypeError), (1.5, TypeError), (True, TypeError), (-1, ValueError)])
def test_set_seed_rejects_bad_input(bad, err):
    with pytest.raises(err, match="seed must be"):
        set_seed(bad)


# -- style ------------------------------------------------------------------
def test_new_figure_is_pyplot_free_and_styled():
    import matplotlib.colors

    fig, ax = new_figure(figsize=(5, 2.5))
    assert isinstance(fig, Figure)
    assert fig.canvas.manager is None  # not registered with pyplot: displays exactly once
    assert tuple(fig.get_size_inches()) == (5, 2.5)
    # what a reader sees: no top/right spines, the course's first colour for the first line
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.spines["left"].get_visible()
    (line,) = ax.plot([0, 1])
    assert matplotlib.colors.to_hex(line.get_color()) == COLORS["input"].lower()
    fig, axes = new_figure(2, 3, figsize=(6, 4))
    assert axes.shape == (2, 3)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"nrows": 0}, ValueError, "nrows must be a positive int"),
    ({"ncols": 1.0}, TypeError, "ncols must be a positive int"),
    ({"figsize": (3,)}, ValueError, "figsize must be two positive numbers"),
    ({"figsize": (3, -1)}, ValueError, "figsize"),
])
def test_new_figure_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        new_figure(**kwargs)


# -- explorer ---------------------------------------------------------------
def _text(a, mode):
    return f"a={a} mode={mode}"


def test_explorer_precomputes_every_point_in_order():
    e = explore(_text, {"a": [1, 2, 3], "mode": ["x", "y"]}, title="demo")
    assert len(e.points) == len(e.frames) == 6
    assert e.points[1] == {"a": 1, "mode": "y"}  # last parameter varies fastest
    assert e.index_of(a=2, mode="y") == 3
    assert "a=2 mode=y" in e.frame(a=2, mode="y")
    assert "Explorer('demo', a[3] x mode[2] = 6 frames)" == repr(e)


def test_explorer_static_html_has_controls_and_one_visible_frame():
    e = explore(_text, {"a": [1, 2, 3], "mode": ["x", "y"]}, start={"a": 2})
    page = e.static_html()
    assert page.count('type="range"') == 1 and page.count("<select") == 1
    assert page.count('class="rnn-explorer-frame"') == 6
    assert page.count('class="rnn-explorer-frame" hidden') == 5
    visible = re.search(r'class="rnn-explorer-frame">(.*?)</div>', page).group(1)
    assert "a=2 mode=x" in visible
    assert "<script" not in page and "http" not in page  # the book's static script drives it, offline
    assert page.count('aria-live="polite"') == 1


def test_explorer_figures_become_png_with_alt_text():
    def draw(k):
        fig, ax = new_figure(figsize=(2, 2))
        ax.plot([0, k])
        return fig

    def draw_sized(k):
        fig, ax = new_figure(figsize=(2 + k, 2))
        ax.plot([0, k])
        return fig

    e = explore(draw, {"k": [1, 2]}, title="line")
    assert e.frame(k=2).startswith('<img src="data:image/png;base64,')
    assert 'alt="line: k = 2"' in e.frame(k=2)
    assert e.frame(k=1) != e.frame(k=2)
    # 256-colour PNGs, every frame of one explorer the size of the largest (the page does not jump)
    from PIL import Image
    sized = explore(draw_sized, {"k": [1, 2]}, dpi=50)
    images = [Image.open(io.BytesIO(base64.b64decode(re.search(r"base64,([^\"]+)", f).group(1))))
              for f in sized.frames]
    assert [im.mode for im in images] == ["P", "P"]
    assert images[0].size == images[1].size == (200, 100)
    assert all('width="200" height="100"' in f for f in sized.frames)


def test_explorer_mimebundle_has_live_and_static_views(monkeypatch):
    calls = []

    def record(a, mode):
        calls.append(a)
        return f"a={a} mode={mode}"

    monkeypatch.delenv(FRAMES_ENV, raising=False)
    bundle = explore(record, {"a": [1, 2], "mode": ["x"]})._repr_mimebundle_()
    assert {"text/plain", "text/html", "application/vnd.jupyter.widget-view+json"} <= set(bundle)
    assert bundle["text/html"].count("rnn-explorer-frame") == 2 and len(calls) == 3  # 2 frames + live view
    monkeypatch.setenv(FRAMES_ENV, "lazy")  # make lab: the live view only, drawn once
    calls.clear()
    bundle = explore(record, {"a": [1, 2], "mode": ["x"]})._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "rnn-explorer-frame" not in bundle["text/html"]
    assert calls == [1]


@pytest.mark.parametrize("fn, grid, err, match", [
    (42, {"a": [1]}, TypeError, "fn must be a callable"),
    (_text, [("a", [1])], TypeError, "grid must be a dict"),
    (_text, {}, ValueError, "at least one parameter"),
    (_text, {"not a name": [1]}, ValueError, "identifiers"),
    (_text, {"a": 3}, TypeError, r"grid\['a'\] must be a list"),
    (_text, {"a": "abc"}, TypeError, r"grid\['a'\] must be a list"),
    (_text, {"a": []}, ValueError, "at least one value"),
    (_text, {"a": [1, 1]}, ValueError, "repeated"),
    (_text, {"a": list(range(MAX_FRAMES)), "mode": ["x", "y"]}, ValueError, "at most"),
])
def test_explorer_rejects_bad_input(fn, grid, err, match):
    with pytest.raises(err, match=match):
        explore(fn, grid)


def test_explorer_rejects_bad_start_and_results():
    with pytest.raises(ValueError, match="not one of"):
        explore(_text, {"a": [1, 2], "mode": ["x"]}, start={"a": 5})
    with pytest.raises(ValueError, match="unknown parameters"):
        explore(_text, {"a": [1, 2], "mode": ["x"]}, start={"b": 1})
    with pytest.raises(TypeError, match="must return a matplotlib Figure or a str"):
        explore(lambda a: 3, {"a": [1]}).frames
    with pytest.raises(ValueError, match="not on the grid"):
        explore(_text, {"a": [1, 2], "mode": ["x"]}).index_of(a=9, mode="x")


def test_explorer_live_widgets_call_fn_on_every_move():
    import ipywidgets as widgets

    calls = []

    def record(a, mode):
        calls.append((a, mode))
        return f"a={a} mode={mode}"

    box = explore(record, {"a": [1, 2, 3], "mode": ["x", "y"]}).widget()
    controls = {c.description: c for c in box.children[-2].children}
    assert isinstance(controls["a"], widgets.SelectionSlider)
    assert isinstance(controls["mode"], widgets.ToggleButtons)
    assert calls[-1] == (1, "x")  # drawn once at the start
    controls["a"].value = 3
    assert calls[-1] == (3, "x")
    controls["mode"].value = "y"
    assert calls[-1] == (3, "y")


def test_every_public_name_is_exported_once_by_name():
    """helpers/__init__.py lists each module's public names explicitly: importable one way, no star import."""
    import importlib
    import pkgutil

    import helpers

    source = (importlib.util.find_spec("helpers").origin)
    assert "import *" not in open(source, encoding="utf-8").read()
    assert len(helpers.__all__) == len(set(helpers.__all__))
    for info in pkgutil.iter_modules(helpers.__path__):
        module = importlib.import_module(f"helpers.{info.name}")
        for name in getattr(module, "__all__", []):
            assert name in helpers.__all__, f"helpers.{info.name}.{name} is public but not exported by helpers"
            assert getattr(helpers, name) is getattr(module, name)
    for name in helpers.__all__:
        assert hasattr(helpers, name), f"helpers.__all__ names {name}, which helpers does not define"


def test_figures_display_as_palette_pngs():
    from PIL import Image

    from helpers import figure_png

    fig, ax = new_figure(figsize=(4, 2))
    ax.plot([0, 1], [0, 1])
    image = Image.open(io.BytesIO(figure_png(fig)))
    assert image.mode == "P" and image.format == "PNG"
    assert 360 < image.width < 440 and 180 < image.height < 230  # 4 x 2 in at 100 dpi, tight bounding box
    rgb = image.convert("RGB")
    assert rgb.getpixel((0, 0)) == (255, 255, 255)  # white, not transparent, background
    assert len(rgb.getcolors(256)) > 2  # the line and axes are there, anti-aliased
