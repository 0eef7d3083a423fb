"""The built HTML book in headless Chromium: every page of _toc.yml loads with no console
error, no failed or third-party request, every image loaded, math rendered by the book's own
MathJax, and every explorer's slider changes what it shows when dragged."""
import pytest

from test_notebooks import toc_files

pytestmark = pytest.mark.browser
PAGES = [f"{entry}.html" for entry in toc_files()]


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


@pytest.mark.parametrize("path", PAGES)
def test_math_is_rendered_locally(open_page, path):
    page, _ = open_page(path)
    n_math = page.locator(".math").count()
    if n_math == 0:
        pytest.skip(f"{path} has no math")
    rendered = page.locator("mjx-container").count()
    assert rendered >= n_math, f"{path}: {n_math} math elements, only {rendered} rendered by MathJax"
    assert page.locator("mjx-merror, .MathJax_Error").count() == 0, f"{path}: MathJax reported an error"
    assert page.evaluate("() => Array.from(document.scripts).some(s => s.src.includes('_static/mathjax/'))")


@pytest.mark.parametrize("path", PAGES)
def test_explorer_sliders_respond_to_a_drag(open_page, path):
    page, problems = open_page(path)
    explorers = page.locator("div.rnn-explorer")
    if explorers.count() == 0:
        pytest.skip(f"{path} has no explorer")
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
