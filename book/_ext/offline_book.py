"""Keep the built book self-contained and its console clean.

- Jupyter Book always loads sphinx-thebe, whose inline config points at a CDN (and is
  emitted twice, a SyntaxError in the console), and its per-page config names a Binder
  repository that is not ours. Launch buttons are off here, so drop all of it.
- pydata-sphinx-theme reads an empty theme mode on a first visit and logs a console error;
  default the mode to "auto" before its script runs.
"""

_MODE_FIX = ('if (!localStorage.getItem("mode")) { localStorage.setItem("mode", "auto"); }'
             ' if (!document.documentElement.dataset.mode) { document.documentElement.dataset.mode = "auto"; }')


def _is_thebe(script) -> bool:
    body = getattr(script, "attributes", {}).get("body", "")
    return "sphinx-thebe" in str(script) or "THEBE_JS_URL" in body


def _page_context(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe(s)]
    if "css_files" in context:
        context["css_files"] = [c for c in context["css_files"] if "sphinx-thebe" not in str(c)]


def _drop_thebe_config(app, doctree, docname):
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in node.astext():
            node.parent.remove(node)


def setup(app):
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)
    app.add_js_file(None, body=_MODE_FIX, priority=1)
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
