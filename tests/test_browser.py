"""Every report of the demo district, opened offline in a real browser (headless Chromium).

Kind: behaviour. Debian's ``chromium`` is driven by Playwright for Python with
``executable_path`` (no browser download); ``make test`` installs the Debian package when it
is missing. For each page (every module's report, the district index and the overall
index) the test records console errors, uncaught page errors, failed requests and every
request that is not to a local file or a ``data:`` URL (all such requests are blocked and the
context is offline), and saves a full-page screenshot to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sga_methods.pipeline import registry

from .conftest import DEMO_ID, ROOT

pytestmark = pytest.mark.slow

#: Where the screenshots are kept (git-ignored), for people to look at after a run.
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("SGA_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


def _pages(out: Path) -> dict[str, Path]:
    district = out / DEMO_ID
    pages = {
        m.name: district / f"{m.name}.html"
        for m in registry.MODULES
        if (district / f"{m.name}.html").exists()
    }
    pages["district-index"] = district / "index.html"
    pages["overall-index"] = out / "index.html"
    return pages


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def check_page(browser, path: Path, screenshot: Path) -> list[str]:
    """Open ``path`` offline; return every problem seen (empty: the page is clean)."""
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    found: list[str] = []
    page.on("console", lambda m: found.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: found.append(f"failed request: {r.url}"))

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            found.append(f"external request: {url}")
            r.abort()

    context.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    if not page.title():
        found.append("the page has no title")
    page.screenshot(path=str(screenshot), full_page=True)
    # every embedded figure decoded (a broken image has no natural width)
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length"
    )
    if broken:
        found.append(f"{broken} image(s) did not render")
    context.close()
    return found


def test_the_check_catches_a_bad_page(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><head><title>bad</title>"
        '<script src="https://cdn.example.org/x.js"></script></head>'
        "<body><script>console.error('boom')</script>"
        '<img src="missing.png"></body></html>'
    )
    found = " | ".join(check_page(browser, bad, tmp_path / "bad.png"))
    assert "external request: https://cdn.example.org/x.js" in found
    assert "console: boom" in found
    assert "image(s) did not render" in found
    assert (tmp_path / "bad.png").stat().st_size > 0


def test_every_report_loads_offline_without_errors(demo_run, browser):
    code, out = demo_run
    assert code == 0
    pages = _pages(out)
    assert len(pages) >= 4
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for name, path in pages.items():
        found = check_page(browser, path, ARTIFACTS / f"{name}.png")
        if found:
            problems[name] = found
    assert not problems, problems
    assert len(list(ARTIFACTS.glob("*.png"))) >= len(pages)
