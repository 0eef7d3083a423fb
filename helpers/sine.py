"""Chapter 6, the sine case study: the note's network and loop, the better recipe, the
free-running forecast, the held-out measurement, the exact two-unit recurrence, drawings.

Every piece here is first written out in full in ``book/06_sine_case_study.ipynb`` and
checked equal to this copy there; the benchmark ``tests/bench_sine.py`` uses this copy.
"""
from __future__ import annotations

import html
import math
import numbers
import time
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn, optim

from .seed import set_seed
from .sequences import sine_window
from .style import COLORS, new_figure

__all__ = [
    "DELTA", "NoteNet", "SineRNN", "ExactSineRNN", "ProgressBar",
    "sine_batch", "free_run", "heldout_phases", "free_run_errors", "teacher_forced_error",
    "train_note_recipe", "train_better_recipe",
    "draw_loss_curve", "draw_note_test", "draw_horizon_errors", "draw_forecast",
]

#: The note's time step: 50 points on an interval of length 10, so 10 / 49 apart.
DELTA = 10.0 / 49.0

Progress = Callable[[int, int], None]


# -- argument checks ------------------------------------------------------------
def _check_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}: {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _check_module(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _check_progress(progress) -> Progress | None:
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be None or a callable (done, total), got {type(progress).__name__}")
    return progress


def _check_phases(phases) -> torch.Tensor:
    if not isinstance(phases, torch.Tensor):
        raise TypeError(f"phases must be a 1-D torch.Tensor of start times, got {type(phases).__name__}")
    if phases.ndim != 1 or phases.numel() == 0:
        raise ValueError(f"phases must be a non-empty 1-D tensor, got shape {tuple(phases.shape)}")
    if not phases.is_floating_point():
        raise TypeError(f"phases must hold floats, got dtype {phases.dtype}")
    return phases


def _model_dtype(model: nn.Module) -> torch.dtype:
    parameter = next(model.parameters(), None)
    return parameter.dtype if parameter is not None else torch.float32


# -- the two networks ---------------------------------------------------------------
class NoteNet(nn.Module):
    """The note's ``Net``, as the note wrote it (comments corrected); correct for batch 1 only."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(
            input_size=1,       # feature_len = 1
            hidden_size=16,     # size of the hidden state
            num_layers=1,
            batch_first=True,   # x is [batch, seq_len, feature_len] = [1, 49, 1]
        )
        for p in self.rnn.parameters():
            nn.init.normal_(p, mean=0.0, std=0.001)
        self.linear = nn.Linear(16, 1)  # [49, 16] -> [49, 1]

    def forward(self, x, h):
        out, h = self.rnn(x, h)      # out: [1, 49, 16], h: [1, 1, 16]
        out = out.view(-1, 16)       # [49, 16]  (merges batch and time)
        out = self.linear(out)       # [49, 1]
        out = out.unsqueeze(dim=0)   # [1, 49, 1]
        return out, h


class SineRNN(nn.Module):
    """The better model: the same RNN and readout, with a forward that is right for any batch."""

    def __init__(self, hidden_size: int = 16):
        super().__init__()
        self.hidden_size = _check_int("hidden_size", hidden_size)
        self.rnn = nn.RNN(input_size=1, hidden_size=self.hidden_size, batch_first=True)
        self.linear = nn.Linear(self.hidden_size, 1)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None):
        out, h = self.rnn(x, h)      # (batch, seq_len, hidden_size), (1, batch, hidden_size)
        return self.linear(out), h   # (batch, seq_len, 1)


class ExactSineRNN(nn.Module):
    """The recurrence s(t+2Δ) = 2cos(Δ) s(t+Δ) - s(t) as a two-unit ``nn.RNN`` (float64).

    The state is ``[next + offset, current + offset]``. ``nn.RNN`` only offers tanh and relu;
    relu is the identity on positive numbers, and the offset (> 1, the sine's amplitude) keeps
    every pre-activation positive, so this relu RNN computes the linear recurrence exactly.
    """

    def __init__(self, delta: float = DELTA, offset: float = 2.0):
        super().__init__()
        self.delta = _check_positive("delta", delta)
        self.offset = _check_positive("offset", offset)
        if self.offset <= 1.0:
            raise ValueError(f"offset must be > 1 (the sine's amplitude) so relu never clips, got {offset!r}")
        c, two_cos = self.offset, 2.0 * math.cos(self.delta)
        self.rnn = nn.RNN(1, 2, nonlinearity="relu", batch_first=True, dtype=torch.float64)
        f64 = torch.float64
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.tensor([[two_cos], [1.0]], dtype=f64))
            self.rnn.weight_hh_l0.copy_(torch.tensor([[0.0, -1.0], [0.0, 0.0]], dtype=f64))
            self.rnn.bias_ih_l0.copy_(torch.tensor([2.0 * c, c], dtype=f64))
            self.rnn.bias_hh_l0.zero_()

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None):
        states, h = self.rnn(x, h)                   # (batch, seq_len, 2)
        return states[..., :1] - self.offset, h      # (batch, seq_len, 1)


# -- data, forecast and measurement ---------------------------------------------------
def sine_batch(phases: torch.Tensor, num_points: int = 50, delta: float = DELTA,
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``sin(phase + i * delta)`` for i < num_points, one row per phase: ``[batch, num_points, 1]``."""
    phases = _check_phases(phases)
    num_points = _check_int("num_points", num_points, minimum=2)
    delta = _check_positive("delta", delta)
    t = phases.to(torch.float64)[:, None] + delta * torch.arange(num_points, dtype=torch.float64)
    return torch.sin(t).to(dtype).unsqueeze(-1)


def free_run(model: nn.Module, warmup: torch.Tensor, steps: int,
             h0: torch.Tensor | None = None) -> torch.Tensor:
    """Read ``warmup`` [batch, W, 1] true points, then predict ``steps`` points, each fed back.

    Returns ``[batch, steps, 1]``: the predictions of the ``steps`` points after the warm-up.
    ``h0`` is the starting state (None: zeros). Gradients flow unless the caller disables them.
    """
    _check_module(model)
    if not isinstance(warmup, torch.Tensor):
        raise TypeError(f"warmup must be a torch.Tensor [batch, W, 1], got {type(warmup).__name__}")
    if not warmup.is_floating_point():
        raise TypeError(f"warmup must be a float tensor, got dtype {warmup.dtype}")
    if warmup.ndim != 3 or warmup.shape[2] != 1 or warmup.shape[0] < 1 or warmup.shape[1] < 1:
        raise ValueError(f"warmup must have shape [batch, W, 1] with batch, W >= 1, got {tuple(warmup.shape)}")
    steps = _check_int("steps", steps)
    if h0 is not None and not isinstance(h0, torch.Tensor):
        raise TypeError(f"h0 must be None or a torch.Tensor, got {type(h0).__name__}")

    def step(x, h):
        out, h = model(x, h)
        if not isinstance(out, torch.Tensor) or out.shape != x.shape:
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ValueError(f"model must map [batch, seq_len, 1] to the same shape, got {got} for input "
                             f"{tuple(x.shape)} (a forward that merges batch and time only works for batch 1)")
        return out, h

    out, h = step(warmup, h0)
    x = out[:, -1:]                    # (batch, 1, 1): the prediction of the first point after the warm-up
    predictions = [x]
    for _ in range(steps - 1):
        x, h = step(x, h)
        predictions.append(x)
    return torch.cat(predictions, dim=1)  # (batch, steps, 1)


def heldout_phases(n: int = 256, seed: int = 2024) -> torch.Tensor:
    """``n`` start phases drawn uniformly from [0, 2π) by their own generator (float64)."""
    n = _check_int("n", n)
    seed = _check_int("seed", seed, minimum=0)
    generator = torch.Generator().manual_seed(seed)
    return 2 * math.pi * torch.rand(n, generator=generator, dtype=torch.float64)


def _chunks(n: int, batch_size: int | None) -> list[slice]:
    size = n if batch_size is None else _check_int("batch_size", batch_size)
    return [slice(i, i + size) for i in range(0, n, size)]


def free_run_errors(model: nn.Module, phases: torch.Tensor, warmup: int = 10, steps: int = 39,
                    batch_size: int | None = None) -> torch.Tensor:
    """Mean squared free-running error at each horizon 1..steps, over windows starting at ``phases``.

    Each window gives ``warmup`` true points from a zero state, then ``steps`` predictions.
    ``batch_size=1`` runs one window at a time (what the note's batch-1 ``forward`` needs).
    """
    _check_module(model)
    phases = _check_phases(phases)
    warmup, steps = _check_int("warmup", warmup), _check_int("steps", steps)
    windows = sine_batch(phases, warmup + steps, dtype=_model_dtype(model))
    with torch.no_grad():
        predictions = torch.cat([free_run(model, windows[s, :warmup], steps)
                                 for s in _chunks(len(phases), batch_size)])
    return ((predictions - windows[:, warmup:]).to(torch.float64) ** 2).mean(dim=(0, 2))


def teacher_forced_error(model: nn.Module, phases: torch.Tensor, warmup: int = 10, steps: int = 39,
                         batch_size: int | None = None) -> float:
    """Mean squared one-step error on the same targets as ``free_run_errors``, every input true."""
    _check_module(model)
    phases = _check_phases(phases)
    warmup, steps = _check_int("warmup", warmup), _check_int("steps", steps)
    windows = sine_batch(phases, warmup + steps, dtype=_model_dtype(model))
    with torch.no_grad():
        out = torch.cat([model(windows[s, :-1], None)[0] for s in _chunks(len(phases), batch_size)])
    return float(((out[:, warmup - 1:] - windows[:, warmup:]).to(torch.float64) ** 2).mean())


# -- the two recipes ----------------------------------------------------------------
def train_note_recipe(iterations: int = 6000, lr: float = 0.01, seed: int = 0,
                      progress: Progress | None = None) -> tuple[NoteNet, list[float]]:
    """The note's loop: one window at k ∈ {0, 1, 2}, batch 1, Adam, h carried and detached."""
    iterations = _check_int("iterations", iterations)
    lr = _check_positive("lr", lr)
    progress = _check_progress(progress)
    set_seed(seed)
    model = NoteNet()
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr)
    h = torch.zeros(1, 1, 16)
    losses = []
    for i in range(iterations):
        k = np.random.randint(3, size=1)[0]
        _, x, y = sine_window(k)
        out, h = model(x, h)
        h = h.detach()
        loss = criterion(out, y)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if progress is not None:
            progress(i + 1, iterations)
    return model, losses


def train_better_recipe(iterations: int = 200, batch_size: int = 64, lr: float = 0.01, clip: float = 1.0,
                        warmup: int = 10, num_points: int = 50, polish_steps: int = 150,
                        polish_phases: int = 64, hidden_size: int = 16, seed: int = 0,
                        progress: Progress | None = None) -> tuple[SineRNN, list[float]]:
    """Adam on mini-batches of random phases (fresh zero state, warm-up, clipping), then L-BFGS.

    The loss counts only predictions made after ``warmup`` true points. The polish runs
    L-BFGS for at most ``polish_steps`` iterations on ``polish_phases`` evenly spaced windows
    (0 skips it). Returns the model and every loss computed (Adam iterations, then L-BFGS calls).
    """
    iterations = _check_int("iterations", iterations)
    batch_size = _check_int("batch_size", batch_size)
    lr, clip = _check_positive("lr", lr), _check_positive("clip", clip)
    num_points = _check_int("num_points", num_points, minimum=3)
    warmup = _check_int("warmup", warmup)
    if warmup >= num_points - 1:
        raise ValueError(f"warmup must be < num_points - 1 = {num_points - 1}, got {warmup}")
    polish_steps = _check_int("polish_steps", polish_steps, minimum=0)
    polish_phases = _check_int("polish_phases", polish_phases)
    progress = _check_progress(progress)
    total = iterations + polish_steps

    set_seed(seed)
    model = SineRNN(hidden_size)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses: list[float] = []
    for i in range(iterations):
        phases = 2 * math.pi * torch.rand(batch_size, dtype=torch.float64)
        windows = sine_batch(phases, num_points)      # (batch, num_points, 1)
        x, y = windows[:, :-1], windows[:, 1:]
        out, _ = model(x)                              # a fresh zero state for every window
        loss = nn.functional.mse_loss(out[:, warmup - 1:], y[:, warmup - 1:])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
        if progress is not None:
            progress(i + 1, total)

    if polish_steps:
        phases = (torch.arange(polish_phases, dtype=torch.float64) + 0.5) * (2 * math.pi / polish_phases)
        windows = sine_batch(phases, num_points)
        x, y = windows[:, :-1], windows[:, 1:]
        lbfgs = optim.LBFGS(model.parameters(), lr=1.0, max_iter=polish_steps, history_size=20,
                            line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-14)

        def closure():
            lbfgs.zero_grad()
            out, _ = model(x)
            loss = nn.functional.mse_loss(out[:, warmup - 1:], y[:, warmup - 1:])
            loss.backward()
            losses.append(loss.item())
            if progress is not None:
                progress(min(len(losses), total), total)
            return loss

        lbfgs.step(closure)
    if progress is not None:
        progress(total, total)
    return model, losses


# -- a progress bar without third-party packages --------------------------------------
class ProgressBar:
    """An HTML progress bar for notebooks; call it as ``progress(done, total)``.

    ``show()`` displays it and later calls update it in place (throttled to 1% steps);
    outside IPython it just records the count.
    """

    def __init__(self, total: int, label: str = "training"):
        self.total = _check_int("total", total)
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.label, self.done = label, 0
        self._start = time.perf_counter()
        self._handle = None
        self._shown_percent = -1

    @property
    def seconds(self) -> float:
        """Wall time since the bar was created."""
        return time.perf_counter() - self._start

    def show(self) -> "ProgressBar":
        """Display the bar in the notebook (or do nothing outside IPython)."""
        try:
            from IPython.display import display
        except ImportError:  # pragma: no cover - IPython is installed with the course
            return self
        self._start = time.perf_counter()
        self._handle = display(self, display_id=True)
        return self

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = min(_check_int("done", done, minimum=0), self.total)
        percent = 100 * self.done // self.total
        if self._handle is not None and (percent != self._shown_percent or self.done == self.total):
            self._shown_percent = percent
            self._handle.update(self)

    def _repr_html_(self) -> str:
        return (f'<div class="rnn-progress"><progress max="{self.total}" value="{self.done}" '
                f'style="width:16em;vertical-align:middle"></progress> '
                f"<code>{html.escape(self.label)}: {self.done}/{self.total}, {self.seconds:.1f} s</code></div>")

    def __repr__(self) -> str:
        return f"{self.label}: {self.done}/{self.total}, {self.seconds:.1f} s"


# -- drawings ---------------------------------------------------------------------
def _as_array(name: str, values) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}") from None
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one number, got an empty sequence")
    return array


def draw_loss_curve(losses: Sequence[float], title: str = "training loss", window: int = 100,
                    stage_break: int | None = None) -> Figure:
    """Loss per iteration (faint) with its running mean over ``window`` iterations, log scale."""
    values = _as_array("losses", losses)
    window = _check_int("window", window)
    fig, ax = new_figure(figsize=(7, 3.2))
    steps = np.arange(1, values.size + 1)
    ax.semilogy(steps, values, color=COLORS["muted"], alpha=0.35, linewidth=0.6, label="loss")
    if values.size >= window:
        mean = np.convolve(values, np.ones(window) / window, mode="valid")
        ax.semilogy(steps[window - 1:], mean, color=COLORS["grad"], linewidth=1.6,
                    label=f"running mean of {window}")
    if stage_break is not None:
        ax.axvline(stage_break + 0.5, color=COLORS["weight"], linestyle="--", linewidth=1)
        ax.text(stage_break + 0.5, ax.get_ylim()[1], " L-BFGS ", color=COLORS["weight"], va="top", fontsize=9)
    ax.set_xlabel("iteration")
    ax.set_ylabel("MSE (log scale)")
    ax.set_title(title)
    ax.legend(loc="upper right")
    return fig


def draw_note_test(time_steps, truth, predictions, title: str = "the note's test") -> Figure:
    """The note's test plot: true points in blue, the free-running predictions in red."""
    t, y, p = _as_array("time_steps", time_steps), _as_array("truth", truth), _as_array("predictions", predictions)
    if not t.size == y.size == p.size:
        raise ValueError(f"time_steps, truth and predictions must have one value per step, got sizes "
                         f"{t.size}, {y.size}, {p.size}")
    fig, ax = new_figure(figsize=(7, 3.2))
    ax.scatter(t, y, s=16, color=COLORS["input"], label="true y")
    ax.scatter(t, p, s=16, color=COLORS["grad"], label="predictions")
    ax.set_xlabel("t")
    ax.set_ylim(-1.6, 1.6)
    ax.set_title(title)
    ax.legend(loc="lower left", ncols=2)
    return fig


def draw_horizon_errors(errors: Mapping[str, Sequence[float]], title: str = "free-running error") -> Figure:
    """Mean squared error against forecast horizon, one line per recipe, log scale."""
    if not isinstance(errors, Mapping) or not errors:
        raise TypeError(f"errors must be a non-empty dict of name -> errors per horizon, got {errors!r}")
    fig, ax = new_figure(figsize=(7, 3.4))
    palette = [COLORS["grad"], COLORS["output"], COLORS["weight"], COLORS["hidden"], COLORS["input"]]
    for i, (name, values) in enumerate(errors.items()):
        e = _as_array(f"errors[{name!r}]", values)
        ax.semilogy(np.arange(1, e.size + 1), e, marker="o", markersize=3, color=palette[i % len(palette)], label=name)
    ax.set_xlabel("forecast horizon (steps after the warm-up)")
    ax.set_ylabel("MSE (log scale)")
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def draw_forecast(phase: float, warmup: int, predictions: Mapping[str, Sequence[float]],
                  delta: float = DELTA, title: str = "") -> Figure:
    """A window starting at ``phase``: warm-up points, the true curve, and each model's forecast."""
    if isinstance(phase, bool) or not isinstance(phase, numbers.Real):
        raise TypeError(f"phase must be a number, got {type(phase).__name__}")
    warmup = _check_int("warmup", warmup)
    delta = _check_positive("delta", delta)
    if not isinstance(predictions, Mapping) or not predictions:
        raise TypeError(f"predictions must be a non-empty dict of name -> forecast, got {predictions!r}")
    forecasts = {name: _as_array(f"predictions[{name!r}]", p) for name, p in predictions.items()}
    steps = max(p.size for p in forecasts.values())
    t = float(phase) + delta * np.arange(warmup + steps)
    fig, ax = new_figure(figsize=(7.5, 3.4))
    fig.set_layout_engine(None)  # fixed margins (faster): explorers draw this figure many times
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9)
    fine = np.linspace(t[0], t[-1], 20 * t.size)
    ax.plot(fine, np.sin(fine), color="0.85", linewidth=4, label="sin(t)")
    ax.scatter(t[:warmup], np.sin(t[:warmup]), s=22, color=COLORS["input"], zorder=3, label=f"warm-up ({warmup} true)")
    ax.axvline(t[warmup - 1] + delta / 2, color=COLORS["muted"], linestyle=":", linewidth=1)
    palette = [COLORS["grad"], COLORS["output"], COLORS["weight"], COLORS["hidden"]]
    for i, (name, p) in enumerate(forecasts.items()):
        ax.plot(t[warmup:warmup + p.size], p, marker="o", markersize=2.5, linewidth=1.2,
                color=palette[i % len(palette)], label=name)
    ax.set_ylim(-2.3, 1.8)
    ax.set_xlabel("t")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left", ncols=2 + len(forecasts), fontsize=8)
    return fig
