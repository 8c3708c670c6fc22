"""The web page in headless Chromium (Debian package ``chromium``), driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"{CHROMIUM} is absent (install the Debian package: apt-get install -y chromium)",
    ),
]


def test_page_highlights_nested_entities(live_server: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    text = "Cisplatin caused lung cancer in rats.\nNo nephrotoxicity."
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(live_server + "/")
            page.fill("#input", text)
            page.click("#tag-button")
            page.wait_for_selector("#entities tbody tr")
            rows = page.eval_on_selector_all(
                "#entities tbody tr",
                "rs => rs.map(r => [r.dataset.label, +r.dataset.start, +r.dataset.end,"
                " r.children[3].textContent])",
            )
            assert sorted((r[0], r[3]) for r in rows) == sorted(
                [
                    ("Chemical", "Cisplatin"),
                    ("Disease", "lung cancer"),
                    ("Disease", "cancer"),
                    ("Species", "rats"),
                    ("Disease", "nephrotoxicity"),
                ]
            )
            for _, start, end, surface in rows:
                assert text[start:end] == surface
            # the rendered text is the input, unchanged
            assert page.inner_text("#output").replace("\r", "") == text
            # nesting is visible: "cancer" sits inside "lung cancer" with two underlines
            nested = page.eval_on_selector_all(
                "#output .seg[data-depth='2']", "ss => ss.map(s => s.textContent)"
            )
            assert nested == ["cancer"]
            bars = page.eval_on_selector(
                "#output .seg[data-depth='2']",
                "s => getComputedStyle(s).backgroundImage.split('linear-gradient').length - 1",
            )
            assert bars == 3  # two type-coloured underlines + the tint
            legend = page.eval_on_selector_all(
                "#legend .type", "ts => ts.map(t => t.dataset.label)"
            )
            assert legend == ["Chemical", "Disease", "Species"]
            assert "types: Chemical, Disease, Species" in page.inner_text("#model")
            page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        finally:
            browser.close()
