"""helpers.checks: the one argument-checking module. Wrong type -> TypeError, wrong value -> ValueError."""
import math

import numpy as np
import pytest
import torch

from helpers import checks


@pytest.mark.parametrize("value", [3, np.int64(3)])
def test_integer_accepts_ints_and_numpy_ints(value):
    assert checks.integer(value, "n", minimum=0, maximum=5) == 3
    assert type(checks.integer(value, "n")) is int


@pytest.mark.parametrize("value", [True, 3.0, "3", None])
def test_integer_refuses_other_types(value):
    with pytest.raises(TypeError, match="n must be an int"):
        checks.integer(value, "n")


@pytest.mark.parametrize("value, bounds", [(0, {"minimum": 1}), (9, {"maximum": 8}), (-1, {"minimum": 0, "maximum": 3})])
def test_integer_refuses_values_out_of_range(value, bounds):
    with pytest.raises(ValueError, match=r"n must be an int .*got " + str(value)):
        checks.integer(value, "n", **bounds)


def test_positive_int_is_integer_from_one():
    assert checks.positive_int(1, "size") == 1
    with pytest.raises(ValueError, match="size must be a positive int <= 4, got 5"):
        checks.positive_int(5, "size", maximum=4)


def test_real():
    assert checks.real(2, "lr", positive=True) == 2.0
    for bad in (True, "1", None):
        with pytest.raises(TypeError, match="lr must be a real number"):
            checks.real(bad, "lr")
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="lr must be a positive finite number"):
            checks.real(bad, "lr", positive=True)
    with pytest.raises(ValueError, match="x must be a finite number in \\[0, 1\\], got 1.5"):
        checks.real(1.5, "x", minimum=0, maximum=1)


def test_boolean():
    assert checks.boolean(False, "flag") is False
    for bad in (0, 1, np.bool_(True), "yes"):
        with pytest.raises(TypeError, match="flag must be a bool"):
            checks.boolean(bad, "flag")


def test_one_of():
    assert checks.one_of("tanh", "activation", ("tanh", "relu")) == "tanh"
    for bad in ("sigmoid", [1], None):
        with pytest.raises(ValueError, match=r"activation must be one of \['tanh', 'relu'\]"):
            checks.one_of(bad, "activation", ("tanh", "relu"))


def test_instance_and_function():
    layer = torch.nn.RNN(2, 3)
    assert checks.instance(layer, "rnn", torch.nn.RNN) is layer
    assert checks.instance(None, "h0", torch.Tensor, allow_none=True) is None
    with pytest.raises(TypeError, match="rnn must be a torch.nn.modules.rnn.RNN, got LSTM"):
        checks.instance(torch.nn.LSTM(2, 3), "rnn", torch.nn.RNN)
    assert checks.function(len, "fn") is len
    with pytest.raises(TypeError, match="fn must be None or a callable, got int"):
        checks.function(3, "fn", allow_none=True)


def test_tensor():
    x = torch.zeros(4, 1)
    assert checks.tensor(x, "x", shape=(None, 1), floating=True) is x
    with pytest.raises(TypeError, match="x must be a torch.Tensor, got list"):
        checks.tensor([0.0], "x")
    with pytest.raises(TypeError, match="x must be a floating-point tensor, got dtype torch.int64"):
        checks.tensor(torch.zeros(2, dtype=torch.long), "x", floating=True)
    with pytest.raises(ValueError, match=r"x must have 3 dims, got shape \(4, 1\)"):
        checks.tensor(x, "x", ndim=3)
    with pytest.raises(ValueError, match=r"x must have shape \(any, 2\), got \(4, 1\)"):
        checks.tensor(x, "x", shape=(None, 2))


def test_vector():
    np.testing.assert_array_equal(checks.vector(torch.tensor([1.0, 2.0]), "v"), [1.0, 2.0])
    assert checks.vector((1, 2, 3), "v", min_length=3).dtype == np.float64
    for bad in ("12", 3, {1: 2}, ["a"]):
        with pytest.raises(TypeError, match="v must"):
            checks.vector(bad, "v")
    with pytest.raises(ValueError, match="at least 2"):
        checks.vector([1.0], "v", min_length=2)
    with pytest.raises(ValueError, match="finite"):
        checks.vector([1.0, math.nan], "v")
    with pytest.raises(ValueError, match="non-negative"):
        checks.vector([1.0, -1.0], "v", nonnegative=True)
    with pytest.raises(ValueError, match="1-D"):
        checks.vector([[1.0]], "v")
