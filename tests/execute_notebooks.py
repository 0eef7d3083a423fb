"""`make execute`: run each notebook top to bottom in a fresh kernel and store its outputs.

Widget state is dropped from the stored notebook: the book shows each explorer's static
HTML, and stored widget state would make MyST-NB load the ipywidgets bundle from a CDN.
(nbclient cannot run Output widgets with store_widget_state=False, hence the strip.)
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        sys.exit("usage: python tests/execute_notebooks.py book/NOTEBOOK.ipynb ...")
    for path in paths:
        print(f"{path}: executed in {execute(path):.1f} s", flush=True)
