"""The 中文 edition cannot silently drift from the English source.

The English text is re-extracted from the current sources (Sphinx's gettext builder, as
`make update-po` does) and compared with the catalogs in book/locale/zh_CN: every page has a
catalog, every English message is in it, translated, and not marked fuzzy. After changing a
notebook's prose: `make update-po`, translate what it marks, `make book`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_notebooks import ROOT, toc_files

CATALOGS = ROOT / "book" / "locale" / "zh_CN" / "LC_MESSAGES"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """The .pot files of the current English sources."""
    import editions

    out = tmp_path_factory.mktemp("gettext")
    editions.sphinx("gettext", out, editions.I18N, strict=False)
    return out


def _messages(path: Path) -> dict:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f)
    return {m.id: m for m in catalog if m.id}


@pytest.mark.parametrize("entry", toc_files())
def test_every_page_is_translated_and_current(templates, entry):
    pot, po = templates / f"{entry}.pot", CATALOGS / f"{entry}.po"
    assert pot.exists(), f"gettext extracted nothing for {entry}"
    assert po.exists(), f"{entry} has no Chinese catalog: run `make update-po` and translate {po}"
    english, chinese = _messages(pot), _messages(po)
    missing = [m for m in english if m not in chinese]
    untranslated = [m for m in english if m in chinese and not chinese[m].string]
    fuzzy = [m for m in english if m in chinese and chinese[m].fuzzy]
    assert not missing, f"{po.name}: {len(missing)} English messages not in the catalog (make update-po): {missing[:3]}"
    assert not untranslated, f"{po.name}: {len(untranslated)} messages untranslated: {untranslated[:3]}"
    assert not fuzzy, f"{po.name}: {len(fuzzy)} fuzzy (changed in English, check the translation): {fuzzy[:3]}"


def _catalog(entry: str):
    """The page's catalog and its translated messages (a missing catalog fails the test)."""
    po = CATALOGS / f"{entry}.po"
    if not po.exists():
        pytest.fail(f"{entry} has no Chinese catalog")
    return po, [m for m in _messages(po).values() if m.string]


@pytest.mark.parametrize("entry", toc_files())
def test_translations_are_chinese_prose(entry):
    """A translated paragraph reads as Chinese (code names and math stay as they are)."""
    po, translated = _catalog(entry)
    # display math is extracted without its $$ and stays identical: not prose
    prose = [m for m in translated if len(re.sub(r"`[^`]*`|\$[^$]*\$", "", m.id)) > 60
             and not (m.string == m.id and re.search(r"\\[a-zA-Z]+", m.id))]
    not_chinese = [m.id[:60] for m in prose if not CJK.search(m.string)]
    assert not not_chinese, f"{po.name}: long messages whose translation has no Chinese: {not_chinese[:3]}"


_CODE = re.compile(r"``[^`]+``|`[^`\n]+`")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
_ROLE = re.compile(r"(?<![A-Za-z0-9_`])\{(\w+)\}`([^`]*)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def markup(text: str) -> dict[str, list[str]]:
    """What a translation must keep as it is: inline code, math, roles and their targets, link targets."""
    without_roles = _ROLE.sub("", text)
    roles = [f"{name}:{target.split('<')[-1].rstrip('>')}" for name, target in _ROLE.findall(text)]
    return {"code": sorted(_CODE.findall(without_roles)), "math": sorted(_MATH.findall(_CODE.sub("", text))),
            "roles": sorted(roles), "links": sorted(_LINK.findall(text))}


@pytest.mark.parametrize("entry", toc_files())
def test_translations_keep_code_math_and_links(entry):
    """Code stays English and identical, math identical, every cross-reference and link kept."""
    po, translated = _catalog(entry)
    broken = []
    for message in translated:
        want, got = markup(message.id), markup(message.string)
        lost = {kind: sorted(set(want[kind]) ^ set(got[kind])) for kind in want if set(want[kind]) != set(got[kind])}
        if lost:
            broken.append(f"{message.id[:50]!r}: {lost}")
    assert not broken, f"{po.name}: translations that change code, math or links:\n" + "\n".join(broken[:5])


def _display_math(text: str) -> bool:
    """A display-math block, extracted without its $$: LaTeX commands, no inline code or $."""
    return bool(re.search(r"\\[a-zA-Z]+", text)) and "$" not in text and "`" not in text


@pytest.mark.parametrize("entry", toc_files())
def test_display_math_is_not_translated(entry):
    """A display-math block whose text changes is rendered as a bare '::' by Sphinx's i18n: keep it."""
    po, translated = _catalog(entry)
    changed = [m.id[:60] for m in translated if _display_math(m.id) and m.string != m.id]
    assert not changed, f"{po.name}: display math translated (it must stay identical): {changed[:3]}"


@pytest.mark.parametrize("entry", toc_files())
def test_numbered_headings_keep_their_number_escaped(entry):
    """A translation starting '1. ' reads as a numbered list to Sphinx, which then drops it for the
    English: write '1\\. ' (it shows as '1.')."""
    po, translated = _catalog(entry)
    bad = [m.string[:40] for m in translated if re.match(r"\d+\. ", m.string)]
    assert not bad, f"{po.name}: translations that start with an unescaped number: {bad[:3]}"
