"""The web UI in a real browser: Debian's chromium driven by Playwright against a real uvicorn server.

The server runs in a thread on a free loopback port, over the same app as the API tests. Chromium must
be installed (`make venv` installs Debian's package): without it these tests fail, they never skip.
Screenshots go to a temporary folder, or to $STORYDIFF_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from serve_corpus import HOSTILE_ID, LINK_IN_TEXT, SCRIPT_IN_TEXT, ServedStore
from storydiff.serve import create_app
from storydiff.serve.run import bind, url_of

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "browser-test-token-0123456789"


class ServerThread:
    """uvicorn serving an app on 127.0.0.1 and a free port, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        sock = bind("127.0.0.1", 0)
        self.url = url_of(sock).rstrip("/")
        # lifespan off: the app is shared with other tests, so stopping this server must not close its store.
        config = uvicorn.Config(app, lifespan="off", log_level="warning", http="h11", loop="asyncio")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def server(serve_app: Any) -> Iterator[ServerThread]:
    running = ServerThread(serve_app)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
                    "(`make venv` installs it; by hand: apt-get install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (reduced motion, so scrolling is instant) that fails the test on any console error:
    a Content-Security-Policy violation by our own pages, or a script error, shows up there."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, reduced_motion="reduce")
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    yield tab
    context.close()
    assert problems == []


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ["STORYDIFF_SCREENSHOTS"]) if os.environ.get("STORYDIFF_SCREENSHOTS") else (
        tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


IN_VIEW = """el => {
  const box = el.closest('.doc-body').getBoundingClientRect(), r = el.getBoundingClientRect();
  return r.bottom > box.top && r.top < box.bottom && r.height > 0;
}"""

# A discrepancy highlighted in the first column whose counterpart in the second is out of sight:
# clicking it must bring the counterpart into view.
HIDDEN_COUNTERPART = """() => {
  const first = document.querySelectorAll('.col[data-col="0"] .seg.hl[data-d]');
  const inView = el => { const b = el.closest('.doc-body').getBoundingClientRect(), r = el.getBoundingClientRect();
                         return r.bottom > b.top && r.top < b.bottom; };
  let fallback = null;
  for (const seg of first) {
    const groups = seg.getAttribute('data-d').split(' ');
    if (groups.length !== 1) continue;
    const other = document.querySelector('.col[data-col="1"] [data-d~="' + groups[0] + '"]');
    if (!other) continue;
    if (!inView(other)) return groups[0];
    fallback = fallback || groups[0];
  }
  return fallback;
}"""


def test_overview_search_story_and_a_click_to_the_counterpart(page: Page, server: ServerThread,
                                                              served_store: ServedStore, shots: Path) -> None:
    page.goto(server.url + "/")
    expect(page.locator("table.stories tbody tr")).to_have_count(len(served_store.stories))
    page.screenshot(path=str(shots / "serve-overview.png"))

    page.fill('input[name="q"]', "Kimakovsky")
    page.press('input[name="q"]', "Enter")
    page.wait_for_url(re.compile(r"/\?q=Kimakovsky$"))
    rows = page.locator("table.stories tbody tr")
    expect(rows).to_have_count(1)
    story = served_store.story_with("report-a")
    rows.locator("td.title a").click()
    page.wait_for_url(re.compile(f"/story/{story.id}$"))
    expect(page.locator(".col")).to_have_count(2)

    gid = page.evaluate(HIDDEN_COUNTERPART)
    assert gid, "no discrepancy is highlighted in both versions"
    counterpart = page.locator(f'.col[data-col="1"] [data-d~="{gid}"]').first
    page.locator(f'.col[data-col="0"] .seg[data-d="{gid}"]').first.click()
    expect(counterpart).to_have_class(re.compile(r"\bactive\b"))
    assert counterpart.evaluate(IN_VIEW), "the counterpart was not scrolled into view"
    expect(page.locator("#status")).to_contain_text("shown in report-b")
    expect(page.locator(f"#item-{gid}")).to_have_class(re.compile(r"\bselected\b"))
    page.screenshot(path=str(shots / "serve-story.png"))


def test_story_page_lists_filters_entities_and_passages(page: Page, server: ServerThread,
                                                        served_store: ServedStore) -> None:
    story = served_store.story_with("harbour-strike-portnews")
    page.goto(f"{server.url}/story/{story.id}")
    items = page.locator("#disc-list > li")
    total = items.count()
    assert total > 0
    kind = page.locator(".kind-filter").first.get_attribute("data-kind")
    n_kind = page.locator(f"#disc-list > li.k-{kind}").count()
    page.locator(".kind-filter").first.uncheck()
    expect(page.locator("#shown")).to_have_text(str(total - n_kind))
    page.locator(".kind-filter").first.check()
    expect(page.locator("#shown")).to_have_text(str(total))

    # "Show" next to an entity marks its mentions in the versions.
    page.locator("#entities button.show").first.click()
    expect(page.locator(".seg.mn.active").first).to_be_visible()
    expect(page.locator("#status")).to_contain_text("mentions of")
    # and next to a shared passage, both sides.
    page.locator("#passages button.show").first.click()
    group = page.locator("#passages button.show").first.get_attribute("data-show")
    active = page.locator(f'.seg.active[data-p~="{group}"]')
    assert len({a.evaluate("el => el.closest('.col').dataset.col") for a in active.all()}) == 2
    # A dot on the timeline links to its report.
    page.locator("svg.timeline a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    expect(page.locator("h1")).to_be_visible()


def test_hostile_markup_never_runs_and_reads_as_text(page: Page, server: ServerThread,
                                                     served_store: ServedStore) -> None:
    story = served_store.story_with(HOSTILE_ID)
    for path in ("/?q=Varnholt", f"/story/{story.id}", "/article/" + quote(HOSTILE_ID, safe=""),
                 "/article/hostile-2"):
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("main img, header img, .doc-text img, .top img").count() == 0
        assert page.locator('a[href^="javascript:" i], a[href^="data:" i]').count() == 0
        title = page.locator("td.title" if path.startswith("/?") else "h1").first.inner_text()
        assert title.startswith('<script>window.__pwned = "title"</script><img src=x onerror='), path
        if path != "/?q=Varnholt":
            text = page.locator(".doc-text").first.inner_text()
            assert SCRIPT_IN_TEXT in text and LINK_IN_TEXT in text, path
    # Clicking the link-looking text does nothing: it is text.
    page.get_by_text("the inspection report").first.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    expect(page.locator("td.url-cell")).to_contain_text("script:window.__pwned")


def test_a_browser_uses_the_token_link_once_then_a_cookie(browser: Browser, served_store: ServedStore) -> None:
    app = create_app(served_store.db, token=TOKEN)
    guarded = ServerThread(app)
    try:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(guarded.url + "/")
        assert "needs its token" in tab.locator(".message").inner_text()
        tab.goto(f"{guarded.url}/?token={TOKEN}")
        assert tab.url == guarded.url + "/"  # the token left the address bar
        tab.locator("table.stories td.title a", has_text="Ajax").click()
        tab.wait_for_url(re.compile(r"/story/S\d+$"))
        expect(tab.locator("h1")).to_contain_text("Ajax")
        expect(tab.locator(".doc-text")).to_contain_text("Ajax came from behind")
        context.close()
    finally:
        guarded.stop()
