"""Unit tests of chapter 6's drawings: what each figure draws, and the inputs they refuse."""
import numpy as np
import pytest
import torch
from matplotlib.collections import PathCollection

from helpers import (DELTA, draw_forecast, draw_horizon_errors, draw_loss_curve, draw_note_test,
                     draw_time_to_quality)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_loss_curve_draws_the_losses_and_a_running_mean_per_stage():
    losses = np.concatenate([np.linspace(1, 0.1, 300), np.linspace(0.01, 0.001, 50)])
    fig = draw_loss_curve(losses, title="demo", window=20, stages={"L-BFGS": 300})
    ax = fig.axes[0]
    assert ax.get_title() == "demo" and ax.get_yscale() == "log"
    raw, *means = [line for line in ax.lines if line.get_linestyle() == "-"]
    np.testing.assert_allclose(raw.get_ydata(), losses)
    assert [len(m.get_xdata()) for m in means] == [300 - 19, 50 - 19]      # the mean restarts at the stage
    assert means[1].get_xdata()[0] == 300 + 20                            # first full window of stage 2
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_xdata()[0] == 300.5
    assert _texts(ax) == [" L-BFGS "]


def test_loss_curve_running_median_ignores_a_spike_that_moves_the_mean():
    losses = np.full(60, 1e-3)
    losses[30] = 1.0                                                      # one line-search trial step
    medians = [line for line in draw_loss_curve(losses, window=10, statistic="median").axes[0].lines
               if line.get_label() == "running median of 10"]
    means = [line for line in draw_loss_curve(losses, window=10).axes[0].lines
             if line.get_label() == "running mean of 10"]
    assert len(medians) == len(means) == 1
    np.testing.assert_allclose(medians[0].get_ydata(), 1e-3)              # the spike leaves the median alone
    assert means[0].get_ydata().max() > 0.1                               # ... and lifts the mean a hundredfold


def test_loss_curve_without_enough_points_draws_no_mean():
    ax = draw_loss_curve([0.5, 0.4, 0.3], window=100).axes[0]
    assert len(ax.lines) == 1 and ax.get_xlabel() == "iteration"


def test_note_test_draws_truth_and_predictions_as_points():
    t = np.arange(5.0)
    ax = draw_note_test(t, torch.sin(torch.tensor(t)).view(1, 5, 1), np.cos(t), title="k = 1").axes[0]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 2 and all(len(c.get_offsets()) == 5 for c in scatters)
    np.testing.assert_allclose(scatters[1].get_offsets()[:, 1], np.cos(t))
    assert ax.get_title() == "k = 1" and ax.get_ylim() == (-1.6, 1.6)


def test_horizon_errors_draw_one_line_per_recipe():
    ax = draw_horizon_errors({"a": torch.rand(5) + 0.1, "b": [1.0, 2.0]}, title="errors").axes[0]
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert list(ax.lines[1].get_xdata()) == [1, 2] and ax.get_yscale() == "log"
    assert ax.get_title() == "errors"


def test_forecast_draws_the_warmup_truth_and_each_forecast_in_time():
    fig = draw_forecast(0.5, 3, {"a": np.zeros(6), "b": torch.ones(1, 4, 1)}, title="x", figsize=(6, 3))
    ax = fig.axes[0]
    assert ax.get_title() == "x" and tuple(fig.get_size_inches()) == (6, 3)
    labels = [line.get_label() for line in ax.lines]
    assert labels[0] == "sin(t)" and labels[-2:] == ["a", "b"]
    a, b = ax.lines[-2], ax.lines[-1]
    np.testing.assert_allclose(a.get_xdata(), 0.5 + DELTA * np.arange(3, 9))     # after the 3 warm-up points
    assert len(b.get_xdata()) == 4
    warm = [c for c in ax.collections if isinstance(c, PathCollection)][0]
    np.testing.assert_allclose(warm.get_offsets()[:, 1], np.sin(0.5 + DELTA * np.arange(3)))


def test_time_to_quality_draws_each_record_and_the_levels():
    records = {"note": [(0, 0.0, 0.5), (100, 1.0, 0.1), (200, 2.0, 0.02)],
               "better": [(0, 0.0, 0.5), (10, 0.1, 0.01), (20, 0.2, 1e-4)]}
    ax = draw_time_to_quality(records, {"final": 0.02, "100 times lower": 2e-4}).axes[0]
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert [line.get_label() for line in solid] == ["note", "better"]
    assert list(solid[0].get_xdata()) == [1.0, 2.0]                      # zero seconds cannot sit on a log axis
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert sorted(line.get_ydata()[0] for line in dotted) == [2e-4, 0.02]
    assert _texts(ax) == [" final", " 100 times lower"]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


@pytest.mark.parametrize("call, err, match", [
    (lambda: draw_loss_curve([]), ValueError, "losses must be 1-D with at least 1"),
    (lambda: draw_loss_curve(["a"]), TypeError, "losses must hold real numbers"),
    (lambda: draw_loss_curve([1.0, 2.0], stages={"x": 5}), ValueError, r"stages\['x'\] must be an int in \[0, 2\]"),
    (lambda: draw_loss_curve([1.0], stages=[1]), TypeError, "stages must be None or a collections.abc.Mapping"),
    (lambda: draw_loss_curve([1.0], statistic="max"), ValueError, r"statistic must be one of \['mean', 'median'\]"),
    (lambda: draw_note_test([1, 2], [1, 2], [1]), ValueError, "one value per step"),
    (lambda: draw_horizon_errors({}), ValueError, "errors must be a non-empty dict"),
    (lambda: draw_horizon_errors([1.0]), TypeError, "errors must be a collections.abc.Mapping"),
    (lambda: draw_forecast("0", 3, {"a": [0.0]}), TypeError, "phase must be a real number"),
    (lambda: draw_forecast(0.0, 0, {"a": [0.0]}), ValueError, "warmup must be a positive int"),
    (lambda: draw_forecast(0.0, 3, [0.0]), TypeError, "predictions must be a collections.abc.Mapping"),
    (lambda: draw_time_to_quality({"a": [(0, 1.0)]}, {}), ValueError, "must be a non-empty list of"),
    (lambda: draw_time_to_quality({"a": ((0, 1.0, 0.1),)}, {}), TypeError, r"records\['a'\] must be a list"),
    (lambda: draw_time_to_quality({"a": [(0, 1.0, 0.1)]}, [0.1]), TypeError, "levels must be a collections.abc.Mapping"),
    (lambda: draw_time_to_quality({"a": [(0, 1.0, 0.1)]}, {"l": -1.0}), ValueError, "must be a positive"),
])
def test_drawings_reject_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
