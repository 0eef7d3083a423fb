"""Chapter 1's helpers: one-hot and batch-layout drawings, the note's sine window."""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import draw_batch_layout, draw_one_hot, sine_window


def test_chapter1_drawings_return_figures():
    assert isinstance(draw_one_hot(["a", "b", "a"]), Figure)
    assert isinstance(draw_batch_layout([["a", "b"], ["c", "d"]], batch_first=True), Figure)


@pytest.mark.parametrize("call, err, match", [
    (lambda: draw_one_hot("a b"), TypeError, "words must be a list"),
    (lambda: draw_one_hot([]), ValueError, "at least one word"),
    (lambda: draw_one_hot(["a", "z"], vocab=["a"]), ValueError, "not found"),
    (lambda: draw_batch_layout([["a"], ["b", "c"]]), ValueError, "same length"),
    (lambda: draw_batch_layout([["a"]], batch_first="yes"), TypeError, "batch_first must be a bool"),
])
def test_chapter1_drawings_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_sine_window_matches_the_note():
    time_steps, x, y = sine_window(1)
    data = np.sin(np.linspace(1, 11, 50)).reshape(50, 1)
    assert x.shape == y.shape == (1, 49, 1) and x.dtype == torch.float32
    torch.testing.assert_close(x, torch.tensor(data[:-1]).float().view(1, 49, 1))
    torch.testing.assert_close(y[0, :-1], x[0, 1:])  # y is x shifted by one step


@pytest.mark.parametrize("kwargs, err, match", [
    ({"start": "0"}, TypeError, "start must be a number"),
    ({"start": 0, "num_points": 1}, ValueError, "num_points must be >= 2"),
    ({"start": 0, "num_points": 5.0}, TypeError, "num_points must be an int"),
    ({"start": 0, "span": 0}, ValueError, "span must be a positive"),
])
def test_sine_window_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        sine_window(**kwargs)
