"""A learner's view: chapter 1 opened in JupyterLab, run top to bottom, and its explorer's
slider moved with the keyboard; the live widget redraws the figure (a kernel computes it)."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, need_chromium

pytestmark = pytest.mark.browser
TOKEN = "rnn-course-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url():
    need_chromium()
    port = _free_port()
    scratch = Path(tempfile.mkdtemp(prefix="rnn-lab-"))
    notebooks = scratch / "book"  # a copy, so JupyterLab's autosave never touches the real pages
    shutil.copytree(ROOT / "book", notebooks, ignore=shutil.ignore_patterns("_ext", ".ipynb_checkpoints"))
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
           "JUPYTER_CONFIG_DIR": str(scratch / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "ws")}
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={notebooks}",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("JupyterLab did not start within 60 s")
    yield url
    server.terminate()
    server.wait(timeout=30)
    shutil.rmtree(scratch, ignore_errors=True)


def _lab_state(page) -> str:
    """What JupyterLab shows, for a failure message: kernel status, prompts run, dialogs, errors."""
    shot = ROOT / "_build" / "lab-widgets-failure.png"
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot))
    state = page.evaluate("""() => ({
        kernel: document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status,
        prompts: [...document.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent.trim())
                 .filter(Boolean).slice(0, 12),
        dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.textContent.trim().slice(0, 200)),
        errors: [...document.querySelectorAll('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
                .map(e => e.textContent.trim().slice(0, 300)).slice(0, 3)})""")
    return f"JupyterLab state {state}; screenshot {shot}"


def test_explorer_is_live_in_jupyterlab(browser, lab_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{lab_url}/lab/tree/01_sequences_as_tensors.ipynb?token={TOKEN}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Escape")
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    slider = page.locator(".jupyter-widgets .widget-slider .noUi-handle").first
    try:
        slider.wait_for(timeout=180_000)   # a fresh kernel imports torch; slow on a busy machine
    except Exception:
        pytest.fail("no live slider within 3 minutes of Run All Cells; " + _lab_state(page))
    figure = page.locator(".widget-output img").first
    figure.wait_for(timeout=60_000)
    before = figure.get_attribute("src")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "before => { const img = document.querySelector('.widget-output img');"
        " return img && img.getAttribute('src') !== before; }", arg=before, timeout=60_000)
    assert page.locator(".widget-output img").first.get_attribute("src") != before
    context.close()
