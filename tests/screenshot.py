"""`make screenshot`: photograph a page of the built book for the README (.github/screenshot.png)."""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from conftest import BOOK_HTML, CHROMIUM, CHROMIUM_ARGS, ROOT, serve


def main(page_path: str = "book/02_why_recurrence.html") -> Path:
    if CHROMIUM is None:
        sys.exit("needs Debian's Chromium: apt-get install chromium")
    server, base = serve(BOOK_HTML)
    out = ROOT / ".github" / "screenshot.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(base + page_path, wait_until="networkidle")
        explorers = page.locator("div.rnn-explorer")
        if explorers.count():
            explorers.first.scroll_into_view_if_needed()
            page.evaluate("() => window.scrollBy(0, -70)")
        page.screenshot(path=str(out))
        browser.close()
    server.shutdown()
    return out


if __name__ == "__main__":
    print(main(*sys.argv[1:]))
