"""Notebook hygiene, no kernel needed: the toc, stored outputs, the house opening, no installs."""
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
def test_ignored_outputs_are_asserted_next_door(nb):
    cells = code_cells(nb)
    for i, cell in enumerate(cells):
        if "nbval-ignore-output" in cell["metadata"].get("tags", []):
            following = source(cells[i + 1]) if i + 1 < len(cells) else ""
            assert "assert" in following, f"{nb.name}: cell {i} ignores its output; the next cell must assert"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_ends_with_summary_and_executed_exercises(nb):
    headings = [line for c in load(nb)["cells"] if c["cell_type"] == "markdown"
                for line in source(c).splitlines() if line.startswith("## ")]
    assert any(h.startswith("## Summary") for h in headings), f"{nb.name}: no '## Summary'"
    assert any(h.startswith("## Exercises") for h in headings), f"{nb.name}: no '## Exercises'"
    solutions = [c for c in code_cells(nb) if "hide-cell" in c["metadata"].get("tags", [])
                 and c["metadata"].get("mystnb", {}).get("code_prompt_show") == "Show solution"]
    assert 2 <= len(solutions) <= 4, f"{nb.name}: 2-4 executed solutions in dropdowns, found {len(solutions)}"


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
