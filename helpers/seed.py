"""One seed for everything random in a chapter."""
import random

import numpy as np
import torch

from .checks import integer

__all__ = ["set_seed"]


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch so a notebook prints the same numbers every run."""
    seed = integer(seed, "seed", minimum=0, maximum=2**32 - 1)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
