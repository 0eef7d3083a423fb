"""`make execute`: run each notebook top to bottom in a fresh kernel and store its outputs.

What would only churn the diff is not stored: the widget state and the live widget views (the
book shows each explorer's static HTML; stored widget state would make MyST-NB load the
ipywidgets bundle from a CDN, and a view's random model_id changes every run), and per-cell
execution timestamps. (nbclient cannot run Output widgets with store_widget_state=False, hence
the strip after the run.)
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FRAMES_ENV = "RNN_EXPLORER_FRAMES"  # helpers.explorer.FRAMES_ENV (not imported: no torch needed here)


def strip_churn(nb) -> None:
    """Drop widget state, live widget views and execution timestamps from a notebook, in place."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    strip_churn(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        sys.exit("usage: python tests/execute_notebooks.py book/NOTEBOOK.ipynb ...")
    if os.environ.get(FRAMES_ENV, "").lower() == "lazy":
        sys.exit(f"{FRAMES_ENV}=lazy would store explorers without their frames: unset it to execute")
    for path in paths:
        print(f"{path}: executed in {execute(path):.1f} s", flush=True)
