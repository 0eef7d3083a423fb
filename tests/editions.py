"""The book's two editions, English and 中文, from the same notebooks (Sphinx i18n).

English is the source. The Chinese edition is the same Jupyter Book configuration built with
``language = zh_CN``: Sphinx replaces every translatable paragraph, heading, caption and
alt text by its translation from ``book/locale/zh_CN/LC_MESSAGES/book/<page>.po``; code
cells and their outputs are not translatable and stay identical. The Jupyter Book CLI has no
``-D``, so this script calls Jupyter Book's own ``build_sphinx`` with the configuration of
``_config.yml`` plus the overrides below.

    python tests/editions.py zh        the Chinese edition: _build/html/zh_CN/ (make book builds
                                       the English one with the Jupyter Book CLI, then this)
    python tests/editions.py gettext   extract the English text into _build/gettext/*.pot
    python tests/editions.py update    gettext, then merge the .pot into the .po catalogs
                                       (--pages book/07_lstm ...: only those catalogs)
    python tests/editions.py pdf       one PDF per edition in _build/pdf/ (singlehtml + Chromium)
    python tests/editions.py stale     prints "--all" when the English build is older than a static
                                       file, template or configuration (make book-en passes it on)
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
LOCALE_DIR = "book/locale"           # relative to the source directory (the repository root)
LANGUAGE = "zh_CN"
# Settings the Chinese edition adds to _config.yml. Smart quotes off: they would rewrite the
# quotes of raw HTML inside translated blocks. Literal blocks are not translated (code stays
# English; translating them breaks MyST code cells, MyST-Parser #444).
I18N = {"project": "RNNs, from the note to the code", "locale_dirs": [LOCALE_DIR],
        "gettext_compact": False, "gettext_uuid": False, "gettext_location": False,
        "gettext_additional_targets": ["index"]}
ZH = {**I18N, "language": LANGUAGE, "smartquotes": False, "html_title": "RNN：从笔记到代码",
      "nb_code_prompt_show": "显示答案", "nb_code_prompt_hide": "隐藏答案"}
OUT = {"en": BUILD / "html", LANGUAGE: BUILD / "html" / LANGUAGE}


# When no page changed, Sphinx writes nothing and does not copy _static again: a change to a
# static file (and, to be safe, to a template or the configuration) forces a full build.
UNTRACKED = ["book/_static", "book/_templates", "_config.yml", "_toc.yml"]


def stale(outdir: Path) -> bool:
    """True when a static file, template or configuration is newer than the last build in ``outdir``."""
    built = outdir / "searchindex.js"
    if not built.exists():
        return False
    since = built.stat().st_mtime
    files = [p for name in UNTRACKED for p in ([ROOT / name] + list((ROOT / name).rglob("*")))]
    return any(p.is_file() and p.stat().st_mtime > since for p in files)


def sphinx(builder: str, outdir: Path, overrides: dict, *, strict: bool = True, doctrees: Path | None = None) -> None:
    """Build with Jupyter Book's configuration (_config.yml, _toc.yml) plus ``overrides``."""
    from jupyter_book.sphinx import build_sphinx

    doctrees = doctrees or BUILD / f".doctrees-{builder}-{overrides.get('language', 'en')}"
    cli = {"external_toc_path": (ROOT / "_toc.yml").as_posix(), "latex_individualpages": False,
           "nitpicky": True, **overrides}  # what `jupyter-book build -n` passes (toc overridable)
    result = build_sphinx(ROOT, outdir, noconfig=True, path_config=str(ROOT / "_config.yml"),
                          doctreedir=doctrees, confoverrides=cli, builder=builder, force_all=stale(outdir),
                          warningiserror=strict, keep_going=True)
    if result != 0:
        raise SystemExit(f"sphinx {builder} build ({overrides.get('language', 'en')}) failed: {result}")


def zh_toc() -> Path:
    """_toc.yml with its part captions translated from the catalogs.

    sphinx-external-toc inserts the captions after Sphinx has applied the translations, so the
    Chinese edition reads them from a toc of its own, written from _toc.yml and the catalogs.
    """
    import yaml
    from babel.messages.pofile import read_po

    translated = {}
    for po in sorted((ROOT / LOCALE_DIR / LANGUAGE / "LC_MESSAGES").rglob("*.po")):
        with po.open("rb") as f:
            translated.update({m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy})
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        if "caption" in part:
            if part["caption"] not in translated:
                raise SystemExit(f"the toc caption {part['caption']!r} has no translation: make update-po")
            part["caption"] = translated[part["caption"]]
    out = BUILD / "zh_CN_toc.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def search_dictionary() -> Path:
    """The glossary's Chinese terms as a jieba dictionary, so the search index holds 隐藏状态 as a
    word as well as 隐藏 and 状态 (a reader types the term whole)."""
    from babel.messages.pofile import read_po

    with (ROOT / LOCALE_DIR / LANGUAGE / "LC_MESSAGES" / "book" / "glossary.po").open("rb") as f:
        catalog = read_po(f)
    words = set()
    for message in catalog:
        # a term line: "hidden state (隐藏状态, 隐状态)" -> "隐藏状态 / 隐状态（hidden state）"
        if message.id and message.string and "\n" not in message.id and message.id.endswith(")") \
                and len(message.id) < 90 and "（" in message.string:
            for word in message.string.split("（")[0].replace("与", "/").split("/"):
                word = word.strip()
                if word and " " not in word and any("\u4e00" <= ch <= "\u9fff" for ch in word):
                    words.add(word)
    out = BUILD / "zh_CN_search_dict.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(f"{w} 1000\n" for w in sorted(words)), encoding="utf-8")
    return out


def html_zh(out: Path | None = None) -> Path:
    """The Chinese edition, in _build/html/zh_CN (or ``out``, with its own doctrees)."""
    overrides = {**ZH, "external_toc_path": zh_toc().as_posix(),
                 "html_search_options": {"dict": search_dictionary().as_posix()}}
    if out is None:
        sphinx("html", OUT[LANGUAGE], overrides)
        return OUT[LANGUAGE] / "index.html"
    sphinx("html", out, overrides, doctrees=out / ".doctrees")
    return out / "index.html"


def gettext() -> Path:
    out = BUILD / "gettext"
    shutil.rmtree(out, ignore_errors=True)
    sphinx("gettext", out, I18N, strict=False)  # the html builds are the strict ones
    return out


def update(pages: list[str] | None = None) -> None:
    """Re-extract the English text and merge it into the Chinese catalogs (sphinx-intl).

    ``pages`` (e.g. ``["book/07_lstm"]``) limits the merge to those pages' catalogs.
    """
    import tempfile

    from sphinx_intl.commands import main as intl

    pot = gettext()
    with tempfile.TemporaryDirectory(prefix="pot-") as tmp:
        if pages:
            for page in pages:
                (Path(tmp) / page).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(pot / f"{page}.pot", Path(tmp) / f"{page}.pot")
            pot = Path(tmp)
        try:
            intl(["update", "-p", str(pot), "-l", LANGUAGE, "-d", str(ROOT / LOCALE_DIR), "-w", "100"],
                 standalone_mode=False)
        except SystemExit as exit_:
            if exit_.code:
                raise


def pdf() -> list[Path]:
    """singlehtml of each edition, printed to PDF by Debian's Chromium once MathJax is done."""
    from conftest import CHROMIUM, CHROMIUM_ARGS, serve
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise SystemExit("make pdf needs Debian's Chromium (apt-get install chromium) and, for Chinese, "
                         "a CJK font (apt-get install fonts-noto-cjk)")
    sources = {"en": BUILD / "singlehtml" / "en", LANGUAGE: BUILD / "singlehtml" / LANGUAGE}
    sphinx("singlehtml", sources["en"], {})
    sphinx("singlehtml", sources[LANGUAGE], {**ZH, "external_toc_path": zh_toc().as_posix()})
    for folder in sources.values():
        # singlehtml writes the whole book to the root page's path (book/intro.html) but links its
        # assets as if it stood at the top: put it there.
        shutil.copyfile(folder / "book" / "intro.html", folder / "index.html")
    (BUILD / "pdf").mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for edition, folder in sources.items():
            server, base = serve(folder)
            page = browser.new_page()
            page.goto(base + "index.html", wait_until="networkidle")
            page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
            page.emulate_media(media="print")
            name = "rnn-course.pdf" if edition == "en" else f"rnn-course.{edition}.pdf"
            out = BUILD / "pdf" / name
            page.pdf(path=str(out), format="A4", print_background=True,
                     margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            written.append(out)
            page.close()
            server.shutdown()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["zh", "gettext", "update", "pdf", "stale"])
    parser.add_argument("--out", type=Path, help="zh: build into this folder instead of _build/html/zh_CN")
    parser.add_argument("--pages", nargs="+", help="update: only these pages' catalogs (e.g. book/07_lstm)")
    args = parser.parse_args(argv)
    if args.what == "stale":                       # make book-en: "--all" when the English build is stale
        print("--all" if stale(OUT["en"]) else "")
    elif args.what == "zh":
        print("Open:", html_zh(args.out))
    elif args.what == "gettext":
        print("wrote", gettext())
    elif args.what == "update":
        update(args.pages)
        print("updated", ROOT / LOCALE_DIR / LANGUAGE / "LC_MESSAGES")
    else:
        for path in pdf():
            print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
