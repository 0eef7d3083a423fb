"""Shared fixtures. The browser fixtures serve ``_build/html`` on 127.0.0.1 and drive
Debian's Chromium through Playwright; every request to another host is blocked and counted."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK_HTML = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str):
    """A test that cannot run says why: a skip on a laptop, a failure under CI=true (CI must run it)."""
    if ON_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def need_chromium() -> str:
    """Debian's Chromium, or a loud skip (a failure under CI)."""
    if CHROMIUM is None:
        missing("the browser tests need Debian's Chromium, which is not installed: apt-get install chromium "
                "(.ci/run installs it)")
    return CHROMIUM


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


def serve(directory: Path, handler=_QuietHandler) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` on 127.0.0.1 from a daemon thread: ``(server, base URL ending in "/")``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def book_url():
    """Base URL of the built book served on 127.0.0.1 (skips without Chromium or a build)."""
    need_chromium()
    if not (BOOK_HTML / "index.html").exists():
        missing(f"no built book at {BOOK_HTML}: run `make book` first (make test does)")
    if not (BOOK_HTML / "zh_CN" / "index.html").exists():
        missing(f"no 中文 edition at {BOOK_HTML / 'zh_CN'}: run `make book` first (make test does)")
    server, url = serve(BOOK_HTML)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser(book_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """What went wrong while a page loaded: console errors, page errors, failed and blocked requests."""

    def __init__(self):
        self.console: list[str] = []
        self.pageerror: list[str] = []
        self.failed: list[str] = []
        self.blocked: list[str] = []

    def all(self) -> dict[str, list[str]]:
        return {k: v for k, v in vars(self).items() if v}


@pytest.fixture
def open_page(browser, book_url):
    """``open_page("book/intro.html", width=1280)`` -> (page, problems), loaded, MathJax typeset."""
    contexts = []

    def _open(path: str, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        host = urlparse(book_url).netloc

        def route(r):
            parts = urlparse(r.request.url)
            if parts.scheme in ("data", "blob") or parts.netloc == host:
                r.continue_()
            else:
                problems.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and problems.console.append(m.text))
        page.on("pageerror", lambda e: problems.pageerror.append(str(e)))
        page.on("requestfailed", lambda r: problems.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and problems.failed.append(f"{r.url} (HTTP {r.status})"))
        page.goto(book_url + path, wait_until="load")
        page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
        page.wait_for_load_state("networkidle")
        return page, problems

    yield _open
    for context in contexts:
        context.close()
