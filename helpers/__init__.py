"""Plumbing for "RNNs, from the note to the code".

Each module is small and holds one kind of thing; a chapter imports what it needs
by name, e.g. ``from helpers import set_seed, explore``. Nothing here reads
notebook globals, and every public function checks its arguments.
"""
from . import style as _style  # applies the course's figure style on import
from .bptt import *  # noqa: F401,F403  (chapter 3)
from .bptt import __all__ as _bptt_all
from .cells import *  # noqa: F401,F403  (chapter 5)
from .cells import __all__ as _cells_all
from .explorer import *  # noqa: F401,F403
from .explorer import __all__ as _explorer_all
from .layers import *  # noqa: F401,F403  (chapter 4)
from .layers import __all__ as _layers_all
from .recurrence import *  # noqa: F401,F403  (chapter 2)
from .recurrence import __all__ as _recurrence_all
from .seed import *  # noqa: F401,F403
from .seed import __all__ as _seed_all
from .sequences import *  # noqa: F401,F403  (chapter 1)
from .sequences import __all__ as _sequences_all
from .sine import *  # noqa: F401,F403  (chapter 6)
from .sine import __all__ as _sine_all
from .style import *  # noqa: F401,F403
from .style import __all__ as _style_all

__all__ = [
    *_seed_all,
    *_style_all,
    *_explorer_all,
    *_sequences_all,
    *_recurrence_all,
    *_bptt_all,
    *_layers_all,
    *_cells_all,
    *_sine_all,
]
