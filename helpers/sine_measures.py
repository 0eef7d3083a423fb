"""Chapter 6, the sine case study: what we measure. Held-out free-running errors after a
warm-up, the teacher-forced error on the same targets, the free-running map of a trained
network and its eigenvalues, and the amplitude a forecast keeps.

Each is first computed by hand in ``book/06_sine_case_study.ipynb`` or
``book/06b_better_recipe.ipynb`` and checked equal to this copy there.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .checks import instance, integer, positive_int, real, vector
from .sine_data import DELTA, check_phases, positive_ints, sine_batch
from .sine_models import free_run, rnn_and_readout

__all__ = ["free_run_errors", "teacher_forced_error", "forecast_table", "free_running_map",
           "free_running_eigenvalues", "free_running_multipliers", "sine_amplitude"]


def _model_dtype(model: nn.Module) -> torch.dtype:
    parameter = next(model.parameters(), None)
    return parameter.dtype if parameter is not None else torch.float32


def free_run_errors(model: nn.Module, phases: torch.Tensor, warmup: int = 10, steps: int = 39) -> torch.Tensor:
    """Mean squared free-running error at each horizon 1..steps, over windows starting at ``phases``.

    Each window gives ``warmup`` true points from a zero state, then ``steps`` predictions, each
    fed back.
    """
    instance(model, "model", nn.Module)
    phases = check_phases(phases)
    warmup, steps = positive_int(warmup, "warmup"), positive_int(steps, "steps")
    windows = sine_batch(phases, warmup + steps, dtype=_model_dtype(model))
    with torch.no_grad():
        predictions = free_run(model, windows[:, :warmup], steps)
    return ((predictions - windows[:, warmup:]).to(torch.float64) ** 2).mean(dim=(0, 2))


def teacher_forced_error(model: nn.Module, phases: torch.Tensor, warmup: int = 10, steps: int = 39) -> float:
    """Mean squared one-step error on the same targets as ``free_run_errors``, every input true.

    A model with ``max_batch == 1`` (``NoteNet``) reads one window at a time.
    """
    instance(model, "model", nn.Module)
    phases = check_phases(phases)
    warmup, steps = positive_int(warmup, "warmup"), positive_int(steps, "steps")
    windows = sine_batch(phases, warmup + steps, dtype=_model_dtype(model))
    inputs = windows[:, :-1]                            # (windows, warmup + steps - 1, 1)
    with torch.no_grad():
        if getattr(model, "max_batch", None) == 1:      # a forward for one window at a time (NoteNet)
            out = torch.cat([model(window[None], None)[0] for window in inputs])
        else:
            out, _ = model(inputs, None)
    return float(((out[:, warmup - 1:] - windows[:, warmup:]).to(torch.float64) ** 2).mean())


def forecast_table(model: nn.Module, phases: torch.Tensor, warmups: Sequence[int] = (2, 3, 5, 10),
                   horizons: Sequence[int] = (39, 200)) -> dict[tuple[int, int], float]:
    """Held-out free-running MSE over the first ``h`` steps after a warm-up of ``w``, for every (w, h)."""
    warmups, horizons = positive_ints(warmups, "warmups"), positive_ints(horizons, "horizons")
    table = {}
    for w in warmups:
        errors = free_run_errors(model, phases, warmup=w, steps=max(horizons))
        for h in horizons:
            table[w, h] = errors[:h].mean().item()
    return table


def free_running_map(model: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """``(M, b)`` in float64 such that, fed its own predictions, ``h_t = tanh(h_{t-1} M + b)``.

    Row-vector convention, for a network built like ``NoteNet`` and ``SineRNN`` (``model.rnn``, a
    one-layer tanh RNN, and the readout ``ŷ_t = h_t W_hy + b_y``, ``model.linear``): the next input
    is ``ŷ_t``, so
    ``M = W_hh + W_hy W_xh`` and ``b = b_ih + b_hh + b_y W_xh``.
    """
    rnn, linear = rnn_and_readout(model)
    with torch.no_grad():
        W_xh = rnn.weight_ih_l0.double().T           # (1, hidden_size)
        W_hh = rnn.weight_hh_l0.double().T           # (hidden_size, hidden_size)
        W_hy = linear.weight.double().T              # (hidden_size, 1)
        b_y = linear.bias.double()                   # (1,)
        M = W_hh + W_hy @ W_xh
        b = rnn.bias_ih_l0.double() + rnn.bias_hh_l0.double() + b_y * W_xh[0]
    return M, b


def free_running_eigenvalues(model: nn.Module) -> torch.Tensor:
    """Eigenvalues of the free-running map linearised at its fixed point, largest modulus first.

    The fixed point ``h* = tanh(h* M + b)`` is found by Newton's method from ``h = 0``; there the
    map is ``δh -> δh M diag(1 - h*²)``. Modulus > 1: small oscillations grow; < 1: they die out.
    """
    M, b = free_running_map(model)
    h = torch.zeros_like(b)
    eye = torch.eye(len(b), dtype=torch.float64)
    for _ in range(100):
        y = torch.tanh(h @ M + b)
        jacobian = M * (1 - y ** 2)                  # d tanh(h M + b) / dh, rows: h, columns: output
        step = torch.linalg.solve((jacobian - eye).T, y - h)
        h = h - step
        if step.abs().max() < 1e-13:
            break
    else:  # pragma: no cover - the course's networks converge in a few steps
        raise RuntimeError("Newton's method did not find the free-running map's fixed point")
    eigenvalues = torch.linalg.eigvals(M * (1 - torch.tanh(h @ M + b) ** 2))
    return eigenvalues[eigenvalues.abs().argsort(descending=True)]


def free_running_multipliers(model: nn.Module, phases: torch.Tensor, warmup: int = 10, skip: int = 300,
                             steps: int = 1000, directions: int = 2) -> torch.Tensor:
    """Per-step growth factors of small perturbations along the free-running forecast, largest first.

    The map is linearised along the trajectory, not at a fixed point: after ``warmup`` true points
    (zero state) and ``skip`` free-running steps, the Jacobians ``δh -> δh M diag(1 - h_{t+1}²)`` of
    the next ``steps`` steps are multiplied, re-orthonormalising ``directions`` perturbations by QR
    at every step. Each window gives ``exp(mean log growth)`` per direction (its Lyapunov
    multipliers); the result is their mean over the windows, float64 ``[directions]``.
    """
    rnn, _ = rnn_and_readout(model)
    phases = check_phases(phases)
    warmup = positive_int(warmup, "warmup")
    skip = integer(skip, "skip", minimum=0)
    steps = positive_int(steps, "steps")
    directions = positive_int(directions, "directions", maximum=rnn.hidden_size)
    M, b = free_running_map(model)
    weights = [p.detach().double() for p in rnn.parameters()]          # W_ih, W_hh, b_ih, b_hh
    with torch.no_grad():
        warm = sine_batch(phases, warmup, dtype=torch.float64)[..., 0]   # (windows, warmup)
        h = torch.zeros(len(phases), rnn.hidden_size, dtype=torch.float64)
        for t in range(warmup):
            h = torch.tanh(warm[:, t:t + 1] @ weights[0].T + h @ weights[1].T + weights[2] + weights[3])
        for _ in range(skip):
            h = torch.tanh(h @ M + b)
        Q = torch.eye(rnn.hidden_size, dtype=torch.float64)[:directions].repeat(len(phases), 1, 1)
        log_growth = torch.zeros(len(phases), directions, dtype=torch.float64)
        for _ in range(steps):
            h = torch.tanh(h @ M + b)                                     # (windows, hidden_size)
            moved = (Q @ M) * (1 - h ** 2)[:, None, :]                    # each row: δh M diag(1 - h²)
            q, r = torch.linalg.qr(moved.mT)
            Q = q.mT
            log_growth += torch.diagonal(r, dim1=-2, dim2=-1).abs().log()
    return (log_growth / steps).exp().mean(dim=0)


def sine_amplitude(values, delta: float = DELTA) -> np.ndarray:
    """The amplitude of a sine sampled every ``delta``, read from each pair of consecutive values.

    For ``s_t = a sin(t Δ + φ)``: ``s_t² + s_{t+1}² - 2cos(Δ) s_t s_{t+1} = a² sin²(Δ)``, the quantity
    the exact recurrence keeps. Returns one amplitude per pair (``len(values) - 1`` of them).
    """
    s = vector(values, "values", min_length=2)
    delta = real(delta, "delta", positive=True)
    if abs(math.sin(delta)) < 1e-9:
        raise ValueError(f"delta must not be a multiple of π (sin(delta) = 0), got {delta}")
    a, c = s[:-1], s[1:]
    return np.sqrt(np.maximum(a ** 2 + c ** 2 - 2 * math.cos(delta) * a * c, 0.0)) / abs(math.sin(delta))
