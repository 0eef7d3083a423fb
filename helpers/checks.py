"""Argument checks, the one way every helper validates its input.

Each check takes ``(value, name, ...)``, returns the value in a normal form, and raises
``TypeError`` when the value has the wrong type or ``ValueError`` when it has the right type
but a wrong value. The message names the argument, what was expected and what came.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Iterable

import numpy as np
import torch

__all__: list[str] = []  # internal to the package: helpers import these by name


def _got(value: Any) -> str:
    return f"{type(value).__name__}: {value!r}" if not isinstance(value, (torch.Tensor, np.ndarray)) \
        else f"{type(value).__name__} of shape {tuple(value.shape)}"


def _range_text(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def integer(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an ``int`` (NumPy integers accepted, bools refused) in [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int{_range_text(minimum, maximum)}, got {_got(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an int{_range_text(minimum, maximum)}, got {value}")
    return value


def positive_int(value: Any, name: str, maximum: int | None = None) -> int:
    """An ``int`` >= 1 (and <= ``maximum``): a count, a size, a length."""
    upper = f" <= {maximum}" if maximum is not None else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {_got(value)}")
    if value < 1 or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be a positive int{upper}, got {value!r}")
    return int(value)


def real(value: Any, name: str, *, minimum: float | None = None, maximum: float | None = None,
         positive: bool = False) -> float:
    """``value`` as a finite ``float`` in [minimum, maximum] (and > 0 if ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_got(value)}")
    value = float(value)
    wanted = ("a positive finite number" if positive else "a finite number") + _range_text(minimum, maximum)
    if (not math.isfinite(value) or (positive and value <= 0)
            or (minimum is not None and value < minimum) or (maximum is not None and value > maximum)):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return value


def boolean(value: Any, name: str) -> bool:
    """``value`` if it is a ``bool`` (not 0/1, not a NumPy bool)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool (True or False), got {_got(value)}")
    return value


def one_of(value: Any, name: str, options: Iterable[Any]) -> Any:
    """``value`` if it is one of ``options`` (ValueError listing them otherwise)."""
    options = list(options)
    try:
        found = value in options
    except TypeError:  # unhashable or incomparable
        found = False
    if not found:
        raise ValueError(f"{name} must be one of {options!r}, got {value!r}")
    return value


def instance(value: Any, name: str, kind: type | tuple[type, ...], *, allow_none: bool = False) -> Any:
    """``value`` if it is an instance of ``kind`` (or None when ``allow_none``)."""
    if allow_none and value is None:
        return None
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = " or ".join(f"{k.__module__}.{k.__qualname__}".replace("builtins.", "") for k in kinds)
        raise TypeError(f"{name} must be {'None or ' if allow_none else ''}a {wanted}, got {_got(value)}")
    return value


def function(value: Any, name: str, *, allow_none: bool = False) -> Callable | None:
    """``value`` if it is callable (or None when ``allow_none``)."""
    if allow_none and value is None:
        return None
    if not callable(value):
        raise TypeError(f"{name} must be {'None or ' if allow_none else ''}a callable, got {_got(value)}")
    return value


def tensor(value: Any, name: str, *, ndim: int | None = None, floating: bool = False,
           shape: tuple[int | None, ...] | None = None) -> torch.Tensor:
    """``value`` if it is a ``torch.Tensor`` with ``ndim`` dims (float dtype if ``floating``).

    ``shape`` may fix some sizes: ``(None, 1)`` is any number of rows and one column.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {_got(value)}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dims, got shape {tuple(value.shape)}")
    if shape is not None and any(want is not None and got != want for want, got in zip(shape, value.shape)):
        wanted = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {wanted}, got {tuple(value.shape)}")
    return value


def vector(value: Any, name: str, *, min_length: int = 1, nonnegative: bool = False) -> np.ndarray:
    """A 1-D list, tuple, array or tensor of finite real numbers, as a float64 NumPy array."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a 1-D list, array or tensor of numbers, got {_got(value)}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold real numbers only, got {value!r}") from None
    if array.ndim != 1 or len(array) < min_length:
        raise ValueError(f"{name} must be 1-D with at least {min_length} value(s), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers, got {value!r}")
    if nonnegative and (array < 0).any():
        raise ValueError(f"{name} must hold non-negative numbers, got {value!r}")
    return array
