"""The PDFs `make pdf` writes (make test makes them first): one per edition, the whole book in
each, figures and math included, Chinese glyphs from a CJK font in the 中文 edition."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT, missing
from test_notebooks import toc_files

PDF = ROOT / "_build" / "pdf"
EDITIONS = {"en": PDF / "rnn-course.pdf", "zh_CN": PDF / "rnn-course.zh_CN.pdf"}


def _pdf(edition: str) -> bytes:
    path = EDITIONS[edition]
    if not path.exists():
        missing(f"no {path.name}: run `make pdf` (make test does)")
    return path.read_bytes()


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_holds_the_whole_book(edition):
    data = _pdf(edition)
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 5 * len(toc_files()), f"{edition}: only {pages} pages for {len(toc_files())} chapters and appendices"
    images = len(re.findall(rb"/Subtype\s*/Image\b", data))
    assert images >= 30, f"{edition}: only {images} images: figures or explorer frames are missing"
    fonts = set(re.findall(rb"/FontName\s*/[A-Z]{6}\+([A-Za-z0-9_-]+)", data))
    assert any(f.startswith(b"MathJax_") for f in fonts), f"{edition}: no MathJax font, math not typeset: {sorted(fonts)}"
    others = [f for f in fonts if re.search(rb"CJK(jp|kr|tc|hk)", f)]
    assert not others, f"{edition}: Chinese set in another CJK variant's glyphs: {others}"


def test_chinese_pdf_uses_a_cjk_font():
    data = _pdf("zh_CN")
    fonts = set(re.findall(rb"/FontName\s*/[A-Z]{6}\+([A-Za-z0-9_-]+)", data))
    assert any(b"CJK" in f for f in fonts), f"no CJK font embedded: Chinese would be boxes. Fonts: {sorted(fonts)}"
