"""The documentation site: built by ``scripts/docs.sh``, checked as files and in a real browser.

The site is built once for the module (about a minute). The file checks cover every page:
internal links and anchors resolve, nothing is fetched from another host, every notebook and
every public name has its page, the leaderboard page equals the committed
``benchmark_results/leaderboard.md``. The browser checks open the pages in headless Chromium
(Debian's ``chromium`` and ``chromium-driver``, driven by Selenium with the driver path given,
so Selenium Manager never downloads anything): the home page, a notebook page and a search load
without console errors, the notebook's figures are drawn, and screenshots are written to
``site/_screenshots/`` for a person to look at. Where the browser is not installed those tests
skip (``.ci/run`` installs it in CI); nothing is installed at run time.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
LEADERBOARD = ROOT / "benchmark_results" / "leaderboard.md"
CJK = re.compile(r"[0-9/]*[\u4e00-\u9fff]+")
DOCS_MODULES = ("sphinx", "myst_nb", "numpydoc", "furo")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def committed_notebooks() -> list[Path]:
    """The notebooks of the suite (a name starting with ``_`` is a draft)."""
    return [nb for nb in sorted((ROOT / "notebooks").glob("*.ipynb")) if nb.name[0] not in "_."]


# --------------------------------------------------------------------------- glossary
def _chinese_terms() -> dict[str, str]:
    """Every Chinese term of the package's source and the notebooks' text -> where it is."""
    terms: dict[str, str] = {}
    for path in sorted((ROOT / "ecrm_methods").rglob("*.py")):
        for term in CJK.findall(path.read_text(encoding="utf-8")):
            terms.setdefault(term, str(path.relative_to(ROOT)))
    for path in committed_notebooks():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            for term in CJK.findall("".join(cell["source"])):
                terms.setdefault(term, str(path.relative_to(ROOT)))
    return terms


def test_glossary_has_every_chinese_term():
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    terms = _chinese_terms()
    assert "客户细分" in terms and "神经网络" in terms, (
        "the term scan found none of the known terms"
    )
    missing = {term: where for term, where in terms.items() if term not in glossary}
    assert not missing, f"Chinese terms used but not in docs/glossary.md: {missing}"


# --------------------------------------------------------------------------- the build
@pytest.fixture(scope="module")
def site() -> Path:
    missing = [name for name in DOCS_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(
            f"the docs extra is not installed ({', '.join(missing)} missing): "
            "pip install -e '.[docs]' (scripts/setup.sh installs it)"
        )
    env = dict(os.environ, ECRM_DOCS_PYTHON=sys.executable)
    proc = subprocess.run(
        ["bash", "scripts/docs.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"bash scripts/docs.sh failed (warnings are errors):\n{output}"
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, output
    assert (SITE / "index.html").is_file()
    return SITE


class _Page(HTMLParser):
    """The ids, links, assets, headings, tables and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url) for a/link href, script/img src
        self.headings: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._heading: list[str] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skipping: list[str] = []  # inside a headerlink ("¶") or a script/style

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) is not None:
                self.links.append((tag, attrs[key]))
        classes = (attrs.get("class") or "").split()
        if self._skipping or tag in ("script", "style") or "headerlink" in classes:
            if tag not in VOID:
                self._skipping.append(tag)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = []
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if self._skipping:
            if self._skipping[-1] == tag:
                self._skipping.pop()
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self._heading is not None:
            self.headings.append(_normalise("".join(self._heading)))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_normalise("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._skipping:
            return
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u00b6", " ").split())


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def pages(site) -> dict[Path, _Page]:
    return {path: _parse(path) for path in sorted(site.rglob("*.html"))}


def _internal_target(page: Path, url: str, site: Path) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to; None for an external link."""
    parts = urlsplit(url)
    if parts.scheme or url.startswith("//"):
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    target = (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_every_internal_link_resolves(site, pages):
    broken = []
    for page, parsed in pages.items():
        for tag, url in parsed.links:
            target = _internal_target(page, url, site)
            if target is None:
                continue
            path, fragment = target
            where = f"{page.relative_to(site)}: <{tag}> {url}"
            if not path.exists():
                broken.append(f"{where} (no file)")
            elif not path.is_relative_to(site):
                broken.append(f"{where} (outside the site)")
            elif fragment and path.suffix == ".html" and tag == "a":
                if path in pages and fragment not in pages[path].ids:
                    broken.append(f"{where} (no anchor #{fragment})")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])


def test_nothing_is_fetched_from_another_host(site, pages):
    remote = []
    for page, parsed in pages.items():
        for tag, url in parsed.links:
            if tag in ("a",) or not re.match(r"^(https?:)?//", url.strip(), re.I):
                continue
            remote.append(f"{page.relative_to(site)}: <{tag}> {url}")
    for sheet in site.rglob("*.css"):
        if re.search(r"url\(\s*['\"]?(https?:)?//|@import\s+['\"](https?:)?//", sheet.read_text()):
            remote.append(f"{sheet.relative_to(site)}: remote url() or @import")
    assert not remote, "the site must work offline:\n" + "\n".join(remote)
    scripts = " ".join(url for parsed in pages.values() for tag, url in parsed.links)
    assert "mathjax" not in scripts.lower(), "MathJax is loaded (it would come from a CDN)"


def test_home_page_has_the_readme_opening_and_both_commands(site, pages):
    home = re.sub(r"<[^>]+>", "", (site / "index.html").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert pages[site / "index.html"].headings[0] == readme.splitlines()[0].lstrip("# ").strip()
    assert "bash scripts/run.sh" in home and "bash scripts/test.sh" in home
    for page in ("overview", "notebooks", "api", "datasets", "leaderboard", "glossary"):
        assert (site / f"{page}.html").is_file(), page
    assert (site / "search.html").is_file() and (site / "searchindex.js").is_file()


def test_every_notebook_has_a_page_with_its_outputs(site):
    notebooks = committed_notebooks()
    assert notebooks
    for notebook in notebooks:
        page = site / "notebooks" / f"{notebook.stem}.html"
        assert page.is_file(), f"no page for {notebook.name}"
        n_images = sum(
            "image/png" in output.get("data", {})
            for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            for output in cell.get("outputs", [])
        )
        text = page.read_text(encoding="utf-8")
        assert text.count("<img") >= n_images, f"{page.name}: fewer figures than {notebook.name}"


def _public_modules() -> list[str]:
    import pkgutil

    package = importlib.import_module("ecrm_methods")
    names = ["ecrm_methods"]
    for info in pkgutil.walk_packages(package.__path__, prefix="ecrm_methods."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def test_every_public_name_is_in_the_api_reference(site, pages):
    missing = []
    for module_name in _public_modules():
        page = site / "api" / f"{module_name}.html"
        if not page.is_file():
            missing.append(f"{module_name} (no page)")
            continue
        parsed = pages[page]
        anchors = {unquote(urlsplit(url).fragment) for tag, url in parsed.links if tag == "a"}
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            documented = f"{module_name}.{name}" in parsed.ids
            linked = any(anchor.endswith(f".{name}") for anchor in anchors)
            if not (documented or linked):
                missing.append(f"{module_name}.{name}")
            doc = getattr(getattr(module, name), "__doc__", None) or ""
            if documented and callable(getattr(module, name)) and "\nReferences\n" in doc:
                if "References" not in page.read_text(encoding="utf-8"):
                    missing.append(f"{module_name}.{name} (its References section)")
    assert not missing, f"public names missing from the API reference: {missing}"


def _markdown_tables(text: str) -> list[list[list[str]]]:
    """The pipe tables of a Markdown text, without their separator rows, cells as plain text."""
    tables, current = [], None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
                continue
            if current is None:
                current = []
                tables.append(current)
            current.append([_markdown_text(cell) for cell in cells])
        else:
            current = None
    return tables


def _markdown_text(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<!\w)\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", text)
    return _normalise(text)


def test_leaderboard_page_is_the_committed_leaderboard(site, pages):
    page = pages[site / "leaderboard.html"]
    if not LEADERBOARD.is_file():
        text = (site / "leaderboard.html").read_text(encoding="utf-8")
        assert "not committed yet" in text
        return
    markdown = LEADERBOARD.read_text(encoding="utf-8")
    expected_tables = _markdown_tables(markdown)
    shown_tables = [table for table in page.tables if table]
    assert len(shown_tables) == len(expected_tables)
    for i, (shown, expected) in enumerate(zip(shown_tables, expected_tables, strict=True)):
        assert shown == expected, f"table {i} of the leaderboard differs"
    headings = [
        _markdown_text(line.lstrip("#")) for line in markdown.splitlines() if re.match(r"#+ ", line)
    ]
    assert page.headings[0] == "Benchmark leaderboard"
    assert page.headings[1 : len(headings) + 1] == headings


# --------------------------------------------------------------------------- the browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
CHROMEDRIVER = CHROMEDRIVER or shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser(site):
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip(
            "headless Chromium is not installed: apt-get install chromium chromium-driver "
            "(.ci/run installs them in CI); the browser checks of the site did not run"
        )
    pytest.importorskip("selenium", reason="selenium comes with the docs extra")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    saved = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a driver or browser
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        if saved is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = saved


@pytest.fixture(scope="module")
def screenshots(site) -> Path:
    folder = site / "_screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def _open(driver, page: Path) -> list[dict]:
    """Load a page, wait for its images, return its SEVERE console entries."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(page.as_uri())
    driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const pending = Array.from(document.images).filter((img) => !img.complete);
        if (!pending.length) { done(); return; }
        let left = pending.length;
        for (const img of pending) {
            img.loading = "eager";
            const finish = () => { left -= 1; if (!left) done(); };
            img.addEventListener("load", finish, {once: true});
            img.addEventListener("error", finish, {once: true});
        }
        """
    )
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _links_resolve(driver) -> list[str]:
    """The internal links of the loaded page whose file does not exist."""
    hrefs = driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]'), (a) => a.href);"
    )
    broken = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme != "file":
            continue
        path = Path(url2pathname(parts.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.exists():
            broken.append(href)
    return broken


@pytest.mark.browser
def test_home_page_in_the_browser(site, browser, screenshots):
    from selenium.webdriver.common.by import By

    errors = _open(browser, site / "index.html")
    assert not errors, f"console errors on the home page: {errors}"
    assert "ecrm_methods" in browser.title
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "bash scripts/run.sh" in body and "bash scripts/test.sh" in body
    assert browser.find_elements(By.CSS_SELECTOR, "form[action*='search'] input[name='q']")
    assert not _links_resolve(browser)
    assert browser.save_screenshot(str(screenshots / "home.png"))


@pytest.mark.browser
def test_notebook_page_in_the_browser(site, browser, screenshots):
    from selenium.webdriver.common.by import By

    notebook = committed_notebooks()[0]
    errors = _open(browser, site / "notebooks" / f"{notebook.stem}.html")
    assert not errors, f"console errors on the {notebook.stem} page: {errors}"
    assert not _links_resolve(browser)
    browser.save_screenshot(str(screenshots / "notebook.png"))
    figures = browser.find_elements(By.CSS_SELECTOR, "article img")
    assert figures, f"the {notebook.stem} page shows no figure"
    sizes = [
        browser.execute_script(
            "return [arguments[0].naturalWidth, arguments[0].naturalHeight];", img
        )
        for img in figures
    ]
    blank = [
        img.get_attribute("src") for img, size in zip(figures, sizes, strict=True) if 0 in size
    ]
    assert not blank, f"figures that did not load: {blank}"
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", figures[0]
    )
    assert browser.save_screenshot(str(screenshots / "notebook_figure.png"))


@pytest.mark.browser
def test_search_works_offline(site, browser, screenshots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    errors = _open(browser, site / "search.html")
    browser.get((site / "search.html").as_uri() + "?q=churn")
    WebDriverWait(browser, 60).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, "#search-results ul.search li")
    )
    errors += [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"console errors on the search page: {errors}"
    assert browser.save_screenshot(str(screenshots / "search.png"))
