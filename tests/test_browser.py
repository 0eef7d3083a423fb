"""The built HTML book in headless Chromium: every page of _toc.yml loads with no console
error, no failed or third-party request, every image loaded, math rendered by the book's own
MathJax, and every explorer's slider changes what it shows when dragged."""
import pytest

from test_notebooks import explorer_count, has_math, toc_files

pytestmark = pytest.mark.browser
EDITIONS = ("", "zh_CN/")  # English at the root, 中文 under zh_CN/: every test runs on both
PAGES = [f"{ed}{entry}.html" for ed in EDITIONS for entry in toc_files()]
# Known from the sources, so a page that lost its math or an explorer fails instead of skipping.
MATH_PAGES = [f"{ed}{entry}.html" for ed in EDITIONS for entry in toc_files() if has_math(entry)]
EXPLORERS = {f"{ed}{entry}.html": explorer_count(entry) for ed in EDITIONS for entry in toc_files()
             if explorer_count(entry)}


def visible_frame(page, explorer):
    return explorer.locator("div.rnn-explorer-frame:not([hidden])").inner_html()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_clean_and_offline(open_page, path):
    page, problems = open_page(path)
    assert page.title(), f"{path}: no title"
    assert not problems.all(), f"{path}: {problems.all()}"
    broken = page.evaluate("""() => Array.from(document.images)
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src.slice(0, 80))""")
    assert not broken, f"{path}: images that did not load: {broken}"


@pytest.mark.parametrize("path", MATH_PAGES)
def test_math_is_rendered_locally(open_page, path):
    page, _ = open_page(path)
    n_math = page.locator(".math").count()
    assert n_math > 0, f"{path}: its source has math, the page has none"
    rendered = page.locator("mjx-container").count()
    assert rendered >= n_math, f"{path}: {n_math} math elements, only {rendered} rendered by MathJax"
    assert page.locator("mjx-merror, .MathJax_Error").count() == 0, f"{path}: MathJax reported an error"
    # a backslash drawn as a glyph means a macro MathJax did not know (e.g. \_ inside \text{})
    backslashes = page.evaluate("""() => Array.from(document.querySelectorAll('mjx-container'))
        .filter(m => m.querySelector('mjx-c.mjx-c5C') || /\\\\/.test(
            (m.querySelector('mjx-assistive-mml') || {textContent: ''}).textContent))
        .map(m => (m.closest('.math, p, li, td') || m).textContent.slice(0, 60))""")
    assert not backslashes, f"{path}: math shows a literal backslash: {backslashes}"
    assert page.evaluate("() => Array.from(document.scripts).some(s => s.src.includes('_static/mathjax/'))")


@pytest.mark.parametrize("path", sorted(EXPLORERS))
def test_explorer_sliders_respond_to_a_drag(open_page, path):
    page, problems = open_page(path)
    explorers = page.locator("div.rnn-explorer")
    assert explorers.count() == EXPLORERS[path], f"{path}: {EXPLORERS[path]} explorers in the notebook"
    for k in range(explorers.count()):
        explorer = explorers.nth(k)
        slider = explorer.locator('input[type="range"]').first
        assert slider.count() == 1, f"{path}: explorer {k} has no slider"
        slider.scroll_into_view_if_needed()
        before_index, before = explorer.get_attribute("data-index"), visible_frame(page, explorer)
        box = slider.bounding_box()
        start_left = int(slider.input_value()) > 0
        x_from, x_to = (box["x"] + box["width"] - 2, box["x"] + 2) if start_left else \
                       (box["x"] + 2, box["x"] + box["width"] - 2)
        page.mouse.move(x_from, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(x_to, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        assert explorer.get_attribute("data-index") != before_index, f"{path}: explorer {k} ignored the drag"
        assert visible_frame(page, explorer) != before, f"{path}: explorer {k} shows the same frame"
        assert explorer.locator("div.rnn-explorer-frame:not([hidden])").count() == 1
    assert not problems.all(), f"{path}: {problems.all()}"


@pytest.mark.parametrize("path, query", [("search.html?q=hidden+state", "hidden state"),
                                         ("zh_CN/search.html?q=隐藏状态", "隐藏状态")])
def test_search_finds_hidden_state(open_page, path, query):
    """Each edition searches its own text: 'hidden state' in English, 隐藏状态 in the 中文 edition."""
    page, problems = open_page(path)
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = page.locator("#search-results ul.search li")
    assert hits.count() > 0, f"{path}: the search found nothing for {query!r}"
    edition = "/zh_CN/" if path.startswith("zh_CN/") else None
    links = hits.locator("a").evaluate_all("els => els.map(a => a.href)")
    assert all(("/zh_CN/" in link) == bool(edition) for link in links), f"{path}: results from the other edition"
    assert not problems.all(), problems.all()


@pytest.mark.parametrize("entry", toc_files())
def test_editions_link_page_to_page(open_page, book_url, entry):
    """Every English page has its 中文 counterpart, and each links to the other."""
    import urllib.parse

    english, chinese = f"{entry}.html", f"zh_CN/{entry}.html"
    for here, there, lang in ((english, chinese, "en"), (chinese, english, "zh-CN")):
        page, _ = open_page(here)
        assert page.evaluate("() => document.documentElement.lang") == lang, f"{here}: html lang is not {lang}"
        link = page.locator("a.rnn-edition-link")
        assert link.count() == 1, f"{here}: no link to the other edition"
        target = urllib.parse.urljoin(page.url, link.get_attribute("href"))
        assert target == book_url + there, f"{here}: links to {target}, expected {book_url + there}"


@pytest.mark.parametrize("path", PAGES)
def test_internal_links_resolve(open_page, book_url, path):
    import re
    import urllib.error
    import urllib.request
    from urllib.parse import urldefrag

    page, _ = open_page(path)
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href]'))
        .map(a => a.href).filter(h => h.startsWith(location.origin))""")
    targets = {}
    for link in links:
        url, fragment = urldefrag(link)
        targets.setdefault(url, set()).add(fragment)
    missing = []
    for url, fragments in targets.items():
        try:
            with urllib.request.urlopen(url) as response:
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            missing.append(f"{url} (HTTP {err.code})")
            continue
        if url.endswith(".html"):
            ids = set(re.findall(r'\bid="([^"]+)"', body))
            missing += [f"{url}#{f}" for f in fragments if f and f not in ids]
    assert not missing, f"{path}: broken internal links {missing}"


@pytest.mark.parametrize("path", PAGES)
def test_visible_images_have_size_and_text(open_page, path):
    page, _ = open_page(path)
    bad = page.evaluate("""() => Array.from(document.querySelectorAll('article img')).filter(img => {
        const shown = img.offsetParent !== null;
        const rect = img.getBoundingClientRect();
        const described = (img.alt && !/\\.(png|jpe?g|svg)$/i.test(img.alt)) || img.closest('figure');
        return (shown && (rect.width === 0 || rect.height === 0)) || img.naturalWidth === 0 || !described;
    }).map(img => (img.alt || img.src).slice(0, 80))""")
    assert not bad, f"{path}: images without size or alt text/caption: {bad}"


@pytest.mark.parametrize("path", PAGES)
def test_headings_are_in_order(open_page, path):
    page, _ = open_page(path)
    levels = page.evaluate("""() => Array.from(document.querySelectorAll(
        'article h1, article h2, article h3, article h4, article h5, article h6')).map(h => Number(h.tagName[1]))""")
    assert levels and levels[0] == 1, f"{path}: the page must start with one h1, got {levels[:3]}"
    assert levels.count(1) == 1, f"{path}: more than one h1"
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, f"{path}: heading levels skip: {jumps}"


@pytest.mark.parametrize("path", PAGES)
def test_fits_a_phone(open_page, path):
    page, _ = open_page(path, width=390, height=844)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path}: the page scrolls sideways by {overflow}px on a 390-px-wide screen"


# axe-core rules a course page must pass. The bundled axe.min.js is injected from the
# axe-playwright-python package, so the check runs offline.
AXE_RULES = ["image-alt", "document-title", "html-has-lang", "heading-order", "empty-heading",
             "label", "select-name", "link-name", "button-name", "duplicate-id-aria", "list", "listitem"]


@pytest.mark.parametrize("path", PAGES)
def test_axe_accessibility_basics(open_page, path):
    from axe_playwright_python.sync_playwright import Axe

    page, problems = open_page(path)
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": AXE_RULES},
                                       "resultTypes": ["violations"]})
    violations = {v["id"]: [n["target"] for n in v["nodes"]][:5] for v in results.response["violations"]}
    assert not violations, f"{path}: axe violations {violations}"
    assert not problems.blocked


# The reader's download, measured in the browser: every response a page needs outside the shared
# _static/ (the page itself, its figures), after scrolling through it so lazy images load too.
PAGE_BUDGET = 1_000_000   # bytes, each page
BOOK_BUDGET = 5_000_000   # bytes, all pages of one edition together (_static/ is shared: reported once)


def _weights(page) -> tuple[int, dict[str, int]]:
    page.evaluate("""async () => { for (let y = 0; y < document.body.scrollHeight; y += 600) {
        window.scrollTo(0, y); await new Promise(r => setTimeout(r, 10)); } }""")
    page.wait_for_load_state("networkidle")
    entries = page.evaluate("""() => [...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource')]
        .filter(e => e.name.startsWith(location.origin))
        .map(e => [e.name.slice(location.origin.length), e.encodedBodySize || e.transferSize || 0])""")
    own = sum(size for name, size in entries if "/_static/" not in name)
    static = {name.split("?")[0]: size for name, size in entries if "/_static/" in name}
    return own, static


def test_page_weight_budget(open_page):
    import json

    from conftest import BOOK_HTML

    report, static = {}, {}
    for path in PAGES:
        page, _ = open_page(path)
        report[path], shared = _weights(page)
        static.update(shared)
        page.context.close()
    totals = {edition or "en": sum(w for p, w in report.items() if p.startswith(edition) and
                                   (edition or not p.startswith("zh_CN/"))) for edition in EDITIONS}
    (BOOK_HTML.parent / "page-weights.json").write_text(json.dumps(
        {"pages": report, "pages_total": totals, "static_once": sum(static.values())}, indent=2) + "\n")
    heavy = {p: w for p, w in report.items() if w > PAGE_BUDGET}
    assert not heavy, f"pages over {PAGE_BUDGET} bytes: {heavy}"
    over = {edition: total for edition, total in totals.items() if total > BOOK_BUDGET}
    assert not over, f"all pages of an edition weigh more than {BOOK_BUDGET} bytes: {over}"
