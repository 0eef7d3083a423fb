"""Chapter 6, the sine case study: the networks and how they forecast.

``NoteNet`` is the note's ``Net`` (right for one window at a time), ``SineRNN`` the same
16-unit ``nn.RNN`` and linear readout with a forward that is right for any batch (or, for
chapter 8's comparison, an ``nn.GRU`` or ``nn.LSTM`` layer in its place),
``ExactSineRNN`` the two-unit recurrence set by hand, and ``free_run`` the forecast: a warm-up
of true points, then every prediction fed back as the next input. Each is first written out
in ``book/06_sine_case_study.ipynb`` or ``book/06b_better_recipe.ipynb`` and checked equal there.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .checks import instance, one_of, positive_int, real, tensor
from .sine_data import DELTA

__all__ = ["NoteNet", "SineRNN", "ExactSineRNN", "free_run"]

#: The recurrent layers ``SineRNN`` can hold (chapter 8 compares them), and PyTorch's class for each.
SINE_CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class NoteNet(nn.Module):
    """The note's ``Net``, as the note wrote it (comments corrected); right for batch 1 only.

    ``max_batch = 1`` tells ``free_run`` to feed it one window at a time.
    """

    max_batch = 1

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
    """The same one-layer tanh ``nn.RNN`` and linear readout, with a forward right for any batch.

    ``cell="gru"`` or ``"lstm"`` puts an ``nn.GRU`` or ``nn.LSTM`` of the same size in place of the
    ``nn.RNN`` (chapter 8); the state ``h`` is then the GRU's ``h`` or the LSTM's pair ``(h, c)``.
    """

    def __init__(self, hidden_size: int = 16, cell: str = "rnn"):
        super().__init__()
        self.hidden_size = positive_int(hidden_size, "hidden_size")
        self.cell = one_of(cell, "cell", SINE_CELLS)
        self.rnn = SINE_CELLS[cell](input_size=1, hidden_size=self.hidden_size, batch_first=True)
        self.linear = nn.Linear(self.hidden_size, 1)

    def forward(self, x: torch.Tensor, h=None):
        out, h = self.rnn(x, h)      # (batch, seq_len, hidden_size), (1, batch, hidden_size) or a pair for an LSTM
        return self.linear(out), h   # (batch, seq_len, 1)

    @classmethod
    def copy_of(cls, model: nn.Module) -> "SineRNN":
        """A float32 ``SineRNN`` holding a copy of ``model``'s weights (a ``NoteNet`` or a ``SineRNN``).

        On one window it computes what ``model`` computes; unlike ``NoteNet`` it takes any batch.
        Building it leaves PyTorch's random number generator where it was.
        """
        rnn, linear = recurrent_and_readout(model)
        with torch.random.fork_rng(devices=[]):       # the initial weights are overwritten: draw no numbers
            twin = cls(rnn.hidden_size, cell=_cell_name(rnn))
        with torch.no_grad():
            for mine, theirs in zip(twin.parameters(), (*rnn.parameters(), *linear.parameters())):
                mine.copy_(theirs)
        return twin


def rnn_and_readout(model: nn.Module) -> tuple[nn.RNN, nn.Linear]:
    """``(model.rnn, model.linear)`` if ``model`` is built like ``NoteNet`` and ``SineRNN``.

    That is: ``recurrent_and_readout`` with the plain tanh ``nn.RNN(1, H, batch_first=True)``
    (ValueError otherwise).
    """
    rnn, linear = recurrent_and_readout(model)
    if not isinstance(rnn, nn.RNN):
        raise ValueError("model must have .rnn, a one-layer tanh nn.RNN(1, H, batch_first=True), and "
                         ".linear, an nn.Linear(H, 1), like NoteNet and SineRNN")
    return rnn, linear


def _cell_name(layer: nn.Module) -> str:
    return next(name for name, kind in SINE_CELLS.items() if type(layer) is kind)


def recurrent_and_readout(model: nn.Module) -> tuple[nn.Module, nn.Linear]:
    """``(model.rnn, model.linear)`` if ``model`` is built like ``SineRNN`` with any of its cells.

    That is: a one-layer, one-direction ``nn.RNN`` (tanh), ``nn.GRU`` or ``nn.LSTM`` (no projection)
    with ``input_size=1`` and ``batch_first=True``, and an ``nn.Linear(H, 1)`` readout
    (ValueError otherwise). ``rnn_and_readout`` is the same for the plain RNN alone.
    """
    instance(model, "model", nn.Module)
    rnn, linear = getattr(model, "rnn", None), getattr(model, "linear", None)
    if not (type(rnn) in SINE_CELLS.values() and isinstance(linear, nn.Linear) and rnn.input_size == 1
            and rnn.num_layers == 1 and not rnn.bidirectional and getattr(rnn, "nonlinearity", "tanh") == "tanh"
            and not getattr(rnn, "proj_size", 0) and rnn.bias
            and rnn.batch_first and linear.in_features == rnn.hidden_size and linear.out_features == 1):
        raise ValueError("model must have .rnn, a one-layer nn.RNN (tanh), nn.GRU or nn.LSTM(1, H, batch_first=True), "
                         "and .linear, an nn.Linear(H, 1), like NoteNet and SineRNN")
    return rnn, linear


class ExactSineRNN(nn.Module):
    """The recurrence s(t+2Δ) = 2cos(ωΔ) s(t+Δ) - s(t) as a two-unit ``nn.RNN`` (float64).

    It forecasts ``sin(ω t + φ)`` sampled every ``delta``, of any phase and amplitude, for the
    angular frequency ``omega`` it was built for. The state is ``[next + offset, current + offset]``.
    ``nn.RNN`` only offers tanh and relu; relu is the identity on positive numbers, and the offset
    (> 1, the unit sine's amplitude) keeps every pre-activation positive for a unit sine, so this
    relu RNN computes the linear recurrence exactly.
    """

    def __init__(self, delta: float = DELTA, offset: float = 2.0, omega: float = 1.0):
        super().__init__()
        self.delta = real(delta, "delta", positive=True)
        self.offset = real(offset, "offset", positive=True)
        self.omega = real(omega, "omega", positive=True)
        if self.offset <= 1.0:
            raise ValueError(f"offset must be > 1 (the sine's amplitude) so relu never clips, got {offset!r}")
        c, two_cos = self.offset, 2.0 * math.cos(self.omega * self.delta)
        self.rnn = nn.RNN(1, 2, nonlinearity="relu", batch_first=True, dtype=torch.float64)
        f64 = torch.float64
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.tensor([[two_cos], [1.0]], dtype=f64))       # W_xh^T
            self.rnn.weight_hh_l0.copy_(torch.tensor([[0.0, -1.0], [0.0, 0.0]], dtype=f64))  # W_hh^T
            self.rnn.bias_ih_l0.copy_(torch.tensor([2.0 * c, c], dtype=f64))
            self.rnn.bias_hh_l0.zero_()

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None):
        states, h = self.rnn(x, h)                   # (batch, seq_len, 2)
        return states[..., :1] - self.offset, h      # (batch, seq_len, 1)


def _step(model: nn.Module, x: torch.Tensor, h):
    """One call of the model, checked to keep ``[batch, seq_len, 1]``."""
    batch = x.shape[0]
    try:
        out, h = model(x, h)
    except RuntimeError as error:
        if batch == 1:
            raise
        raise ValueError(f"the model failed on a batch of {batch} windows ({error}); a forward that merges "
                         "batch and time only takes batch 1: give it one window at a time, or set "
                         "max_batch = 1 on the model so free_run does") from error
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"the model must map [batch, seq_len, 1] to the same shape, got {got} for input "
                         f"{tuple(x.shape)}: a forward that merges batch and time only takes batch 1 (give it "
                         "one window at a time, or set max_batch = 1 on the model so free_run does)")
    return out, h


def _window_state(h0, i: int):
    """The starting state of window ``i`` alone: a slice of ``h0`` (or of both parts of a pair)."""
    if h0 is None:
        return None
    if isinstance(h0, tuple):
        return tuple(part[:, i:i + 1] for part in h0)
    return h0[:, i:i + 1]


def free_run(model: nn.Module, warmup: torch.Tensor, steps: int, h0=None) -> torch.Tensor:
    """Read ``warmup`` [batch, W, 1] true points, then predict ``steps`` points, each fed back.

    Returns ``[batch, steps, 1]``: the predictions of the ``steps`` points after the warm-up.
    ``h0`` is the starting state ``[1, batch, hidden]``, or for an LSTM the pair ``(h0, c0)`` of two
    such tensors (None: zeros). A model whose forward only takes one window
    (``model.max_batch == 1``, like ``NoteNet``) runs one window at a time; any other model that
    merges batch and time raises a ``ValueError``. Gradients flow unless the caller disables them.
    """
    instance(model, "model", nn.Module)
    tensor(warmup, "warmup", ndim=3, floating=True)
    if warmup.shape[0] < 1 or warmup.shape[1] < 1 or warmup.shape[2] != 1:
        raise ValueError(f"warmup must have shape [batch, W, 1] with batch, W >= 1, got {tuple(warmup.shape)}")
    steps = positive_int(steps, "steps")
    if isinstance(h0, tuple):
        if len(h0) != 2:
            raise ValueError(f"h0 must be a tensor or a pair (h0, c0) of tensors, got a tuple of {len(h0)}")
        for name, part in zip(("h0[0]", "h0[1]"), h0):
            tensor(part, name, ndim=3, floating=True)
    elif h0 is not None:
        tensor(h0, "h0", ndim=3, floating=True)
    batch = warmup.shape[0]
    if getattr(model, "max_batch", None) == 1 and batch > 1:
        return torch.cat([free_run(model, warmup[i:i + 1], steps, _window_state(h0, i)) for i in range(batch)])
    out, h = _step(model, warmup, h0)
    x = out[:, -1:]                    # (batch, 1, 1): the prediction of the first point after the warm-up
    predictions = [x]
    for _ in range(steps - 1):
        x, h = _step(model, x, h)      # the prediction is the next input
        predictions.append(x)
    return torch.cat(predictions, dim=1)  # (batch, steps, 1)
