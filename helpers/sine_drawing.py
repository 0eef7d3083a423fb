"""Chapter 6, the sine case study: the drawings. Loss curves, the note's test plot, error
against forecast horizon, one forecast window, and held-out error against training time."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from .checks import instance, integer, one_of, positive_int, real, vector
from .sine_data import DELTA
from .style import COLORS, new_figure

__all__ = ["draw_loss_curve", "draw_note_test", "draw_horizon_errors", "draw_forecast", "draw_time_to_quality"]

_PALETTE = (COLORS["grad"], COLORS["output"], COLORS["weight"], COLORS["hidden"], COLORS["input"])


def _values(values, name: str) -> np.ndarray:
    """``values`` (a list, array or tensor of any shape) as a flat float64 array of finite numbers."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().reshape(-1)
    elif isinstance(values, np.ndarray):
        values = values.reshape(-1)
    return vector(values, name)


def _mapping(value, name: str, what: str) -> Mapping:
    """``value`` if it is a non-empty dict (TypeError for another type, ValueError when empty)."""
    instance(value, name, Mapping)
    if not value:
        raise ValueError(f"{name} must be a non-empty dict of {what}, got an empty one")
    return value


def _named_series(series, name: str) -> dict[str, np.ndarray]:
    _mapping(series, name, "name -> values")
    return {instance(key, f"{name} keys", str): _values(v, f"{name}[{key!r}]") for key, v in series.items()}


def draw_loss_curve(losses: Sequence[float], title: str = "training loss", window: int = 100,
                    stages: Mapping[str, int] | None = None, statistic: str = "mean") -> Figure:
    """Loss per iteration (faint) with its running mean (or median) over ``window`` iterations, log scale.

    ``stages`` maps a stage's name to the index of its first loss; each gets a dashed line, and
    the running statistic restarts there (it never mixes two stages' losses). ``statistic="median"``
    ignores rare spikes, such as the trial steps of a line search, that would dominate a mean.
    """
    values = _values(losses, "losses")
    window = positive_int(window, "window")
    instance(title, "title", str)
    instance(stages, "stages", Mapping, allow_none=True)
    statistic = one_of(statistic, "statistic", ("mean", "median"))
    starts = {name: integer(start, f"stages[{name!r}]", minimum=0, maximum=values.size)
              for name, start in (stages or {}).items()}
    fig, ax = new_figure(figsize=(7, 3.2))
    steps = np.arange(1, values.size + 1)
    ax.semilogy(steps, values, color=COLORS["muted"], alpha=0.35, linewidth=0.6, label="loss")
    bounds = sorted({0, values.size, *starts.values()})
    labelled = False
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if hi - lo >= window:
            if statistic == "mean":
                running = np.convolve(values[lo:hi], np.ones(window) / window, mode="valid")
            else:
                running = np.median(np.lib.stride_tricks.sliding_window_view(values[lo:hi], window), axis=1)
            ax.semilogy(steps[lo + window - 1:hi], running, color=COLORS["grad"], linewidth=1.6,
                        label=None if labelled else f"running {statistic} of {window}")
            labelled = True
    for name, start in starts.items():
        ax.axvline(start + 0.5, color=COLORS["weight"], linestyle="--", linewidth=1)
        ax.text(start + 0.5, ax.get_ylim()[1], f" {name} ", color=COLORS["weight"], va="top", fontsize=9)
    ax.set_xlabel("iteration (L-BFGS: loss evaluation)" if stages else "iteration")
    ax.set_ylabel("MSE (log scale)")
    ax.set_title(title)
    ax.legend(loc="lower left")
    return fig


def draw_note_test(time_steps, truth, predictions, title: str = "the note's test") -> Figure:
    """The note's test plot: true points in blue, the free-running predictions in red."""
    t, y, p = _values(time_steps, "time_steps"), _values(truth, "truth"), _values(predictions, "predictions")
    if not t.size == y.size == p.size:
        raise ValueError(f"time_steps, truth and predictions must have one value per step, got sizes "
                         f"{t.size}, {y.size}, {p.size}")
    fig, ax = new_figure(figsize=(7, 3.2))
    ax.scatter(t, y, s=16, color=COLORS["input"], label="true y")
    ax.scatter(t, p, s=16, color=COLORS["grad"], label="predictions")
    ax.set_xlabel("t")
    ax.set_ylim(-1.6, 1.6)
    ax.set_title(instance(title, "title", str))
    ax.legend(loc="lower left", ncols=2)
    return fig


def draw_horizon_errors(errors: Mapping[str, Sequence[float]], title: str = "free-running error") -> Figure:
    """Mean squared error against forecast horizon, one line per recipe, log scale."""
    series = _named_series(errors, "errors")
    fig, ax = new_figure(figsize=(7, 3.4))
    for i, (name, e) in enumerate(series.items()):
        marker = "o" if e.size <= 60 else None
        ax.semilogy(np.arange(1, e.size + 1), e, marker=marker, markersize=3, color=_PALETTE[i % len(_PALETTE)],
                    label=name)
    ax.set_xlabel("forecast horizon (steps after the warm-up)")
    ax.set_ylabel("MSE (log scale)")
    ax.set_title(instance(title, "title", str))
    ax.legend(loc="best")
    return fig


def draw_forecast(phase: float, warmup: int, predictions: Mapping[str, Sequence[float]],
                  delta: float = DELTA, title: str = "", figsize: tuple[float, float] = (7.5, 3.4)) -> Figure:
    """A window starting at ``phase``: warm-up points, the true curve, and each model's forecast."""
    phase = real(phase, "phase")
    warmup = positive_int(warmup, "warmup")
    delta = real(delta, "delta", positive=True)
    instance(title, "title", str)
    forecasts = _named_series(predictions, "predictions")
    steps = max(p.size for p in forecasts.values())
    t = phase + delta * np.arange(warmup + steps)
    fig, ax = new_figure(figsize=figsize)
    fig.set_layout_engine(None)  # fixed margins (faster, and frames line up): explorers draw it many times
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9)
    fine = np.linspace(t[0], t[-1], 20 * t.size)
    ax.plot(fine, np.sin(fine), color="0.85", linewidth=4, label="sin(t)")
    ax.scatter(t[:warmup], np.sin(t[:warmup]), s=22, color=COLORS["input"], zorder=3, label=f"warm-up ({warmup} true)")
    ax.axvline(t[warmup - 1] + delta / 2, color=COLORS["muted"], linestyle=":", linewidth=1)
    for i, (name, p) in enumerate(forecasts.items()):
        ax.plot(t[warmup:warmup + p.size], p, marker="o" if p.size <= 60 else None, markersize=2.5, linewidth=1.2,
                color=_PALETTE[i % len(_PALETTE)], label=name)
    ax.set_ylim(-2.3, 1.8)
    ax.set_xlabel("t")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left", ncols=2 + len(forecasts), fontsize=8)
    return fig


def draw_time_to_quality(records: Mapping[str, Sequence[tuple[int, float, float]]], levels: Mapping[str, float],
                         title: str = "held-out error against training time") -> Figure:
    """Held-out error at each checkpoint against training seconds, one line per recipe, log-log.

    ``records`` maps a recipe to ``QualityClock.record`` (``(done, seconds, error)`` rows);
    ``levels`` maps a label to an error level, drawn as a dotted horizontal line.
    """
    _mapping(records, "records", "name -> QualityClock.record")
    fig, ax = new_figure(figsize=(7, 3.4))
    for i, (name, rows) in enumerate(records.items()):
        instance(rows, f"records[{name!r}]", list)
        if not rows or not all(isinstance(r, tuple) and len(r) == 3 for r in rows):
            raise ValueError(f"records[{name!r}] must be a non-empty list of (done, seconds, error) tuples")
        seconds = _values([r[1] for r in rows], f"records[{name!r}] seconds")
        errors = _values([r[2] for r in rows], f"records[{name!r}] errors")
        keep = seconds > 0
        ax.loglog(seconds[keep], errors[keep], color=_PALETTE[i % len(_PALETTE)], linewidth=1.5, label=name)
    instance(levels, "levels", Mapping)
    for label, level in levels.items():
        level = real(level, f"levels[{label!r}]", positive=True)
        ax.axhline(level, color=COLORS["muted"], linestyle=":", linewidth=1)
        ax.text(ax.get_xlim()[0], level, f" {label}", color=COLORS["muted"], va="bottom", fontsize=9)
    ax.set_xlabel("training time (s, log scale; measuring excluded)")
    ax.set_ylabel("held-out free-running MSE")
    ax.set_title(instance(title, "title", str))
    ax.legend(loc="lower left")
    return fig
