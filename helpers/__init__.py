"""Plumbing for "RNNs, from the note to the code".

Each module is small and holds one kind of thing; a chapter imports what it needs by name,
e.g. ``from helpers import set_seed, explore``. Every public name is listed here once, with the
chapter that teaches it. Nothing here reads notebook globals, and every public function checks
its arguments (``helpers.checks``).
"""
from . import style as _style  # noqa: F401  (applies the course's figure style on import)

# the house: seeds, figure style, explorers
from .seed import set_seed
from .style import COLORS, COURSE_STYLE, figure_png, new_figure
from .explorer import FRAMES_ENV, MAX_FRAMES, Explorer, explore

# chapter 1: sequences as tensors
from .sequences import draw_batch_layout, draw_one_hot, sine_window

# chapter 2: why recurrence
from .recurrence import (draw_batch_step, draw_hidden_state, draw_parameter_counts, draw_per_word_layers,
                         draw_rnn_cell, draw_unrolled, draw_weight_shapes)

# chapter 3: backpropagation through time
from .bptt import (draw_bptt_graph, draw_jacobian_chain, draw_log_curves, draw_step_contributions,
                   draw_truncation, hidden_jacobian_norms)

# chapter 4: the nn.RNN layer
from .layers import check_rnn_input, draw_layer_stack, draw_rnn_parameters, rnn_shapes, rnn_shapes_text

# chapter 5: stepping with nn.RNNCell
from .cells import draw_cell_stack, draw_stack_states, run_cell_stack

# chapter 6: the sine case study (two pages)
from .sine_data import DELTA, heldout_phases, sine_batch
from .sine_models import ExactSineRNN, NoteNet, SineRNN, free_run
from .sine_measures import (forecast_table, free_run_errors, free_running_eigenvalues, free_running_map,
                            free_running_multipliers, sine_amplitude, teacher_forced_error)
from .sine_training import (ProgressBar, QualityClock, free_running_loss, polish, train_better_recipe,
                            train_note_recipe)
from .sine_drawing import (draw_forecast, draw_horizon_errors, draw_loss_curve, draw_note_test,
                           draw_time_to_quality)

# chapter 7: LSTM, and the memory task (chapter 8 runs it with nn.GRU)
from .lstm import LSTM_GATES, draw_lstm_cell, lstm_from_scratch, lstm_jacobian_norms, set_gate_biases
from .memory import (MEMORY_CONFIGS, MEMORY_KINDS, MemoryNet, count_parameters, draw_memory_accuracy,
                     draw_memory_losses, memory_accuracy, memory_batch, run_memory, train_memory)

# chapter 8: GRU
from .gru import GRU_GATES, GRU_RESETS, draw_gru_cell, gru_from_scratch, gru_jacobian_norms, set_update_bias

__all__ = [
    "set_seed", "COLORS", "COURSE_STYLE", "figure_png", "new_figure", "FRAMES_ENV", "MAX_FRAMES", "Explorer", "explore",
    # chapter 1
    "draw_batch_layout", "draw_one_hot", "sine_window",
    # chapter 2
    "draw_batch_step", "draw_hidden_state", "draw_parameter_counts", "draw_per_word_layers", "draw_rnn_cell",
    "draw_unrolled", "draw_weight_shapes",
    # chapter 3
    "draw_bptt_graph", "draw_jacobian_chain", "draw_log_curves", "draw_step_contributions", "draw_truncation",
    "hidden_jacobian_norms",
    # chapter 4
    "check_rnn_input", "draw_layer_stack", "draw_rnn_parameters", "rnn_shapes", "rnn_shapes_text",
    # chapter 5
    "draw_cell_stack", "draw_stack_states", "run_cell_stack",
    # chapter 6
    "DELTA", "heldout_phases", "sine_batch", "ExactSineRNN", "NoteNet", "SineRNN", "free_run", "forecast_table",
    "free_run_errors", "free_running_eigenvalues", "free_running_map", "free_running_multipliers", "sine_amplitude",
    "teacher_forced_error",
    "ProgressBar", "QualityClock", "free_running_loss", "polish", "train_better_recipe", "train_note_recipe",
    "draw_forecast", "draw_horizon_errors", "draw_loss_curve", "draw_note_test", "draw_time_to_quality",
    # chapter 7
    "LSTM_GATES", "draw_lstm_cell", "lstm_from_scratch", "lstm_jacobian_norms", "set_gate_biases",
    "MEMORY_CONFIGS", "MEMORY_KINDS", "MemoryNet", "count_parameters", "draw_memory_accuracy", "draw_memory_losses",
    "memory_accuracy", "memory_batch", "run_memory", "train_memory",
    # chapter 8
    "GRU_GATES", "GRU_RESETS", "draw_gru_cell", "gru_from_scratch", "gru_jacobian_norms", "set_update_bias",
]
