"""Sphinx extension: the pages of the site that are generated from the repository.

Nothing here is written by hand, so nothing can drift from what it describes. At
``config-inited`` (before autosummary and before Sphinx looks for source files) it writes,
under ``docs/`` and ignored by git:

- ``notebooks/*.ipynb``: copies of ``notebooks/*.ipynb`` (a glob: a new notebook appears on the
  site with no change here), rendered by myst-nb from their stored outputs;
- ``api/*.rst``: one page per public module of ``ecrm_methods``, listing every public name
  (``__all__``, or for a module without one, the names it defines) in an autosummary table,
  each documented (autodoc + numpydoc) on its module's page, after a summary table;
- ``leaderboard.md``: the committed ``benchmark_results/leaderboard.md``, included whole, or a
  page saying the results are not committed yet.

It also registers the ``plain`` math renderer (math shown as its LaTeX source, no MathJax: the
site must work offline) and, at ``build-finished``, warns about any script, stylesheet or font
the built pages would fetch from another host (a warning fails the ``-W`` build).
"""

from __future__ import annotations

import filecmp
import importlib
import inspect
import pkgutil
import pprint
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "ecrm_methods"

LEADERBOARD_MISSING = """\
# Benchmark leaderboard

The benchmark results are not committed yet: this page shows
`benchmark_results/leaderboard.md` once a full run of the benchmark grid is committed there.
Until then, `bash scripts/run.sh` (or `ecrm main`) writes a leaderboard of your own to
`results/leaderboard.md`.
"""


# --------------------------------------------------------------------------- generated pages
def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` unless it already holds exactly that (keeps mtimes stable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def copy_notebooks(repo: Path, docs: Path) -> list[str]:
    """Mirror ``notebooks/*.ipynb`` into ``docs/notebooks/``; return the notebook names."""
    target = docs / "notebooks"
    target.mkdir(exist_ok=True)
    # a notebook whose name starts with "_" is a draft, not part of the suite
    sources = [nb for nb in sorted((repo / "notebooks").glob("*.ipynb")) if nb.name[0] not in "_."]
    names = {src.name for src in sources}
    for stale in target.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    for src in sources:
        dst = target / src.name
        if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
            shutil.copyfile(src, dst)
    return [src.stem for src in sources]


def write_leaderboard(repo: Path, docs: Path) -> bool:
    """Write ``docs/leaderboard.md``; return whether the committed results exist."""
    committed = repo / "benchmark_results" / "leaderboard.md"
    if committed.is_file():
        # included whole, its headings one level down under the page title (the file has
        # several top-level headings, which would each become an entry of the site's menu)
        text = (
            "# Benchmark leaderboard\n\n"
            "The committed results of the full benchmark grid, "
            "`benchmark_results/leaderboard.md`:\n\n"
            "```{include} ../benchmark_results/leaderboard.md\n:heading-offset: 1\n```\n"
        )
    else:
        text = LEADERBOARD_MISSING
    _write_if_changed(docs / "leaderboard.md", text)
    return committed.is_file()


def public_modules() -> list[str]:
    """Every importable public module of the package, sorted (no ``_private`` part)."""
    package = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(names)


def _assigned_in(module_name: str, name: str) -> bool:
    """Whether ``name`` is assigned at the top level of the module's own source."""
    module = importlib.import_module(module_name)
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return False
    return re.search(rf"^{re.escape(name)}\s*(:[^=\n]*)?=", source, flags=re.MULTILINE) is not None


def public_names(module_name: str) -> list[str]:
    """``__all__``, or the public functions, classes and UPPER_CASE constants the module defines."""
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    if exported is not None:
        return list(exported)
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or inspect.ismodule(obj):
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if obj.__module__ == module_name:
                names.append(name)
        elif name.isupper() and _assigned_in(module_name, name):
            names.append(name)
    return names


def _defining_module(obj, name: str, exporters: list[str]) -> str | None:
    """The module an object is defined in (for a constant: the module that assigns it)."""
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return getattr(obj, "__module__", None)
    for module_name in exporters:
        if _assigned_in(module_name, name):
            return module_name
    # assigned in a submodule (often a private one) and re-exported by its package
    for module_name in exporters:
        module = importlib.import_module(module_name)
        for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
            full = f"{module_name}.{sub.name}"
            if _assigned_in(full, name):
                return full
    return None


class ApiName:
    """One public name: where it is documented, what it is, where it is defined."""

    def __init__(self, name: str, obj, defined: str | None) -> None:
        self.name = name
        self.obj = obj
        self.defined = defined
        if inspect.isclass(obj):
            self.kind = "class"
        elif callable(obj):
            self.kind = "function"
        else:
            self.kind = "data"

    def comment(self) -> list[str]:
        """The ``#:`` doc comment of a constant, from the module that assigns it."""
        if self.defined is None:
            return []
        try:
            docs = ModuleAnalyzer.for_module(self.defined).find_attr_docs()
        except PycodeError:
            return []
        return list(docs.get(("", self.name), []))

    def summary(self) -> str:
        """The first sentence of the docstring (or doc comment), for the summary table."""
        if self.kind == "data":
            text = " ".join(self.comment())
        else:
            text = inspect.getdoc(self.obj) or ""
        paragraph = text.strip().split("\n\n")[0].replace("\n", " ")
        match = re.match(r"(.+?\.)(\s|$)", paragraph)
        return (match.group(1) if match else paragraph).strip()


def api_layout() -> dict[str, tuple[list[ApiName], list[tuple[str, str]]]]:
    """Module -> (names documented on its page, [(re-exported name, home module)]).

    Each object is documented once, under the shortest public module that exports it and
    contains its definition (``ecrm_methods.evaluation`` for a metric defined in
    ``evaluation/metrics.py``); other modules that re-export it link there.
    """
    modules = public_modules()
    exports = {module: public_names(module) for module in modules}
    exporters: dict[tuple[int, str], list[str]] = {}
    objects = {}
    for module in modules:
        mod = importlib.import_module(module)
        for name in exports[module]:
            obj = getattr(mod, name)
            key = (id(obj), name)
            objects[key] = obj
            exporters.setdefault(key, []).append(module)
    home, defined_in = {}, {}
    for key, where in exporters.items():
        defined = _defining_module(objects[key], key[1], where)
        candidates = [m for m in where if defined and (defined == m or defined.startswith(m + "."))]
        home[key] = min(candidates or where, key=lambda m: (m.count("."), len(m), m))
        defined_in[key] = defined
    layout = {}
    for module in modules:
        mod = importlib.import_module(module)
        own, elsewhere = [], []
        for name in exports[module]:
            key = (id(getattr(mod, name)), name)
            if home[key] == module:
                own.append(ApiName(name, objects[key], defined_in[key]))
            else:
                elsewhere.append((name, home[key]))
        layout[module] = (own, elsewhere)
    return layout


SECTIONS = (("class", "Classes"), ("function", "Functions"), ("data", "Constants"))


def _heading(text: str, char: str) -> list[str]:
    return [text, char * len(text), ""]


def _indent(lines: list[str], prefix: str = "   ") -> list[str]:
    return [prefix + line if line.strip() else "" for line in lines]


def _entry(item: ApiName) -> list[str]:
    if item.kind == "class":
        return [f".. autoclass:: {item.name}", "   :members:", "   :show-inheritance:", ""]
    if item.kind == "function":
        return [f".. autofunction:: {item.name}", ""]
    # constants: written out here rather than by autodata, which would show the docstring of
    # the value's type (tuple, dict) for a constant without a doc comment, and cannot find the
    # doc comment of a constant its package re-exports
    lines = [f".. py:data:: {item.name}"]
    value = repr(item.obj)
    if len(value) <= 100 and " at 0x" not in value and "\n" not in value:
        lines.append(f"   :value: {value}")
    lines.append("")
    comment = item.comment()
    if not comment:
        # no doc comment: the value is the documentation (the benchmark's settings)
        shown = pprint.pformat(item.obj, width=90, sort_dicts=False).splitlines()
        if len(shown) > 40:
            shown = shown[:40] + ["..."]
        comment = [f"A ``{type(item.obj).__name__}``::", ""] + _indent(shown, "    ")
    return lines + _indent(comment) + [""]


def _module_page(module: str, own: list[ApiName], elsewhere: list[tuple[str, str]]) -> str:
    lines = [f".. _api-{module}:", ""]
    lines += _heading(f"``{module}``", "=")
    lines += [
        f".. automodule:: {module}",
        "   :no-members:",
        "",
        f".. currentmodule:: {module}",
        "",
    ]
    if own:
        lines += _heading("Summary", "-")
        lines += [".. list-table::", "   :widths: 30 70", ""]
        for item in own:
            lines += [f"   * - :py:obj:`{item.name}`", f"     - {item.summary() or ' '}"]
        lines.append("")
    if elsewhere:
        lines += _heading("Also importable from here", "-")
        lines += ["Re-exported names, documented where they are defined:", ""]
        lines += [f"- :py:obj:`{name} <{home}.{name}>` (``{home}``)" for name, home in elsewhere]
        lines.append("")
    for kind, title in SECTIONS:
        items = [item for item in own if item.kind == kind]
        if items:
            lines += _heading(title, "-")
            for item in items:
                lines += _entry(item)
    return "\n".join(lines)


def write_api_pages(docs: Path) -> list[str]:
    """Write ``docs/api/<module>.rst`` for every public module; return the modules."""
    layout = api_layout()
    target = docs / "api"
    target.mkdir(exist_ok=True)
    shutil.rmtree(target / "generated", ignore_errors=True)  # left by an older layout
    keep = {f"{module}.rst" for module in layout}
    for stale in target.glob("*.rst"):
        if stale.name not in keep:
            stale.unlink()
    for module, (own, elsewhere) in layout.items():
        _write_if_changed(target / f"{module}.rst", _module_page(module, own, elsewhere))
    return list(layout)


def generate(app, config) -> None:
    docs = Path(app.srcdir)
    repo = docs.parent
    notebooks = copy_notebooks(repo, docs)
    committed = write_leaderboard(repo, docs)
    modules = write_api_pages(docs)
    logger.info(
        "ecrm_docs: %d notebooks, %d API modules, leaderboard %s",
        len(notebooks),
        len(modules),
        "from benchmark_results/leaderboard.md" if committed else "not committed yet",
    )


# --------------------------------------------------------------------------- docstrings
# scikit-learn adds set_fit_request & co. to every estimator class (metadata routing); they
# are documented by scikit-learn and refer to its glossary, which this site does not have
SKLEARN_GENERATED = re.compile(r"^set_\w+_request$")


def skip_member(app, what, name, obj, skip, options):
    if SKLEARN_GENERATED.match(name):
        return True
    return None


# numpydoc renders "**name** : type"; a trailing underscore in the type, as in
# "ndarray of shape (n_features_in_,)", would be a reST reference: escape it
TYPE_LINE = re.compile(r"^(\s*\*\*[^*]+\*\* : )(.*)$")
TRAILING_UNDERSCORE = re.compile(r"(?<=\w)_(?=[,)\s]|$)")


def escape_types(app, what, name, obj, options, lines) -> None:
    for i, line in enumerate(lines):
        match = TYPE_LINE.match(line)
        if match and "`" not in match.group(2):
            lines[i] = match.group(1) + TRAILING_UNDERSCORE.sub(r"\\_", match.group(2))


# --------------------------------------------------------------------------- offline math
def _visit_math_plain(self, node) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(self.encode(node.astext()))
    self.body.append("</span>")
    raise nodes.SkipNode


def _visit_displaymath_plain(self, node) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    self.body.append("<pre>" + self.encode(node.astext()) + "</pre></div>\n")
    raise nodes.SkipNode


# --------------------------------------------------------------------------- offline check
ASSET_TAG = re.compile(r"<(script|link|img|iframe|source|video|audio|embed)\b([^>]*)>", re.I)
ASSET_URL = re.compile(r"""\b(src|href)\s*=\s*["']?([^"'\s>]+)""", re.I)
REL = re.compile(r"""\brel\s*=\s*["']?([^"'>]+)""", re.I)
REMOTE = re.compile(r"^(https?:)?//", re.I)
CSS_REMOTE = re.compile(r"(@import\s+(url\()?|url\()\s*['\"]?(https?:)?//", re.I)


def remote_assets(outdir: Path) -> list[str]:
    """Every script, stylesheet, font, image or frame a built page would fetch from another host.

    Links a reader follows (``<a href>``, ``<link rel="canonical">``) are not fetched and are
    allowed.
    """
    found = []
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for tag in ASSET_TAG.finditer(text):
            name, attrs = tag.group(1).lower(), tag.group(2)
            rel = REL.search(attrs)
            if name == "link" and rel and rel.group(1).strip().lower() == "canonical":
                continue
            for url in ASSET_URL.finditer(attrs):
                if REMOTE.match(url.group(2)):
                    found.append(f"{page.relative_to(outdir)}: <{name}> {url.group(2)}")
    for sheet in sorted(outdir.rglob("*.css")):
        if CSS_REMOTE.search(sheet.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{sheet.relative_to(outdir)}: remote url() or @import")
    return found


def check_offline(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for item in remote_assets(Path(app.outdir)):
        logger.warning("the site would fetch from another host (must work offline): %s", item)


def setup(app):
    app.connect("config-inited", generate)
    app.connect("autodoc-skip-member", skip_member)
    app.connect("autodoc-process-docstring", escape_types, priority=900)  # after numpydoc
    app.add_html_math_renderer("plain", (_visit_math_plain, None), (_visit_displaymath_plain, None))
    app.connect("build-finished", check_offline)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
