"""Chapter 1's helpers: one-hot and batch-layout drawings, the note's sine window."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from helpers import COLORS, draw_batch_layout, draw_one_hot, sine_window

SENTENCES = [["the", "cat", "chased", "the", "dog"], ["a", "dog", "saw", "the", "cat"],
             ["the", "bird", "sang", "a", "song"]]


def cell_words(ax) -> dict[tuple[int, int], str]:
    """The word written in each grid cell, keyed by (row, column) of the drawing."""
    return {(int(t.get_position()[1]), int(t.get_position()[0])): t.get_text() for t in ax.texts}


def tick_labels(labels) -> list[str]:
    return [label.get_text() for label in labels]


# -- 图0 ----------------------------------------------------------------------------------------
def test_one_hot_drawing_shades_the_cells_of_f_one_hot():
    words = ["the", "cat", "chased", "the", "dog"]
    vocab = sorted(set(words))
    ax = draw_one_hot(words, vocab).axes[0]
    expected = F.one_hot(torch.tensor([vocab.index(w) for w in words]), len(vocab))  # (seq_len, vocab)
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == len(words) * len(vocab)
    drawn = torch.zeros(len(words), len(vocab), dtype=torch.long)
    for p in cells:
        if to_hex(p.get_facecolor()) == COLORS["input"].lower():
            drawn[int(p.get_y()), int(p.get_x())] = 1
    assert torch.equal(drawn, expected)
    assert sorted(t.get_text() for t in ax.texts) == ["0"] * 15 + ["1"] * 5
    # time steps are labelled from 1, as in the math (x_1 is x[0])
    assert tick_labels(ax.get_yticklabels()) == ["t=1: the", "t=2: cat", "t=3: chased", "t=4: the", "t=5: dog"]
    assert tick_labels(ax.get_xticklabels()) == vocab
    assert ax.get_xlabel() == "vocabulary (feature_len = 4)"


def test_one_hot_vocab_defaults_to_first_appearance():
    ax = draw_one_hot(["b", "a", "b"]).axes[0]
    assert tick_labels(ax.get_xticklabels()) == ["b", "a"]
    assert ax.get_xlim() == (0, 2) and ax.get_ylim() == (3, 0)


# -- 图1 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True])
def test_batch_layout_puts_each_word_where_the_tensor_holds_it(batch_first):
    ax = draw_batch_layout(SENTENCES, batch_first=batch_first).axes[0]
    words = cell_words(ax)
    for b, sentence in enumerate(SENTENCES):
        for t, word in enumerate(sentence):  # word t + 1 of sentence b + 1 is x[t, b] (or x[b, t])
            assert words[(b, t) if batch_first else (t, b)] == word
    steps = ["t=1", "t=2", "t=3", "t=4", "t=5"]
    names = ["sentence 1", "sentence 2", "sentence 3"]
    if batch_first:
        assert "x is [3, 5, feature_len]" in ax.get_title()
        assert tick_labels(ax.get_yticklabels()) == names and tick_labels(ax.get_xticklabels()) == steps
        assert ax.get_ylabel() == "dim 0: batch" and ax.get_xlabel() == "dim 1: seq_len (time)"
        assert ax.get_xlim() == (0, 5) and ax.get_ylim() == (3, 0)
    else:
        assert "x is [5, 3, feature_len]" in ax.get_title()
        assert tick_labels(ax.get_yticklabels()) == steps and tick_labels(ax.get_xticklabels()) == names
        assert ax.get_ylabel() == "dim 0: seq_len (time)" and ax.get_xlabel() == "dim 1: batch"
        assert ax.get_xlim() == (0, 3) and ax.get_ylim() == (5, 0)
    assert len(ax.patches) == 15


@pytest.mark.parametrize("call, err, match", [
    (lambda: draw_one_hot("a b"), TypeError, "words must be a list or tuple, got str"),
    (lambda: draw_one_hot([]), ValueError, "at least one word"),
    (lambda: draw_one_hot(["a", 3]), TypeError, r"words\[1\] must be a str, got int"),
    (lambda: draw_one_hot(["a", ""]), ValueError, r"words\[1\] must be a non-empty word"),
    (lambda: draw_one_hot(["a", "z"], vocab=["a"]), ValueError, "not found"),
    (lambda: draw_one_hot(["a", "b"], vocab=["a", "b", "a"]), ValueError, r"each word once .* repeats \['a'\]"),
    (lambda: draw_batch_layout("a b"), TypeError, "sentences must be a list or tuple"),
    (lambda: draw_batch_layout([]), ValueError, "at least one sentence"),
    (lambda: draw_batch_layout([["a"], ["b", "c"]]), ValueError, "same length"),
    (lambda: draw_batch_layout([["a"], "b"]), TypeError, r"sentences\[1\] must be a list or tuple"),
    (lambda: draw_batch_layout([["a"]], batch_first="yes"), TypeError, "batch_first must be a bool"),
])
def test_chapter1_drawings_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


# -- the sine window ----------------------------------------------------------------------------
def test_sine_window_matches_the_note():
    time_steps, x, y = sine_window(1)
    data = np.sin(np.linspace(1, 11, 50)).reshape(50, 1)  # the note's six lines, k = 1
    assert x.shape == y.shape == (1, 49, 1) and x.dtype == torch.float32
    assert torch.equal(x, torch.tensor(data[:-1]).float().view(1, 49, 1))
    assert torch.equal(y, torch.tensor(data[1:]).float().view(1, 49, 1))
    assert torch.equal(y[0, :-1], x[0, 1:])  # y is x shifted by one step
    assert time_steps[0] == 1 and time_steps[-1] == 11


def test_sine_window_takes_numpy_starts_and_its_own_length():
    _, x_np, _ = sine_window(np.int64(2))  # the note draws k with np.random.randint
    _, x_int, _ = sine_window(2)
    assert torch.equal(x_np, x_int)
    steps, x, y = sine_window(0.5, num_points=2, span=1.0)
    assert x.shape == y.shape == (1, 1, 1)
    np.testing.assert_array_equal(steps, [0.5, 1.5])


@pytest.mark.parametrize("kwargs, err, match", [
    ({"start": "0"}, TypeError, "start must be a real number"),
    ({"start": float("nan")}, ValueError, "start must be a finite number"),
    ({"start": 0, "num_points": 1}, ValueError, "num_points must be an int >= 2"),
    ({"start": 0, "num_points": 5.0}, TypeError, "num_points must be an int"),
    ({"start": 0, "span": 0}, ValueError, "span must be a positive"),
    ({"start": 0, "span": True}, TypeError, "span must be a real number"),
])
def test_sine_window_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        sine_window(**kwargs)
