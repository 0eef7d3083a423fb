"""Chapter 6, the sine case study: the two training recipes, the L-BFGS polish, a progress
bar, and a clock for time-to-quality.

``train_note_recipe`` is the note's loop; ``train_better_recipe`` is chapter 6's better recipe
(Adam on random phases from a fresh state, then an L-BFGS polish on teacher-forced windows and
on free-running forecasts); ``polish`` is that polish alone, for any trained ``NoteNet`` or
``SineRNN``. Each is written out in ``book/06_sine_case_study.ipynb`` or
``book/06b_better_recipe.ipynb`` and checked equal there; ``tests/bench_sine.py`` uses them.
"""
from __future__ import annotations

import html
import math
import time
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn, optim

from .checks import boolean, function, instance, integer, one_of, positive_int, real, tensor
from .seed import set_seed
from .sequences import sine_window
from .sine_data import check_phases, even_phases, positive_ints, sine_batch
from .sine_measures import free_run_errors
from .sine_models import SINE_CELLS, NoteNet, SineRNN, recurrent_and_readout

__all__ = ["ProgressBar", "QualityClock", "train_note_recipe", "train_better_recipe", "polish",
           "free_running_loss"]

Progress = Callable[[int, int], None]
Checkpoint = Callable[[int, nn.Module, bool], None]

#: The better recipe's free-running warm-ups: every length from 2 to 8, and 10.
FREE_RUN_WARMUPS = (2, 3, 4, 5, 6, 7, 8, 10)


# -- a progress bar without third-party packages --------------------------------------
class ProgressBar:
    """An HTML progress bar for notebooks; call it as ``bar(done)`` or ``bar(done, total)``.

    A ``total`` given in a call replaces the bar's own (the training functions know theirs).
    ``show()`` displays the bar and later calls update it in place (throttled to 1% steps);
    outside IPython it just records the count.
    """

    def __init__(self, total: int, label: str = "training"):
        self.total = positive_int(total, "total")
        self.label = instance(label, "label", str)
        self.done = 0
        self._start = time.perf_counter()
        self._handle = None
        self._shown_percent = -1

    @property
    def seconds(self) -> float:
        """Wall time since the bar was shown (or created)."""
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
        if total is not None:
            self.total = positive_int(total, "total")
        self.done = integer(done, "done", minimum=0, maximum=self.total)
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


# -- time-to-quality ---------------------------------------------------------------------
class QualityClock:
    """Training time, with the time spent measuring left out, and the held-out error along the way.

    Pass it as ``checkpoint`` to a training function: it is called as ``clock(done, model, last)``
    after every unit of work (an Adam step, an L-BFGS loss evaluation); every ``every`` units, and
    at the last, it stops its clock, measures the held-out free-running MSE of a float32 copy of
    the model (``warmup`` true points, then ``steps`` fed back, on ``phases``), and restarts it.
    ``reached(level)`` is then the first checkpoint whose error is at or below ``level``.
    ``paused(bar)`` wraps a progress callback so that its time is left out too.
    """

    def __init__(self, phases: torch.Tensor, every: int, warmup: int = 10, steps: int = 39):
        self.phases = phases
        self.every = positive_int(every, "every")
        self.warmup, self.steps = positive_int(warmup, "warmup"), positive_int(steps, "steps")
        check_phases(phases)
        self.seconds = 0.0
        self.record: list[tuple[int, float, float]] = []   # (done, training seconds, error)
        self._since: float | None = None

    def __call__(self, done: int, model: nn.Module, last: bool = False) -> None:
        now = time.perf_counter()
        if self._since is not None:
            self.seconds += now - self._since
        if done % self.every == 0 or last:
            error = free_run_errors(SineRNN.copy_of(model), self.phases, self.warmup, self.steps).mean().item()
            self.record.append((integer(done, "done", minimum=0), self.seconds, error))
        self._since = None if last else time.perf_counter()

    def paused(self, progress: Progress) -> Progress:
        """``progress`` (e.g. a ``ProgressBar``) wrapped so that the clock stops while it runs.

        Pass the result as ``progress`` to the same training call: the bar updates, and the
        seconds it takes are not counted as training time.
        """
        progress = function(progress, "progress")

        def call(done: int, total: int) -> None:
            running = self._since is not None
            if running:
                self.seconds += time.perf_counter() - self._since
            try:
                progress(done, total)
            finally:
                if running:
                    self._since = time.perf_counter()
        return call

    def reached(self, level: float) -> tuple[int, float] | None:
        """``(done, training seconds)`` of the first checkpoint with error <= ``level`` (None: never)."""
        level = real(level, "level", positive=True)
        return next(((done, seconds) for done, seconds, error in self.record if error <= level), None)


# -- the note's recipe ---------------------------------------------------------------------
def train_note_recipe(iterations: int = 6000, lr: float = 0.01, seed: int = 0, progress: Progress | None = None,
                      checkpoint: Checkpoint | None = None) -> tuple[NoteNet, list[float]]:
    """The note's loop: one window at k ∈ {0, 1, 2}, batch 1, Adam, h carried and detached.

    Returns the trained network and every loss. ``progress(done, total)`` is called after each
    iteration, ``checkpoint(done, model, last)`` before the first and after each one.
    """
    iterations = positive_int(iterations, "iterations")
    lr = real(lr, "lr", positive=True)
    progress = function(progress, "progress", allow_none=True)
    checkpoint = function(checkpoint, "checkpoint", allow_none=True)
    set_seed(seed)
    model = NoteNet()
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr)
    h = torch.zeros(1, 1, 16)
    losses = []
    if checkpoint is not None:
        checkpoint(0, model, False)
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
        if checkpoint is not None:
            checkpoint(i + 1, model, i + 1 == iterations)
    return model, losses


# -- the better recipe ---------------------------------------------------------------------
def free_running_loss(model: nn.Module, windows: torch.Tensor, warmups: Sequence[int], steps: int) -> torch.Tensor:
    """MSE of ``steps`` free-running predictions after each warm-up length, on ``windows`` [batch, T, 1].

    The warm-up runs through ``model.rnn``; for a plain RNN the feedback loop then runs the
    free-running map ``h_t = tanh(h_{t-1} M + b)`` directly (``M = W_hh + W_hy W_xh``): the same
    numbers as ``free_run``, with one small matrix product per step. A GRU or LSTM (chapter 8) is
    stepped with its own predictions as inputs, as ``free_run`` does. Differentiable.
    """
    rnn, linear = recurrent_and_readout(model)
    steps = positive_int(steps, "steps")
    warmups = positive_ints(warmups, "warmups")
    tensor(windows, "windows", ndim=3, floating=True)
    if windows.shape[1] < max(warmups) + steps:
        raise ValueError(f"windows must be [batch, T, 1] with T >= max(warmups) + steps = {max(warmups) + steps}, "
                         f"got {tuple(windows.shape)}")
    states, targets = [], []
    for w in warmups:
        _, state = rnn(windows[:, :w])                          # (1, batch, hidden_size), or a pair (LSTM)
        states.append(state)
        targets.append(windows[:, w:w + steps])
    if isinstance(rnn, nn.LSTM):
        state = tuple(torch.cat(parts, dim=1) for parts in zip(*states))
    else:
        state = torch.cat(states, dim=1)                        # (1, len(warmups) * batch, hidden_size)
    if not isinstance(rnn, nn.RNN):                             # GRU, LSTM: fed its own predictions
        x = linear((state[0] if isinstance(state, tuple) else state)[0])[:, None]   # (len(warmups) * batch, 1, 1)
        predictions = [x]
        for _ in range(steps - 1):
            out, state = rnn(x, state)
            x = linear(out)
            predictions.append(x)
        return nn.functional.mse_loss(torch.cat(predictions, dim=1), torch.cat(targets))
    h = state[0]                                                # (len(warmups) * batch, hidden_size)
    W_xh, W_hh = rnn.weight_ih_l0.T, rnn.weight_hh_l0.T
    W_hy, b_y = linear.weight.T, linear.bias
    M = W_hh + W_hy @ W_xh                                      # (hidden_size, hidden_size)
    b = rnn.bias_ih_l0 + rnn.bias_hh_l0 + b_y * W_xh[0]
    hs = [h]
    for _ in range(steps - 1):
        h = torch.tanh(h @ M + b)
        hs.append(h)
    predictions = linear(torch.stack(hs, dim=1))                # (len(warmups) * batch, steps, 1)
    return nn.functional.mse_loss(predictions, torch.cat(targets))


def _lbfgs(model: nn.Module, loss_fn: Callable[[], torch.Tensor], iterations: int, losses: list[float],
           report: Callable[[int], None]) -> int:
    """Run L-BFGS for at most ``iterations`` iterations; return the number of iterations it ran.

    L-BFGS evaluates the loss once before its first iteration and once or more in each (the line
    search). It stops before ``iterations`` when it has converged (``tolerance_grad``,
    ``tolerance_change``) or has used PyTorch's default budget of ``iterations * 5 // 4`` loss
    evaluations.
    """
    lbfgs = optim.LBFGS(model.parameters(), lr=1.0, max_iter=iterations, history_size=20,
                        line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():
        lbfgs.zero_grad()
        loss = loss_fn()
        loss.backward()
        losses.append(loss.item())
        state = next(iter(lbfgs.state.values()), {})
        report(max(state.get("n_iter", 0) - 1, 0))    # iterations finished so far
        return loss

    lbfgs.step(closure)
    return next(iter(lbfgs.state.values()), {}).get("n_iter", 0)


def _start_phases(kind: str, n: int, offset: float) -> torch.Tensor:
    return torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64) if kind == "note" else even_phases(n, offset)


def polish(model: nn.Module, teacher_forced_steps: int = 300, free_running_steps: int = 120, min_warmup: int = 2,
           num_points: int = 25, horizon: int = 100, warmups: Sequence[int] = FREE_RUN_WARMUPS,
           start_phases: str = "any", dtype: torch.dtype = torch.float64, progress: Progress | None = None,
           checkpoint: Checkpoint | None = None) -> tuple[SineRNN, list[float]]:
    """The better recipe's L-BFGS polish, on a copy of ``model`` (a ``NoteNet`` or ``SineRNN``).

    Stage 1: at most ``teacher_forced_steps`` L-BFGS iterations on 64 windows of ``num_points``
    evenly spaced in phase, teacher-forced, the loss counting every prediction made after at
    least ``min_warmup`` true points. Stage 2: at most ``free_running_steps`` iterations of
    ``free_running_loss`` on 32 windows, after each warm-up length in ``warmups``, over
    ``horizon`` steps. ``start_phases="note"`` uses the note's three windows (k = 0, 1, 2) instead.
    Computed in ``dtype`` (L-BFGS compares losses that differ in their 7th digit, and stalls in
    float32); returns a float32 ``SineRNN`` and every loss evaluated.
    """
    model = SineRNN.copy_of(model)
    teacher_forced_steps = integer(teacher_forced_steps, "teacher_forced_steps", minimum=0)
    free_running_steps = integer(free_running_steps, "free_running_steps", minimum=0)
    num_points = integer(num_points, "num_points", minimum=3)
    min_warmup = integer(min_warmup, "min_warmup", minimum=1, maximum=num_points - 2)
    horizon = positive_int(horizon, "horizon")
    warmups = positive_ints(warmups, "warmups")
    start_phases = one_of(start_phases, "start_phases", ("any", "note"))
    dtype = one_of(dtype, "dtype", (torch.float32, torch.float64))
    progress = function(progress, "progress", allow_none=True)
    checkpoint = function(checkpoint, "checkpoint", allow_none=True)
    if teacher_forced_steps + free_running_steps == 0:
        raise ValueError("polish needs at least one L-BFGS step: teacher_forced_steps + free_running_steps >= 1")
    losses: list[float] = []
    polished = _polish(model, teacher_forced_steps, free_running_steps, min_warmup, num_points, horizon, warmups,
                       start_phases, dtype, losses, progress, checkpoint, 0, None, None, None)
    if checkpoint is not None:
        checkpoint(len(losses), polished, True)
    if progress is not None:
        progress(teacher_forced_steps + free_running_steps, teacher_forced_steps + free_running_steps)
    return polished, losses


def _polish(model: SineRNN, teacher_forced_steps, free_running_steps, min_warmup, num_points, horizon, warmups,
            start_phases, dtype, losses: list[float], progress, checkpoint, done: int, total: int | None,
            stages: dict | None, starts: dict | None, iterations: dict | None = None) -> SineRNN:
    """``polish`` on ``model`` itself (changed in place, then returned as float32), reporting from ``done``.

    The arguments come checked from its two callers, ``polish`` and ``train_better_recipe``.
    ``stages``, ``starts`` and ``iterations`` (when given) receive a copy after the teacher-forced
    stage, the index in ``losses`` where each stage starts, and the L-BFGS iterations each ran.
    """
    total = done + teacher_forced_steps + free_running_steps if total is None else total
    model.to(dtype)

    def report(offset: int) -> Callable[[int], None]:
        def call(finished: int) -> None:
            if progress is not None:
                progress(min(offset + finished, total - 1), total)
            if checkpoint is not None:
                checkpoint(len(losses), model, False)
        return call

    if starts is not None:
        starts["L-BFGS, teacher-forced"] = len(losses)
    if teacher_forced_steps:
        windows = sine_batch(_start_phases(start_phases, 64, 0.5), num_points, dtype=dtype)
        x, y = windows[:, :-1], windows[:, 1:]                  # (64, num_points - 1, 1) each

        def teacher_forced() -> torch.Tensor:
            out, _ = model(x)
            return nn.functional.mse_loss(out[:, min_warmup - 1:], y[:, min_warmup - 1:])

        ran = _lbfgs(model, teacher_forced, teacher_forced_steps, losses, report(done))
        if iterations is not None:
            iterations["L-BFGS, teacher-forced"] = ran
    if stages is not None:
        stages["after the teacher-forced polish"] = SineRNN.copy_of(model)
    if starts is not None:
        starts["L-BFGS, free-running"] = len(losses)
    if free_running_steps:
        windows = sine_batch(_start_phases(start_phases, 32, 0.25), max(warmups) + horizon, dtype=dtype)
        ran = _lbfgs(model, lambda: free_running_loss(model, windows, warmups, horizon), free_running_steps,
                     losses, report(done + teacher_forced_steps))
        if iterations is not None:
            iterations["L-BFGS, free-running"] = ran
    return model.float()


def train_better_recipe(adam_steps: int = 200, batch_size: int = 64, lr: float = 0.01, clip: float = 1.0,
                        num_points: int = 25, min_warmup: int = 2, start_phases: str = "any", carry_state: bool = False,
                        teacher_forced_steps: int = 300, free_running_steps: int = 120, horizon: int = 100,
                        warmups: Sequence[int] = FREE_RUN_WARMUPS, dtype: torch.dtype = torch.float64,
                        hidden_size: int = 16, seed: int = 0, progress: Progress | None = None,
                        checkpoint: Checkpoint | None = None, cell: str = "rnn") -> tuple[SineRNN, dict]:
    """Chapter 6's better recipe: Adam on random phases from a fresh state, then ``polish``.

    Adam: ``adam_steps`` mini-batches of ``batch_size`` windows of ``num_points``, start phases
    uniform on [0, 2π) (``start_phases="note"``: k ∈ {0, 1, 2}), a zero state for every window
    (``carry_state=True``: the last batch's state, detached), the loss counting every prediction
    made after at least ``min_warmup`` true points, gradients clipped to norm ``clip``. Then the
    two L-BFGS stages of ``polish`` (0 steps skips a stage). Everything runs in ``dtype``; the
    network returned is float32. Returns ``(model, log)``: ``log["losses"]`` every loss computed
    (one per Adam step, then one per L-BFGS loss evaluation), ``log["starts"]`` the index in it
    where each stage starts, ``log["iterations"]`` the iterations each stage ran (Adam steps, then
    L-BFGS iterations: at most the number asked, fewer when L-BFGS converges or uses up its budget
    of 5/4 loss evaluations per iteration asked; a stage of 0 steps is left out), ``log["stages"]`` float32 copies after Adam and after the teacher-forced polish.
    ``cell="gru"`` or ``"lstm"`` trains a ``SineRNN`` with that layer instead
    of the plain RNN, the same way (chapter 8).
    """
    adam_steps = positive_int(adam_steps, "adam_steps")
    batch_size = positive_int(batch_size, "batch_size")
    lr, clip = real(lr, "lr", positive=True), real(clip, "clip", positive=True)
    num_points = integer(num_points, "num_points", minimum=3)
    min_warmup = integer(min_warmup, "min_warmup", minimum=1, maximum=num_points - 2)
    start_phases = one_of(start_phases, "start_phases", ("any", "note"))
    carry_state = boolean(carry_state, "carry_state")
    teacher_forced_steps = integer(teacher_forced_steps, "teacher_forced_steps", minimum=0)
    free_running_steps = integer(free_running_steps, "free_running_steps", minimum=0)
    horizon = positive_int(horizon, "horizon")
    warmups = positive_ints(warmups, "warmups")
    dtype = one_of(dtype, "dtype", (torch.float32, torch.float64))
    progress = function(progress, "progress", allow_none=True)
    checkpoint = function(checkpoint, "checkpoint", allow_none=True)
    cell = one_of(cell, "cell", SINE_CELLS)
    total = adam_steps + teacher_forced_steps + free_running_steps

    set_seed(seed)
    model = SineRNN(hidden_size, cell=cell).to(dtype)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses: list[float] = []
    h = None
    if checkpoint is not None:
        checkpoint(0, model, False)
    for i in range(adam_steps):
        if start_phases == "note":
            starts = torch.randint(0, 3, (batch_size,)).to(torch.float64)          # k ∈ {0, 1, 2}
        else:
            starts = 2 * math.pi * torch.rand(batch_size, dtype=torch.float64)     # any phase
        windows = sine_batch(starts, num_points, dtype=dtype)                       # (batch, num_points, 1)
        x, y = windows[:, :-1], windows[:, 1:]
        out, h_last = model(x, h if carry_state else None)
        if carry_state:
            h = tuple(part.detach() for part in h_last) if isinstance(h_last, tuple) else h_last.detach()
        loss = nn.functional.mse_loss(out[:, min_warmup - 1:], y[:, min_warmup - 1:])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
        if progress is not None:
            progress(i + 1, total)
        if checkpoint is not None:
            checkpoint(i + 1, model, i + 1 == total)
    stages = {"after Adam": SineRNN.copy_of(model)}
    starts = {"Adam": 0}
    iterations = {"Adam": adam_steps}
    if teacher_forced_steps or free_running_steps:
        model = _polish(model, teacher_forced_steps, free_running_steps, min_warmup, num_points, horizon, warmups,
                        start_phases, dtype, losses, progress, checkpoint, adam_steps, total, stages, starts,
                        iterations)
        if checkpoint is not None:
            checkpoint(len(losses), model, True)
    else:
        model = SineRNN.copy_of(model)
    if progress is not None:
        progress(total, total)
    return model, {"losses": losses, "stages": stages, "starts": starts, "iterations": iterations}
