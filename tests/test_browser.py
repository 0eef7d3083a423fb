"""The built HTML book in headless Chromium, every page of _toc.yml in both editions.

Each page is loaded once at desktop width and checked for everything a reader meets: no console
error, no failed or third-party request, every image loaded with a size and a text, math
rendered by the book's own MathJax with no literal backslash, headings in order, axe-core's
basic rules, every internal link and anchor resolving, the link to the same page in the other
edition, what the page weighs, and finally every explorer's slider dragged. Then once more at
phone width. Search is tested in each edition, and the page-weight budget over the whole book.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from urllib.parse import urldefrag

import pytest

from conftest import BOOK_HTML
from test_notebooks import explorer_count, has_math, toc_files

pytestmark = pytest.mark.browser
EDITIONS = {"": "en", "zh_CN/": "zh-CN"}  # English at the root, 中文 under zh_CN/
PAGES = [f"{ed}{entry}.html" for ed in EDITIONS for entry in toc_files()]
# Known from the sources, so a page that lost its math or an explorer fails instead of passing.
MATH = {f"{ed}{entry}.html" for ed in EDITIONS for entry in toc_files() if has_math(entry)}
EXPLORERS = {f"{ed}{entry}.html": explorer_count(entry) for ed in EDITIONS for entry in toc_files()}
PAGE_BUDGET = 1_000_000   # bytes a reader downloads for one page, outside what all pages share
                          # (_static/ and the search index, downloaded once and cached)
BOOK_BUDGET = 5_000_000   # bytes for all pages of one edition together
WEIGHTS: dict[str, int] = {}   # filled page by page, checked as a whole at the end
STATIC: dict[str, int] = {}
AXE_RULES = ["image-alt", "document-title", "html-has-lang", "heading-order", "empty-heading",
             "label", "select-name", "link-name", "button-name", "duplicate-id-aria", "list", "listitem",
             "aria-allowed-attr", "aria-valid-attr-value", "color-contrast"]


def _edition(path: str) -> str:
    return "zh_CN/" if path.startswith("zh_CN/") else ""


# -- one check each, on a loaded page; each returns a list of problems ------------------------------
def clean_and_offline(page, problems) -> list[str]:
    found = [f"{kind}: {items[:3]}" for kind, items in problems.all().items()]
    if not page.title():
        found.append("no title")
    broken = page.evaluate("""() => Array.from(document.images)
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src.slice(0, 80))""")
    return found + [f"image did not load: {src}" for src in broken]


def math_rendered(page, path) -> list[str]:
    n_math = page.locator(".math").count()
    if path not in MATH:
        return []
    if n_math == 0:
        return ["its source has math, the page has none"]
    found = []
    rendered = page.locator("mjx-container").count()
    if rendered < n_math:
        found.append(f"{n_math} math elements, only {rendered} rendered by MathJax")
    if page.locator("mjx-merror, .MathJax_Error").count():
        found.append("MathJax reported an error")
    # a backslash drawn as a glyph means a macro MathJax did not know (e.g. \_ inside \text{})
    found += [f"math shows a literal backslash: {text}" for text in page.evaluate(
        """() => Array.from(document.querySelectorAll('mjx-container'))
        .filter(m => m.querySelector('mjx-c.mjx-c5C') || /\\\\/.test(
            (m.querySelector('mjx-assistive-mml') || {textContent: ''}).textContent))
        .map(m => (m.closest('.math, p, li, td') || m).textContent.slice(0, 60))""")]
    if not page.evaluate("() => Array.from(document.scripts).some(s => s.src.includes('_static/mathjax/'))"):
        found.append("MathJax is not the book's own")
    return found


def images_described(page) -> list[str]:
    bad = page.evaluate("""() => Array.from(document.querySelectorAll('article img')).filter(img => {
        const shown = img.offsetParent !== null;
        const rect = img.getBoundingClientRect();
        const described = (img.alt && !/\\.(png|jpe?g|svg)$/i.test(img.alt)) || img.closest('figure');
        return (shown && (rect.width === 0 || rect.height === 0)) || img.naturalWidth === 0 || !described;
    }).map(img => (img.alt || img.src).slice(0, 80))""")
    return [f"image without size or alt text/caption: {b}" for b in bad]


def no_broken_blocks(page) -> list[str]:
    """A translated display-math block whose text changed turns into a bare '::' paragraph."""
    bare = page.evaluate("""() => Array.from(document.querySelectorAll('article p'))
        .filter(p => p.textContent.trim() === '::').length""")
    return [f"{bare} bare '::' paragraphs (a translated math block?)"] if bare else []


def headings_in_order(page) -> list[str]:
    levels = page.evaluate("""() => Array.from(document.querySelectorAll(
        'article h1, article h2, article h3, article h4, article h5, article h6')).map(h => Number(h.tagName[1]))""")
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        return [f"the page must start with exactly one h1, got levels {levels[:4]}"]
    return [f"heading levels skip: {a} -> {b}" for a, b in zip(levels, levels[1:]) if b > a + 1]


def axe_basics(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe  # bundles axe.min.js: runs offline

    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": AXE_RULES},
                                       "resultTypes": ["violations"]})
    return [f"axe {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


_FETCHED: dict[str, set[str] | None] = {}  # url -> ids in the page (None: HTTP error), shared by all pages


def _ids(url: str) -> set[str] | None:
    if url not in _FETCHED:
        try:
            with urllib.request.urlopen(url) as response:
                body = response.read().decode("utf-8", "replace")
            _FETCHED[url] = set(re.findall(r'\bid="([^"]+)"', body)) if url.endswith(".html") else set()
        except urllib.error.HTTPError:
            _FETCHED[url] = None
    return _FETCHED[url]


def links_resolve(page) -> list[str]:
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href]'))
        .map(a => a.href).filter(h => h.startsWith(location.origin))""")
    # a reference to a heading with math shows its raw LaTeX: give such a {ref} its own text
    raw = page.evaluate("""() => Array.from(document.querySelectorAll('article a[href]'))
        .map(a => a.textContent).filter(t => /\\\\[a-zA-Z]|\\$/.test(t))""")
    found = [f"link text shows raw LaTeX: {text[:60]!r}" for text in raw]
    for link in sorted(set(links)):
        url, fragment = urldefrag(link)
        ids = _ids(url)
        if ids is None:
            found.append(f"broken link {url}")
        elif fragment and url.endswith(".html") and fragment not in ids:
            found.append(f"broken anchor {url}#{fragment}")
    return found


def edition_link(page, path, book_url) -> list[str]:
    """The page is in its edition's language and links to the same page in the other edition."""
    here, lang = _edition(path), EDITIONS[_edition(path)]
    found = []
    if page.evaluate("() => document.documentElement.lang") != lang:
        found.append(f"html lang is not {lang}")
    link = page.locator("a.rnn-edition-link")
    if link.count() != 1:
        return found + ["no link to the other edition"]
    other = path[len(here):] if here else f"zh_CN/{path}"
    target = urllib.parse.urljoin(page.url, link.get_attribute("href"))
    if target != book_url + other:
        found.append(f"the edition link goes to {target}, not {book_url + other}")
    return found + edition_link_in_header(page)


def edition_link_in_header(page) -> list[str]:
    """The edition link sits in the article's header bar, on one row with the page's buttons."""
    boxes = page.evaluate("""() => {
        const box = e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; };
        const bar = document.querySelector('.bd-header-article');
        const link = document.querySelector('a.rnn-edition-link');
        const button = document.querySelector('.article-header-buttons .btn');
        return bar && link && button ? [box(bar), box(link), box(button)] : null; }""")
    if boxes is None:
        return ["the article header, its buttons or the edition link is missing"]
    (bar_top, bar_bottom), (top, bottom), (b_top, b_bottom) = boxes
    found = []
    if top < bar_top - 1 or bottom > bar_bottom + 1:
        found.append(f"the edition link ({top:.0f}-{bottom:.0f}px) sticks out of the header bar "
                     f"({bar_top:.0f}-{bar_bottom:.0f}px)")
    if abs((top + bottom) / 2 - (b_top + b_bottom) / 2) > 4:
        found.append("the edition link is not on one row with the header's buttons")
    return found


def one_search_field(page) -> list[str]:
    """One search field, in the sidebar: no second one in a top bar of the theme's own."""
    visible = page.evaluate("""() => [...document.querySelectorAll('.search-button-field')]
        .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden').length""")
    return [] if visible == 1 else [f"{visible} search fields are visible, not 1"]


def solution_prompts(page, path) -> list[str]:
    """Folded solutions say so in the page's language."""
    want = "显示答案" if _edition(path) else "Show solution"
    prompts = page.evaluate("""() => Array.from(document.querySelectorAll('details.hide p.collapsed'))
        .map(p => p.textContent.trim())""")
    return [f"a solution's prompt reads {p!r}, not {want!r}" for p in set(prompts) if p != want]


def weight(page, path) -> list[str]:
    """What a reader downloads for this page outside _static/, scrolled through so lazy images load."""
    page.evaluate("""async () => { for (let y = 0; y < document.body.scrollHeight; y += 700) {
        window.scrollTo(0, y); await new Promise(r => setTimeout(r, 5)); } window.scrollTo(0, 0); }""")
    page.wait_for_load_state("networkidle")
    entries = page.evaluate("""() => [...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource')]
        .filter(e => e.name.startsWith(location.origin))
        .map(e => [e.name.slice(location.origin.length).split('?')[0], e.encodedBodySize || e.transferSize || 0])""")
    shared = [(name, size) for name, size in entries if "/_static/" in name or name.endswith("/searchindex.js")]
    WEIGHTS[path] = sum(size for _, size in entries) - sum(size for _, size in shared)
    STATIC.update(shared)
    return [f"weighs {WEIGHTS[path]} bytes, over the {PAGE_BUDGET} budget"] if WEIGHTS[path] > PAGE_BUDGET else []


def explorers_respond(page, path) -> list[str]:
    """Every explorer: dragging its first slider shows another frame, exactly one at a time."""
    explorers = page.locator("div.rnn-explorer")
    if explorers.count() != EXPLORERS[path]:
        return [f"{explorers.count()} explorers on the page, {EXPLORERS[path]} in the notebook"]
    found = []
    for k in range(explorers.count()):
        explorer = explorers.nth(k)
        slider = explorer.locator('input[type="range"]').first
        if slider.count() != 1:
            found.append(f"explorer {k} has no slider")
            continue
        slider.scroll_into_view_if_needed()
        frame = explorer.locator("div.rnn-explorer-frame:not([hidden])")
        before_index, before = explorer.get_attribute("data-index"), frame.inner_html()
        box = slider.bounding_box()
        y = box["y"] + box["height"] / 2
        left, right = box["x"] + 2, box["x"] + box["width"] - 2
        x_from, x_to = (right, left) if int(slider.input_value()) > 0 else (left, right)
        page.mouse.move(x_from, y)
        page.mouse.down()
        page.mouse.move(x_to, y, steps=8)
        page.mouse.up()
        if explorer.get_attribute("data-index") == before_index or frame.inner_html() == before:
            found.append(f"explorer {k} ignored the drag")
        if frame.count() != 1:
            found.append(f"explorer {k} shows {frame.count()} frames at once")
        status = explorer.locator(".rnn-explorer-status[aria-live]")
        if status.count() != 1 or not status.text_content():
            found.append(f"explorer {k} did not announce its new value (aria-live)")
    return found


@pytest.mark.parametrize("path", PAGES)
def test_page(open_page, book_url, path):
    """Everything a reader meets on one page (one load), then the same page on a phone."""
    page, problems = open_page(path)
    checks = {
        "math": lambda: math_rendered(page, path),
        "images": lambda: images_described(page),
        "headings": lambda: headings_in_order(page),
        "blocks": lambda: no_broken_blocks(page),
        "axe": lambda: axe_basics(page),
        "links": lambda: links_resolve(page),
        "edition": lambda: edition_link(page, path, book_url),
        "search field": lambda: one_search_field(page),
        "solutions": lambda: solution_prompts(page, path),
        "weight": lambda: weight(page, path),
        "explorers": lambda: explorers_respond(page, path),   # last: it moves the controls
        "clean": lambda: clean_and_offline(page, problems),
    }
    found = [f"{name}: {problem}" for name, check in checks.items() for problem in check()]
    phone, phone_problems = open_page(path, width=390, height=844)
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        found.append(f"phone: the page scrolls sideways by {overflow}px on a 390-px-wide screen")
    found += [f"phone: {p}" for p in clean_and_offline(phone, phone_problems) + edition_link_in_header(phone)]
    assert not found, f"{path}:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("path, query", [("search.html?q=hidden+state", "hidden state"),
                                         ("zh_CN/search.html?q=隐藏状态", "隐藏状态")])
def test_search_in_each_edition(open_page, path, query):
    """Each edition searches its own text: 'hidden state' in English, 隐藏状态 in the 中文 edition."""
    page, problems = open_page(path)
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = page.locator("#search-results ul.search li")
    assert hits.count() > 0, f"{path}: the search found nothing for {query!r}"
    links = hits.locator("a").evaluate_all("els => els.map(a => a.href)")
    assert all(("/zh_CN/" in link) == path.startswith("zh_CN/") for link in links), \
        f"{path}: results from the other edition: {links[:3]}"
    assert not problems.all(), problems.all()


def test_page_weight_budget(open_page):
    """Each edition's pages together stay within the budget (pages test_page did not weigh are weighed here)."""
    for path in PAGES:
        if path not in WEIGHTS:
            page, _ = open_page(path)
            weight(page, path)
    totals = {lang: sum(w for p, w in WEIGHTS.items() if _edition(p) == ed) for ed, lang in EDITIONS.items()}
    (BOOK_HTML.parent / "page-weights.json").write_text(json.dumps(
        {"pages": WEIGHTS, "pages_total": totals, "static_once": sum(STATIC.values())}, indent=2) + "\n")
    heavy = {p: w for p, w in WEIGHTS.items() if w > PAGE_BUDGET}
    assert not heavy, f"pages over {PAGE_BUDGET} bytes: {heavy}"
    over = {lang: total for lang, total in totals.items() if total > BOOK_BUDGET}
    assert not over, f"the pages of an edition weigh more than {BOOK_BUDGET} bytes together: {over}"
