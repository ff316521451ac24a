"""Sphinx configuration of the ecrm_methods documentation site (``bash scripts/docs.sh``).

Why this stack (the one Jupyter Book 1 is built on): Sphinx with myst-nb renders the notebooks
from their stored outputs and reads the Markdown of the README and the dataset cards;
autodoc + numpydoc render the API reference from the numpydoc docstrings the package is
written in, References sections included; Sphinx's own search works from static
files, offline. MkDocs with mkdocs-jupyter and mkdocstrings would serve the notebooks and
docstrings as well, but numpydoc is native to Sphinx, and Jupyter Book 2 has no docstring
reference. The furo theme bundles everything it needs (no web fonts, no CDN scripts).

Pages generated from the repository (notebook copies, API pages, the leaderboard) are written
by ``_ext/ecrm_docs.py`` at start-up and are ignored by git.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(REPO))

import ecrm_methods  # noqa: E402

project = "ecrm_methods"
author = "ecrm_methods contributors"
copyright = "ecrm_methods contributors, MIT licence"  # noqa: A001
release = ecrm_methods.__version__
version = release
language = "en"

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "myst_nb",  # also loads myst_parser for the .md pages
    "ecrm_docs",  # generated pages, offline math, offline check
]

root_doc = "index"
exclude_patterns = [
    "README.md",  # how to build the site, not a page of it
    "_build",
    "**.ipynb_checkpoints",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# --- notebooks: rendered from their stored outputs, never re-executed
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # the widget manager would come from a CDN; no notebook uses widgets
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = [
    # the notebooks (and the leaderboard) are written for reading on their own; a heading that
    # skips a level (H1 -> H3) there is a style choice of theirs, not an error of the site
    "myst.header",
]

# --- API reference: one page per public module (written by _ext/ecrm_docs.py): a summary
# table, then every public name rendered by autodoc + numpydoc. One page per name (autosummary's
# :toctree:) made the build four times slower: furo renders the whole navigation tree into
# every page, which grows with the square of the number of pages.
autodoc_typehints = "none"  # numpydoc's Parameters sections already give the types
autodoc_member_order = "bysource"
autodoc_inherit_docstrings = False  # scikit-learn's own methods are documented by scikit-learn
numpydoc_show_class_members = False  # autodoc's :members: documents them; no duplicate table
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- offline: no MathJax from a CDN (math shows as its LaTeX source, see _ext/ecrm_docs.py)
html_math_renderer = "plain"

# --- HTML
# the leaderboard page must read exactly as the committed file ('quantile', not curly quotes)
smartquotes = False
# the search page would fetch each hit's page for a text snippet, which a browser refuses for
# file:// pages (CORS); results list titles only, so the search works from a folder, offline
html_show_search_summary = False
html_theme = "furo"
html_title = f"ecrm_methods {release}"
html_static_path = ["_static"]
html_css_files = ["ecrm.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_with_keys": True,
}
