"""Chapter 6, the sine case study: the data. Windows of a sine sampled every ``DELTA``, and
the held-out start phases both recipes are measured on.

The note's single window is ``helpers.sine_window`` (chapter 1); ``sine_batch`` puts one
window per start phase in a batch. Both are written out in ``book/06_sine_case_study.ipynb``.
"""
from __future__ import annotations

import math

import torch

from .checks import instance, integer, positive_int, real, tensor

__all__ = ["DELTA", "sine_batch", "heldout_phases"]

#: The note's time step: 50 points on an interval of length 10, so 10 / 49 apart.
DELTA = 10.0 / 49.0


def check_phases(phases) -> torch.Tensor:
    """``phases`` if it is a non-empty 1-D floating-point tensor of start times."""
    tensor(phases, "phases", ndim=1, floating=True)
    if phases.numel() == 0:
        raise ValueError("phases must hold at least one start phase, got an empty tensor")
    return phases


def positive_ints(values, name: str) -> list[int]:
    """``values`` (a non-empty list or tuple) as a list of positive ints: warm-ups, horizons."""
    instance(values, name, (list, tuple))
    if len(values) == 0:
        raise ValueError(f"{name} must hold at least one positive int, got an empty {type(values).__name__}")
    return [positive_int(v, f"{name}[{i}]") for i, v in enumerate(values)]


def sine_batch(phases: torch.Tensor, num_points: int = 50, delta: float = DELTA,
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``sin(phase + i * delta)`` for i < num_points, one row per phase: ``[batch, num_points, 1]``.

    Computed in float64, then cast to ``dtype``; for phase ``k`` the first 49 points of a
    50-point window are the note's ``x`` for that ``k``.
    """
    phases = check_phases(phases)
    num_points = positive_int(num_points, "num_points")
    delta = real(delta, "delta", positive=True)
    t = phases.to(torch.float64)[:, None] + delta * torch.arange(num_points, dtype=torch.float64)
    return torch.sin(t).to(dtype).unsqueeze(-1)


def heldout_phases(n: int = 256, seed: int = 2024) -> torch.Tensor:
    """``n`` start phases drawn uniformly from [0, 2π) by a generator of their own (float64)."""
    n = positive_int(n, "n")
    seed = integer(seed, "seed", minimum=0)
    generator = torch.Generator().manual_seed(seed)
    return 2 * math.pi * torch.rand(n, generator=generator, dtype=torch.float64)


def even_phases(n: int, offset: float = 0.5) -> torch.Tensor:
    """``n`` start phases evenly spaced on [0, 2π): ``(i + offset) · 2π / n`` (float64)."""
    n = positive_int(n, "n")
    offset = real(offset, "offset", minimum=0.0, maximum=1.0)
    return (torch.arange(n, dtype=torch.float64) + offset) * (2 * math.pi / n)
