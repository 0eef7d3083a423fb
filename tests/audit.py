"""`make audit`: Lighthouse, the reader's measure, over every page of the built book.

Serves ``_build/html`` on 127.0.0.1 (a plain HTTP server; ``--gzip`` compresses text responses,
as most web hosts do), runs Lighthouse 12 (``tests/lighthouse``, installed by ``make audit``
with npm) in Debian's Chromium with its default mobile settings on each page of ``_toc.yml``,
and prints the four category scores and the first and largest contentful paint per page, for
both editions.
Writes ``_build/audit/lighthouse.json`` (or ``lighthouse-gzip.json``). Not a test: it takes a
few minutes and its performance numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import BOOK_HTML, CHROMIUM, CHROMIUM_ARGS, ROOT, _QuietHandler, serve
from test_browser import PAGES

LIGHTHOUSE = ROOT / "tests" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json", ".txt", ".woff", ".ttf")


class _GzipHandler(_QuietHandler):
    """Serves text files gzip-compressed when the browser accepts it."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if (path.suffix in COMPRESSIBLE and path.is_file()
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return _Bytes(body)
        return super().send_head()


class _Bytes:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def audit(url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
        subprocess.run(["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
                        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}",
                        "--disable-full-page-screenshot"],
                       check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
        report = json.loads(out.read_text())
    audits = report["audits"]
    failed = {cat: [ref["id"] for ref in report["categories"][cat]["auditRefs"]
                    if ref["weight"] > 0 and (audits[ref["id"]].get("score") is not None)
                    and audits[ref["id"]]["score"] < 1]
              for cat in CATEGORIES if cat != "performance"}
    return {
        **{cat: round(100 * report["categories"][cat]["score"]) for cat in CATEGORIES},
        "fcp_s": round(audits["first-contentful-paint"]["numericValue"] / 1000, 1),
        "lcp_s": round(audits["largest-contentful-paint"]["numericValue"] / 1000, 1),
        "transfer_kb": round(audits["total-byte-weight"]["numericValue"] / 1024),
        "not_passed": {cat: ids for cat, ids in failed.items() if ids},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gzip", action="store_true", help="serve text responses gzip-compressed")
    parser.add_argument("pages", nargs="*", help="pages to audit (default: every page of _toc.yml, both editions)")
    args = parser.parse_args(argv)
    if CHROMIUM is None:
        sys.exit("make audit needs Debian's Chromium: apt-get install chromium")
    if not LIGHTHOUSE.exists():
        sys.exit(f"no Lighthouse at {LIGHTHOUSE}: run `make audit` (it installs it with npm)")
    if not (BOOK_HTML / "index.html").exists():
        sys.exit("no built book: run `make book` first")
    server, base = serve(BOOK_HTML, _GzipHandler if args.gzip else _QuietHandler)
    pages = args.pages or PAGES
    results = {}
    print(f"{'page':48s} perf  a11y  best  seo   FCP s  LCP s  KB")
    for path in pages:
        r = results[path] = audit(base + path)
        print(f"{path:48s} {r['performance']:4d} {r['accessibility']:5d} {r['best-practices']:5d} {r['seo']:4d} "
              f"{r['fcp_s']:6.1f} {r['lcp_s']:6.1f} {r['transfer_kb']:5d}", flush=True)
        if r["not_passed"]:
            print(f"{'':48s} not passed: {r['not_passed']}")
    server.shutdown()
    out_dir = ROOT / "_build" / "audit"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / ("lighthouse-gzip.json" if args.gzip else "lighthouse.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
