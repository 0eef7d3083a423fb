"""Chapter 1, sequences as tensors: the drawings of 图0 and 图1, and the sine window.

Figures label time steps as the math does, from 1 (step t holds x_t, which is ``x[t - 1]`` in code).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .checks import boolean, instance, integer, real
from .style import COLORS, new_figure

__all__ = ["draw_one_hot", "draw_batch_layout", "sine_window"]


def _check_words(words: Sequence[str], name: str) -> list[str]:
    """A non-empty list (or tuple) of non-empty strings."""
    instance(words, name, (list, tuple))
    if len(words) == 0:
        raise ValueError(f"{name} must hold at least one word, got an empty {type(words).__name__}")
    for i, w in enumerate(words):
        instance(w, f"{name}[{i}]", str)
        if not w:
            raise ValueError(f"{name}[{i}] must be a non-empty word, got an empty string")
    return list(words)


def draw_one_hot(words: Sequence[str], vocab: Sequence[str] | None = None) -> Figure:
    """图0: each word of a sentence as a one-hot row over the vocabulary."""
    words = _check_words(words, "words")
    vocab = _check_words(vocab, "vocab") if vocab is not None else list(dict.fromkeys(words))
    repeated = sorted({v for v in vocab if vocab.count(v) > 1})
    if repeated:
        raise ValueError(f"vocab must list each word once (one column per index), got repeats {repeated}")
    missing = [w for w in words if w not in vocab]
    if missing:
        raise ValueError(f"every word must be in vocab; not found: {missing}")
    T, V = len(words), len(vocab)
    fig, ax = new_figure(figsize=(1.2 + 0.55 * V, 0.9 + 0.45 * T))
    for t, w in enumerate(words):
        for j, v in enumerate(vocab):
            hot = v == w
            ax.add_patch(Rectangle((j, t), 1, 1, facecolor=COLORS["input"] if hot else "white",
                                   edgecolor=COLORS["muted"], linewidth=0.8))
            ax.text(j + 0.5, t + 0.5, "1" if hot else "0", ha="center", va="center",
                    color="white" if hot else COLORS["muted"], fontsize=10)
    ax.set_xlim(0, V)
    ax.set_ylim(T, 0)
    ax.set_xticks(np.arange(V) + 0.5, vocab, rotation=45, ha="left")
    ax.set_yticks(np.arange(T) + 0.5, [f"t={t}: {w}" for t, w in enumerate(words, start=1)])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"vocabulary (feature_len = {V})")
    ax.set_aspect("equal")
    return fig


def draw_batch_layout(sentences: Sequence[Sequence[str]], batch_first: bool = False) -> Figure:
    """图1: a batch of sentences laid out as [seq_len, batch, feature] or [batch, seq_len, feature]."""
    instance(sentences, "sentences", (list, tuple))
    if len(sentences) == 0:
        raise ValueError("sentences must hold at least one sentence, got an empty list")
    rows = [_check_words(s, f"sentences[{i}]") for i, s in enumerate(sentences)]
    lengths = {len(s) for s in rows}
    if len(lengths) != 1:
        raise ValueError(f"all sentences must have the same length to form one tensor, got lengths {sorted(lengths)}")
    boolean(batch_first, "batch_first")
    batch, seq_len = len(rows), lengths.pop()
    grid = [[rows[b][t] for t in range(seq_len)] for b in range(batch)] if batch_first else \
           [[rows[b][t] for b in range(batch)] for t in range(seq_len)]
    n_rows, n_cols = len(grid), len(grid[0])
    fig, ax = new_figure(figsize=(max(1.6 + 1.25 * n_cols, 4.6), 1.3 + 0.5 * n_rows))  # room for the title
    for r, row in enumerate(grid):
        for c, word in enumerate(row):
            t = c if batch_first else r
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=COLORS["input"], alpha=0.15 + 0.6 * t / max(seq_len - 1, 1),
                                   edgecolor="white", linewidth=2))
            ax.text(c + 0.5, r + 0.5, word, ha="center", va="center", fontsize=9)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    steps = [f"t={t}" for t in range(1, seq_len + 1)]
    names = [f"sentence {b}" for b in range(1, batch + 1)]
    row_name, col_name = ("batch", "seq_len (time)") if batch_first else ("seq_len (time)", "batch")
    ax.set_xticks(np.arange(n_cols) + 0.5, steps if batch_first else names)
    ax.set_yticks(np.arange(n_rows) + 0.5, names if batch_first else steps)
    ax.set_xlabel(f"dim 1: {col_name}")
    ax.set_ylabel(f"dim 0: {row_name}")
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    shape = f"[{batch}, {seq_len}, feature_len]" if batch_first else f"[{seq_len}, {batch}, feature_len]"
    ax.set_title(f"{'batch_first=True' if batch_first else 'batch_first=False (default)'}: x is {shape}\n"
                 "each cell is one word's feature vector (dim 2)", fontsize=10)
    return fig


def sine_window(start: float, num_points: int = 50, span: float = 10.0):
    """The note's sample: ``num_points`` of sin on [start, start+span]; returns (time_steps, x, y).

    ``x`` holds the first ``num_points - 1`` points and ``y`` the last ``num_points - 1``,
    both shaped ``[1, num_points - 1, 1]`` (batch, seq_len, feature_len), float32.
    """
    start = real(start, "start")
    num_points = integer(num_points, "num_points", minimum=2)  # x and y need one point each
    span = real(span, "span", positive=True)
    time_steps = np.linspace(start, start + span, num_points)
    data = np.sin(time_steps).reshape(num_points, 1)
    seq_len = num_points - 1
    x = torch.tensor(data[:-1]).float().view(1, seq_len, 1)
    y = torch.tensor(data[1:]).float().view(1, seq_len, 1)
    return time_steps, x, y
