"""Chapter 7's memory task, ready for chapter 8: data, the three networks, training, evaluation,
parameter counts, and the drawings of the results.

The task: remember the first of L + 1 symbols. Step 1 shows one of ``num_symbols`` symbols; steps
2 .. L + 1 show distractors, drawn from ``num_distractors`` other symbols; after the last step the
network must name the first symbol. Every symbol is a one-hot vector of
``num_symbols + num_distractors`` features, and x is ``(L + 1, batch, features)`` (time first).
Chance accuracy is ``1 / num_symbols``.

``kind`` is one of ``"rnn"``, ``"lstm"``, ``"gru"``, so chapter 8 runs the same task with
``nn.GRU``. Each piece is written out in ``book/07_lstm.ipynb`` first and checked there against
this copy; ``tests/bench_memory.py`` uses this copy to fill ``book/data/memory.json``.
"""
from __future__ import annotations

import math
import time
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator
from torch import nn

from .checks import boolean as _boolean
from .checks import function as _function
from .checks import instance as _instance
from .checks import integer as _integer
from .checks import one_of as _one_of
from .checks import positive_int as _positive_int
from .checks import real as _real
from .gru import set_update_bias
from .lstm import set_gate_biases
from .seed import set_seed
from .style import COLORS, new_figure

__all__ = ["MEMORY_KINDS", "MEMORY_CONFIGS", "memory_batch", "MemoryNet", "train_memory", "memory_accuracy",
           "run_memory", "count_parameters", "draw_memory_accuracy", "draw_memory_losses"]

#: The recurrent layers the task runs with, and PyTorch's class for each.
MEMORY_KINDS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}

#: The networks of the benchmark (``tests/bench_memory.py``): name -> (legend label, MemoryNet kwargs).
MEMORY_CONFIGS: dict[str, tuple[str, dict]] = {
    "rnn": ("RNN", {"kind": "rnn"}),
    "lstm": ("LSTM, PyTorch's init", {"kind": "lstm"}),
    "lstm_bf1": ("LSTM, $b_f = 1$", {"kind": "lstm", "forget_bias": 1.0}),
    "lstm_bf5": ("LSTM, $b_f = 5$", {"kind": "lstm", "forget_bias": 5.0}),
    "lstm_bf5_bi-5": ("LSTM, $b_f = 5$, $b_i = -5$", {"kind": "lstm", "forget_bias": 5.0, "input_bias": -5.0}),
    "gru": ("GRU, PyTorch's init", {"kind": "gru"}),
}

#: Gate blocks per layer: an RNN has one weight block, a GRU three, an LSTM four.
_GATE_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}


# -- the data -----------------------------------------------------------------------------------
def memory_batch(batch_size: int, distance: int, *, num_symbols: int = 8, num_distractors: int = 8,
                 generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` sequences of the task with ``distance`` distractors: ``(x, y)``.

    ``x`` is ``(distance + 1, batch_size, num_symbols + num_distractors)``, one-hot at every step;
    ``y`` is ``(batch_size,)``, the index of the symbol at step 1.
    """
    B = _positive_int(batch_size, "batch_size")
    L = _integer(distance, "distance", minimum=0)
    K = _positive_int(num_symbols, "num_symbols")
    D = _positive_int(num_distractors, "num_distractors")
    _instance(generator, "generator", torch.Generator, allow_none=True)
    y = torch.randint(K, (B,), generator=generator)                  # (batch,)
    distractors = torch.randint(D, (L, B), generator=generator)      # (distance, batch)
    x = torch.zeros(L + 1, B, K + D)                                 # (seq_len, batch, features)
    x[0, torch.arange(B), y] = 1.0                                   # step 1: the symbol
    x[1 + torch.arange(L)[:, None], torch.arange(B), K + distractors] = 1.0  # steps 2 .. L + 1
    return x, y


# -- the networks -------------------------------------------------------------------------------
class MemoryNet(nn.Module):
    """A one-layer ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` and a linear read-out of its last state.

    ``forget_bias`` / ``input_bias`` (LSTM only) set those gates' total biases
    (``set_gate_biases``), ``update_bias`` (GRU only) the update gate's (``set_update_bias``);
    None keeps PyTorch's initialisation.
    """

    def __init__(self, kind: str, hidden_size: int = 32, *, num_symbols: int = 8, num_distractors: int = 8,
                 forget_bias: float | None = None, input_bias: float | None = None,
                 update_bias: float | None = None):
        super().__init__()
        self.kind = _one_of(kind, "kind", MEMORY_KINDS)
        self.hidden_size = _positive_int(hidden_size, "hidden_size")
        self.num_symbols = _positive_int(num_symbols, "num_symbols")
        self.num_distractors = _positive_int(num_distractors, "num_distractors")
        if kind != "lstm" and (forget_bias is not None or input_bias is not None):
            raise ValueError(f"forget_bias and input_bias are LSTM gates; kind={kind!r} has none, pass None")
        if kind != "gru" and update_bias is not None:
            raise ValueError(f"update_bias is the GRU's update gate; kind={kind!r} has none, pass None")
        self.rnn = MEMORY_KINDS[kind](self.num_symbols + self.num_distractors, self.hidden_size)
        if kind == "lstm":
            set_gate_biases(self.rnn, forget=forget_bias, input=input_bias)
        if update_bias is not None:
            set_update_bias(self.rnn, update_bias)
        self.head = nn.Linear(self.hidden_size, self.num_symbols)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)           # (seq_len, batch, hidden_size)
        return self.head(out[-1])      # (batch, num_symbols): scores after the last step


# -- training and evaluation --------------------------------------------------------------------
def train_memory(model: MemoryNet, distance: int, *, steps: int = 600, batch_size: int = 64, lr: float = 0.01,
                 clip: float = 1.0, seed: int = 0,
                 progress: Callable[[int, int], None] | None = None) -> list[float]:
    """Adam on fresh batches (cross-entropy, gradient clipped to ``clip``); returns the loss of every step.

    The batches come from ``torch.Generator().manual_seed(seed)``, so two runs see the same data.
    """
    _instance(model, "model", MemoryNet)
    L = _integer(distance, "distance", minimum=0)
    steps = _positive_int(steps, "steps")
    batch_size = _positive_int(batch_size, "batch_size")
    lr = _real(lr, "lr", positive=True)
    clip = _real(clip, "clip", positive=True)
    seed = _integer(seed, "seed", minimum=0)
    _function(progress, "progress", allow_none=True)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for step in range(steps):
        x, y = memory_batch(batch_size, L, num_symbols=model.num_symbols, num_distractors=model.num_distractors,
                            generator=generator)
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
        if progress is not None:
            progress(step + 1, steps)
    return losses


def memory_accuracy(model: MemoryNet, distance: int, *, num_sequences: int = 1000, seed: int = 2024) -> float:
    """Fraction of ``num_sequences`` fresh sequences (generator seeded with ``seed``) answered right."""
    _instance(model, "model", MemoryNet)
    L = _integer(distance, "distance", minimum=0)
    n = _positive_int(num_sequences, "num_sequences")
    seed = _integer(seed, "seed", minimum=0)
    x, y = memory_batch(n, L, num_symbols=model.num_symbols, num_distractors=model.num_distractors,
                        generator=torch.Generator().manual_seed(seed))
    model.eval()
    with torch.no_grad():
        correct = (model(x).argmax(dim=1) == y).sum().item()
    return correct / n


def run_memory(distance: int, *, seed: int = 0, steps: int = 600, eval_sequences: int = 1000,
               eval_seed: int = 2024, **model_kwargs) -> dict:
    """One point of the benchmark: ``set_seed(seed)``, build ``MemoryNet(**model_kwargs)``, train, evaluate.

    Returns ``{"model", "losses", "accuracy", "seconds"}`` (``seconds``: training wall time).
    """
    set_seed(seed)
    model = MemoryNet(**model_kwargs)
    start = time.perf_counter()
    losses = train_memory(model, distance, steps=steps, seed=seed)
    seconds = time.perf_counter() - start
    accuracy = memory_accuracy(model, distance, num_sequences=eval_sequences, seed=eval_seed)
    return {"model": model, "losses": losses, "accuracy": accuracy, "seconds": seconds}


# -- parameter counts ---------------------------------------------------------------------------
def count_parameters(kind: str, input_size: int, hidden_size: int, num_layers: int = 1,
                     bidirectional: bool = False) -> int:
    """Parameters of ``nn.RNN`` / ``nn.GRU`` / ``nn.LSTM`` with biases, by formula.

    Each layer and direction has ``blocks`` = 1 / 3 / 4 copies of (W_x: [H, in], W_h: [H, H], two biases);
    layer 0 reads ``input_size`` features, the layers above read ``hidden_size`` per direction.
    """
    _one_of(kind, "kind", _GATE_BLOCKS)
    I = _positive_int(input_size, "input_size")
    H = _positive_int(hidden_size, "hidden_size")
    layers = _positive_int(num_layers, "num_layers")
    _boolean(bidirectional, "bidirectional")
    directions = 2 if bidirectional else 1
    total = 0
    for k in range(layers):
        inputs = I if k == 0 else directions * H
        total += directions * _GATE_BLOCKS[kind] * (H * inputs + H * H + 2 * H)
    return total


# -- drawings -----------------------------------------------------------------------------------
def _check_results(accuracy, distances: Sequence[int]) -> dict[str, np.ndarray]:
    if not isinstance(accuracy, Mapping) or not accuracy:
        raise TypeError(f"accuracy must be a non-empty dict of config name -> accuracies, got {accuracy!r}")
    checked = {}
    for name, values in accuracy.items():
        array = np.asarray(values, dtype=float)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2 or array.shape[0] != len(distances):
            raise ValueError(f"accuracy[{name!r}] must hold one row of seeds per distance "
                             f"({len(distances)} rows), got shape {array.shape}")
        if not np.all((array >= 0) & (array <= 1)):
            raise ValueError(f"accuracy[{name!r}] must hold accuracies in [0, 1]")
        checked[name] = array
    return checked


def _label(name: str) -> str:
    return MEMORY_CONFIGS[name][0] if name in MEMORY_CONFIGS else name


_STYLES = {"rnn": (COLORS["hidden"], "o"), "lstm": (COLORS["muted"], "s"), "lstm_bf1": (COLORS["weight"], "^"),
           "lstm_bf5": ("#937860", "P"),
           "lstm_bf5_bi-5": (COLORS["input"], "D"), "gru": (COLORS["output"], "v")}


def draw_memory_accuracy(accuracy: Mapping[str, Sequence], distances: Sequence[int], *, num_symbols: int,
                         highlight: int | None = None, figsize: tuple[float, float] = (7.2, 3.8)) -> Figure:
    """Accuracy against the distance L, one line (mean over seeds) and dots (each seed) per network.

    ``accuracy[name][k]`` holds the seeds' accuracies at ``distances[k]``; chance, 1 / ``num_symbols``, is dashed;
    ``highlight`` marks one distance with a vertical band.
    """
    distances = [_positive_int(d, "distances[...]") for d in distances]
    if not distances or sorted(set(distances)) != distances:
        raise ValueError(f"distances must be increasing positive ints, got {distances!r}")
    results = _check_results(accuracy, distances)
    K = _integer(num_symbols, "num_symbols", minimum=2)
    chance = 1.0 / K
    fig, ax = new_figure(figsize=figsize)
    d = np.asarray(distances, dtype=float)
    for name, array in results.items():
        color, marker = _STYLES.get(name, (None, "o"))
        (line,) = ax.plot(d, array.mean(axis=1), marker=marker, color=color, linewidth=1.8, markersize=6,
                          label=_label(name))
        seeds = array.shape[1]
        if seeds > 1:
            ax.scatter(np.repeat(d, seeds), array.ravel(), s=14, color=line.get_color(), alpha=0.45,
                       edgecolors="none")
    ax.axhline(chance, color="black", linestyle="--", linewidth=1)
    ax.text(d[0], chance + 0.015, f"chance = 1/{K}", fontsize=9, va="bottom")
    if highlight is not None:
        if highlight not in distances:
            raise ValueError(f"highlight must be one of the distances {distances}, got {highlight!r}")
        ax.axvspan(highlight / 1.15, highlight * 1.15, color="#f2f2f2", zorder=0)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(d))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([str(v) for v in distances])
    ax.set_xlabel("distance L (distractors between the symbol and the answer)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.04)
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    return fig


def draw_memory_losses(curves: Mapping[str, Sequence[float]], *, distance: int, every: int, num_symbols: int,
                       figsize: tuple[float, float] = (6.4, 3.4)) -> Figure:
    """Training loss against step at one distance, one line per network.

    ``curves[name][k]`` is the mean loss of steps ``k*every .. (k+1)*every - 1``; ln(``num_symbols``),
    the loss of a network that has learned nothing, is drawn dashed.
    """
    L = _positive_int(distance, "distance")
    every = _positive_int(every, "every")
    K = _integer(num_symbols, "num_symbols", minimum=2)
    chance_loss = math.log(K)
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(f"curves must be a non-empty dict of config name -> losses, got {curves!r}")
    fig, ax = new_figure(figsize=figsize)
    for name, values in curves.items():
        array = np.asarray(values, dtype=float)
        if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
            raise ValueError(f"curves[{name!r}] must be a non-empty 1-D sequence of finite losses")
        color, _ = _STYLES.get(name, (None, "o"))
        steps = (np.arange(array.size) + 0.5) * every
        ax.plot(steps, array, color=color, linewidth=1.8, label=_label(name))
    ax.axhline(chance_loss, color="black", linestyle="--", linewidth=1)
    ax.text(0, chance_loss * 1.04, f"nothing learned: ln {K}", fontsize=9, va="bottom")
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 5)
    ax.set_xlabel("training step")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_title(f"L = {L}: {L} distractors between the symbol and the answer", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8.5)
    return fig
