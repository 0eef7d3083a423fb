"""Chapters 4 and 5 in the BUILT book, driven in Chromium: what the explorers show is what PyTorch does.

The nn.RNN explorer of chapter 4 is set to a sample of settings through its own controls; the shapes its visible
frame lists are compared with an nn.RNN built here and run, and every "h_n[k] == out[...]" it states is evaluated.
"""
from __future__ import annotations

import ast
import json
import re

import pytest
import torch
from torch import nn

pytestmark = pytest.mark.browser

LAYER_PAGE = "book/04_rnn_layer.html"
CELL_PAGE = "book/05_rnn_cell.html"
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

# (input_size, hidden_size, num_layers, batch_first, bidirectional, seq_len, batch): every value of every control
SAMPLE = [
    (100, 20, 1, False, False, 10, 3),   # the note's single layer
    (100, 20, 3, False, False, 10, 3),
    (1, 16, 1, True, False, 49, 1),      # the case study
    (100, 16, 2, True, True, 10, 3),
    (1, 20, 3, False, True, 49, 3),
    (100, 20, 2, False, True, 10, 1),
    (1, 16, 3, True, True, 10, 1),
    (100, 20, 1, True, False, 49, 3),
]
NAMES = ("input_size", "hidden_size", "num_layers", "batch_first", "bidirectional", "seq_len", "batch")


def _set(explorer, name, value) -> None:
    """Move one control the way a reader does: pick an option, or put the range input on the value's step."""
    control = explorer.locator(f'[data-param="{name}"]')
    label = str(value)
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(label=label)
    else:
        labels = json.loads(control.get_attribute("data-labels"))
        control.fill(str(labels.index(label)))
    control.dispatch_event("input")


def _visible_text(explorer) -> str:
    frames = explorer.locator("div.rnn-explorer-frame:not([hidden])")
    assert frames.count() == 1, "exactly one frame must be visible"
    return frames.inner_text()


def _shown(text: str) -> tuple[dict, dict, list]:
    """Parse a frame: parameter shapes, tensor shapes, and the (k, index expression) pairs of h_n inside out."""
    params = {}
    for row in re.finditer(r"^\s+(_l\d+(?:_reverse)?)\s+(\(.*?\))\s+(\(.*?\))\s+(\(.*?\))\s+(\(.*?\))\s*$", text, re.M):
        for kind, shape in zip(KINDS, row.groups()[1:]):
            params[kind + row.group(1)] = ast.literal_eval(shape)
    shapes = {name: ast.literal_eval(shape) for name, shape in re.findall(r"^(x|h0|out|h_n)\s+(\([\d, ]+\))", text, re.M)}
    places = [(int(k), expr) for k, expr in re.findall(r"h_n\[(\d+)\] == (out\[[\d:, ]+\])", text)]
    return params, shapes, places


def _index(expr: str) -> tuple:
    """``out[:, 9, :20]`` -> the tuple of slices/ints that indexes out."""
    parts = []
    for part in expr[len("out["):-1].split(","):
        part = part.strip()
        if ":" in part:
            start, stop = part.split(":")
            parts.append(slice(int(start) if start else None, int(stop) if stop else None))
        else:
            parts.append(int(part))
    return tuple(parts)


@pytest.mark.parametrize("setting", SAMPLE, ids=lambda s: "-".join(map(str, s)))
def test_rnn_explorer_shows_what_nn_rnn_produces(open_page, setting):
    page, problems = open_page(LAYER_PAGE)
    explorer = page.locator("div.rnn-explorer").filter(has=page.locator('[data-param="bidirectional"]'))
    assert explorer.count() == 1
    for name, value in zip(NAMES, setting):
        _set(explorer, name, value)
    text = _visible_text(explorer)
    params, shapes, places = _shown(text)

    input_size, hidden_size, num_layers, batch_first, bidirectional, seq_len, batch = setting
    rnn = nn.RNN(input_size, hidden_size, num_layers=num_layers, batch_first=batch_first, bidirectional=bidirectional)
    D = 2 if bidirectional else 1
    x = torch.randn((batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size))
    h0 = torch.zeros(num_layers * D, batch, hidden_size)
    with torch.no_grad():
        out, h_n = rnn(x, h0)

    assert f"rnn = nn.RNN(input_size={input_size}, hidden_size={hidden_size}, num_layers={num_layers}," in text
    assert f"batch_first={batch_first}, bidirectional={bidirectional})" in text
    assert params == {name: tuple(p.shape) for name, p in rnn.named_parameters()}
    assert shapes == {"x": tuple(x.shape), "h0": tuple(h0.shape), "out": tuple(out.shape), "h_n": tuple(h_n.shape)}
    assert [k for k, _ in places] == list(range((num_layers - 1) * D, num_layers * D))   # the top layer's slots
    for k, expr in places:
        assert torch.equal(out[_index(expr)], h_n[k]), f"the page says h_n[{k}] == {expr}"
    assert not problems.all(), problems.all()


def test_cell_explorer_steps_through_time(open_page):
    page, problems = open_page(CELL_PAGE)
    explorer = page.locator("div.rnn-explorer").filter(has=page.locator('[data-param="t"]'))
    assert explorer.count() == 1
    assert explorer.locator("[data-param]").count() == 1          # one control: the step (three sentences per frame)
    assert json.loads(explorer.locator('[data-param="t"]').get_attribute("data-labels")) == [str(t) for t in range(1, 11)]
    seen = set()
    for t in [1, 4, 10, 7]:
        _set(explorer, "t", t)
        image = explorer.locator("div.rnn-explorer-frame:not([hidden]) img")
        assert image.count() == 1
        assert image.get_attribute("alt").endswith(f"t = {t}")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        seen.add(image.get_attribute("src"))
    assert len(seen) == 4
    assert not problems.all(), problems.all()
