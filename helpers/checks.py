"""Argument checks shared by the helpers: each raises a message naming what was expected and what came."""
from __future__ import annotations

import numbers

__all__: list[str] = []  # internal to the package


def positive_int(value, name: str, maximum: int | None = None) -> int:
    """``value`` as an int >= 1 (and <= ``maximum``), else TypeError/ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__}: {value!r}")
    if value < 1 or (maximum is not None and value > maximum):
        upper = f" <= {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be a positive int{upper}, got {value!r}")
    return int(value)


def boolean(value, name: str) -> bool:
    """``value`` if it is a bool, else TypeError naming ``name``."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool (True or False), got {type(value).__name__}: {value!r}")
    return value
