"""Notebook hygiene, no kernel needed: the toc, stored outputs, the house opening, no installs."""
import ast
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts", []):
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return files


def page_source(entry: str) -> Path:
    """The source file of a toc entry (``book/intro`` -> book/intro.md)."""
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{entry}{suffix}").exists():
            return ROOT / f"{entry}{suffix}"
    raise FileNotFoundError(entry)


MATH = re.compile(r"\$\$|\$[^$\n]+\$|\{math\}|\\begin\{")


def markdown_text(entry: str) -> str:
    """All markdown of a page (a notebook's markdown cells, or the .md file)."""
    path = page_source(entry)
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    return "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")


def has_math(entry: str) -> bool:
    """Does the page's markdown hold math ($...$, $$...$$, {math})? Then the browser must render it."""
    return bool(MATH.search(re.sub(r"`[^`\n]*`", "", markdown_text(entry))))


def explorer_count(entry: str) -> int:
    """How many explorers the page shows: its code cells that display ``explore(...)``'s result."""
    path = page_source(entry)
    if path.suffix == ".md":
        return 0
    return sum(any("rnn-explorer" in "".join(out.get("data", {}).get("text/html", ""))
                   for out in cell.get("outputs", [])) for cell in code_cells(path))


def load(nb: Path) -> dict:
    return json.loads(nb.read_text(encoding="utf-8"))


def code_cells(nb: Path) -> list[dict]:
    return [c for c in load(nb)["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_notebooks():
    assert NOTEBOOKS, "book/ holds no notebooks"


def test_every_toc_entry_exists():
    for entry in toc_files():
        matches = [p for p in (ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md") if p.exists()]
        assert matches, f"_toc.yml lists {entry!r} but neither {entry}.ipynb nor {entry}.md exists"


def test_every_page_is_in_the_toc():
    listed = set(toc_files())
    for page in [*NOTEBOOKS, *sorted((ROOT / "book").glob("*.md"))]:
        rel = page.relative_to(ROOT).with_suffix("").as_posix()
        assert rel in listed, f"{rel} is not in _toc.yml"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_stored_in_execution_order(nb):
    counts = [c.get("execution_count") for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{nb.name}: run `make execute` (counts {counts})"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_the_house_way(nb):
    cells = load(nb)["cells"]
    first, second = cells[0], cells[1]
    assert first["cell_type"] == "markdown"
    title = source(first).splitlines()[0]
    assert title.startswith("# "), f"{nb.name}: first line must be a '# ' title, got {title!r}"
    assert CJK.search(title), f"{nb.name}: the title carries the note's section name in Chinese"
    assert "You will learn" in source(first), f"{nb.name}: the opening lists what you will learn"
    assert second["cell_type"] == "code", f"{nb.name}: the second cell is the setup cell"
    setup = source(second)
    assert re.search(r"^from helpers import ", setup, re.M), f"{nb.name}: setup imports from helpers by name"
    assert "import *" not in setup
    assert re.search(r"^set_seed\(\d+\)", setup, re.M), f"{nb.name}: setup ends by seeding"
    others = [c for c in code_cells(nb)[1:] if re.search(r"^from helpers import", source(c), re.M)]
    assert not others, f"{nb.name}: only the setup cell imports from helpers"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_no_installs_and_no_widget_state(nb):
    for cell in code_cells(nb):
        assert not re.search(r"^\s*[!%]\s*pip", source(cell), re.M), f"{nb.name}: no pip inside lessons"
    assert "widgets" not in load(nb)["metadata"], f"{nb.name}: stored widget state would load a CDN"
    assert "allow_errors" not in json.dumps(load(nb)["metadata"])


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_do_not_churn(nb):
    """make execute stores no live widget view (a random model_id) and no execution timestamps."""
    for i, cell in enumerate(code_cells(nb)):
        assert "execution" not in cell["metadata"], f"{nb.name}: code cell {i} stores execution timestamps"
        for out in cell.get("outputs", []):
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {}), \
                f"{nb.name}: code cell {i} stores a live widget view: run `make execute`"
            page = "".join(out.get("data", {}).get("text/html", ""))
            if "rnn-explorer" in page or "Live explorer" in page:
                assert "rnn-explorer-frame" in page, \
                    f"{nb.name}: code cell {i} stores an explorer without its frames (executed with lazy frames?)"


def _names(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _assigned(tree: ast.AST) -> set[str]:
    """Names a cell binds: assignment and loop targets, with-as names, functions and classes."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)):
            targets = [node.target]
        elif isinstance(node, ast.With):
            targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        else:
            continue
        for target in targets:
            names |= _names(target)
    return names


def _checks(tree: ast.AST) -> list[ast.AST]:
    """assert statements and assert-style calls (torch.testing.assert_close, np.testing.assert_*)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            found.append(node)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.startswith("assert"):
                found.append(node)
    return found


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_ignored_outputs_are_asserted_next_door(nb):
    """A cell whose output nbval ignores is followed by a cell that asserts on what that cell computed."""
    cells = code_cells(nb)
    for i, cell in enumerate(cells):
        if "nbval-ignore-output" not in cell["metadata"].get("tags", []):
            continue
        assert i + 1 < len(cells), f"{nb.name}: code cell {i} ignores its output and nothing checks it"
        made = _assigned(ast.parse(source(cell)))
        checks = _checks(ast.parse(source(cells[i + 1])))
        assert checks, f"{nb.name}: code cell {i} ignores its output; the next code cell must assert"
        used = set().union(*(_names(check) for check in checks))
        assert made & used, (f"{nb.name}: code cell {i} ignores its output; the next cell's assertions must "
                             f"use what it computed ({sorted(made)[:8]}), they use {sorted(used)[:8]}")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_ends_with_summary_and_executed_exercises(nb):
    headings = [line for c in load(nb)["cells"] if c["cell_type"] == "markdown"
                for line in source(c).splitlines() if line.startswith("## ")]
    assert any(h.startswith("## Summary") for h in headings), f"{nb.name}: no '## Summary'"
    assert any(h.startswith("## Exercises") for h in headings), f"{nb.name}: no '## Exercises'"
    solutions = [c for c in code_cells(nb) if "hide-cell" in c["metadata"].get("tags", [])]
    assert 2 <= len(solutions) <= 4, f"{nb.name}: 2-4 executed solutions in dropdowns, found {len(solutions)}"
    # the prompt ("Show solution", 显示答案) is the book's, per edition: no cell sets its own
    own = [c for c in code_cells(nb) if {"code_prompt_show", "code_prompt_hide"} & set(c["metadata"].get("mystnb", {}))]
    assert not own, f"{nb.name}: {len(own)} cells set their own code_prompt_show/hide (the book sets it per edition)"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_caption_and_alt_text(nb):
    for cell in code_cells(nb):
        if "nbval-ignore-output" in cell["metadata"].get("tags", []):
            continue  # explorers: their frames carry their own alt text
        if any("image/png" in out.get("data", {}) for out in cell.get("outputs", [])):
            meta = cell["metadata"].get("mystnb", {})
            where = f"{nb.name}: figure from `{source(cell)[:50]}`"
            assert meta.get("figure", {}).get("caption"), f"{where} has no caption (mystnb.figure.caption)"
            assert meta.get("figure", {}).get("name"), f"{where} has no label (mystnb.figure.name)"
            assert meta.get("image", {}).get("alt"), f"{where} has no alt text (mystnb.image.alt)"
