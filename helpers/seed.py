"""One seed for everything random in a chapter."""
import random

import numpy as np
import torch

__all__ = ["set_seed"]


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch so a notebook prints the same numbers every run."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
