"""The web app through FastAPI's TestClient: routes, JSON twins, errors, the token, and escaping.

The store is the example corpus plus two hostile versions of one story (serve_corpus.py), built once per
session; the app is shared with the browser tests so each story is compared once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from serve_corpus import HOSTILE, HOSTILE_ID, HOSTILE_TITLE, IMG_IN_TEXT, LINK_IN_TEXT, SCRIPT_IN_TEXT, ServedStore
from storydiff.cli import cli
from storydiff.compare import compare_articles
from storydiff.pipeline import story_articles
from storydiff.serve import create_app
from storydiff.serve.app import cache_stats
from storydiff.serve.security import COOKIE

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

LOCAL = "http://127.0.0.1"
TOKEN = "correct-horse-battery-staple-42"


@pytest.fixture(scope="module")
def client(serve_app: Any) -> TestClient:
    return TestClient(serve_app, base_url=LOCAL)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of inline script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts: list[str] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "script":
            self._script = a

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        script = self._script
        if script is not None and "src" not in script and data.strip() and script.get("type") != "application/json":
            self.inline_scripts.append(data)


def tags(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_error(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"ok", "status", "error"}
    assert body["ok"] is False and body["status"] == status
    for word in words:
        assert word in body["error"]


# -- overview -----------------------------------------------------------------------------------
def test_overview_lists_every_story_with_its_reports_dates_and_sources(client: TestClient,
                                                                        served_store: ServedStore) -> None:
    data = client.get("/stories.json", params={"per_page": 200}).json()
    assert data["total"] == len(served_store.stories)
    got = {s["id"]: s for s in data["stories"]}
    for story in served_store.stories:
        row = got[story.id]
        # SPEC §2's story shape, plus the sources
        assert {k: row[k] for k in ("id", "articles", "title", "first_seen", "last_seen")} == story.as_dict()
    assert "Harbour Times" in got[served_store.story_with("harbour-strike-portnews").id]["sources"]
    # The default order: most reports first.
    sizes = [len(s["articles"]) for s in data["stories"]]
    assert sizes == sorted(sizes, reverse=True)

    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for story in served_store.stories:
        assert f'href="/story/{story.id}"' in page.text
    assert "Antwerp port at a standstill" in page.text
    assert 'href="/stories.json"' in page.text  # the JSON twin is linked


def test_search_matches_titles_and_text_every_word_case_insensitively(client: TestClient,
                                                                       served_store: ServedStore) -> None:
    def ids(q: str) -> set[str]:
        return {s["id"] for s in client.get("/stories.json", params={"q": q}).json()["stories"]}

    quake = served_store.story_with("agency-2025-11-20-quake").id
    strike = served_store.story_with("harbour-strike-portnews").id
    konst = served_store.story_with("report-a").id
    assert ids("EARTHQUAKE") == {quake}  # in titles
    assert ids("Kimakovsky") == {konst}  # in text only
    assert ids("pension") == {strike}
    assert ids("ships anchor") == {strike}  # every word, anywhere in one report
    assert ids("pension earthquake") == set()
    # Every character is literal (no LIKE wildcards): "_" matches an underscore, not any character.
    assert ids("%") == set() and ids("w_ndow") == set()
    assert ids("__pwned") == {served_store.story_with(HOSTILE_ID).id}
    assert len(ids("")) == len(served_store.stories)
    page = client.get("/", params={"q": "earthquake"})
    assert f'href="/story/{quake}"' in page.text and f'href="/story/{strike}"' not in page.text
    assert 'value="earthquake"' in page.text


def test_sorting_and_paging(client: TestClient, served_store: ServedStore) -> None:
    n = len(served_store.stories)
    seen = []
    for page in range(1, n + 1):
        data = client.get("/stories.json", params={"per_page": 2, "page": page}).json()
        assert data["pages"] == -(-n // 2)
        seen += [s["id"] for s in data["stories"]]
    assert sorted(seen) == sorted(s.id for s in served_store.stories)  # each once

    titles = [s["title"].lower() for s in client.get("/stories.json", params={"sort": "title"}).json()["stories"]]
    assert titles == sorted(titles)
    ids = [s["id"] for s in client.get("/stories.json", params={"sort": "id", "order": "desc"}).json()["stories"]]
    assert ids == sorted(ids, key=lambda i: -int(i[1:]))
    last = client.get("/stories.json", params={"sort": "last_seen"}).json()["stories"]
    dated = [s["last_seen"] for s in last if s["last_seen"]]
    assert dated == sorted(dated, reverse=True) and last[-1]["last_seen"] is None  # undated last

    page = client.get("/", params={"per_page": 2, "page": 2})
    assert 'rel="prev"' in page.text and "page 2 of" in page.text
    past = client.get("/", params={"per_page": 2, "page": 99})
    assert past.status_code == 200 and "past the last page" in past.text


@pytest.mark.parametrize(("params", "word"), [
    ({"sort": "nope"}, "sort"), ({"order": "up"}, "order"), ({"page": "0"}, "page"), ({"page": "x"}, "page"),
    ({"per_page": "100000"}, "per_page"), ({"q": "x" * 500}, "q"),
])
def test_bad_parameters_are_400_with_a_message(client: TestClient, params: dict[str, str], word: str) -> None:
    assert_error(client.get("/stories.json", params=params), 400, word)
    page = client.get("/", params=params)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")


# -- stories ------------------------------------------------------------------------------------
def test_story_json_is_the_comparison_show_prints(client: TestClient, served_store: ServedStore) -> None:
    story = served_store.story_with("report-a")
    data = client.get(f"/story/{story.id}.json").json()
    expected = compare_articles(story_articles(served_store.db, story.id)).as_dict()
    assert data.pop("story") == {"id": story.id, "title": story.title, "articles": list(story.articles),
                                 "compared": list(story.articles)}
    assert data == json.loads(json.dumps(expected))
    assert any(d["kind"] == "role_conflict" for d in data["discrepancies"])


def test_story_page_shows_versions_discrepancies_entities_timeline_and_passages(client: TestClient,
                                                                              served_store: ServedStore) -> None:
    story = served_store.story_with("harbour-strike-portnews")
    html = client.get(f"/story/{story.id}").text
    parsed = tags(html)
    cols = [a for t, a in parsed.tags if t == "article" and "col" in a.get("class", "").split()]
    assert len(cols) == len(story.articles)
    assert any(t == "span" and "hl" in a.get("class", "").split() and a.get("data-d") for t, a in parsed.tags)
    assert any(t == "li" and "disc" in a.get("class", "").split() for t, a in parsed.tags)  # the list
    assert any(t == "input" and "kind-filter" in a.get("class", "") for t, a in parsed.tags)  # its filters
    assert 'id="entities"' in html and "Lien Verbeke" in html
    assert any(t == "button" and a.get("data-show", "").startswith("e") for t, a in parsed.tags)
    assert any(t == "span" and a.get("data-e") for t, a in parsed.tags)  # mentions marked in the text
    assert 'id="passages"' in html and any(a.get("data-show", "").startswith("p") for _, a in parsed.tags)
    assert "<svg" in html and html.count('class="tl-dot"') == len(story.articles)  # all are dated
    assert f'href="/article/{quote("harbour-strike-portnews", safe="")}"' in html
    assert parsed.inline_scripts == []
    assert any(t == "script" and a.get("src", "").startswith("/static/comparison.js") for t, a in parsed.tags)


def test_a_story_is_compared_once_then_served_from_the_cache(serve_app: Any, client: TestClient,
                                                             served_store: ServedStore) -> None:
    story = served_store.story_with("agency-2025-11-20-quake")
    client.get(f"/story/{story.id}")
    before = cache_stats(serve_app)
    for _ in range(3):
        assert client.get(f"/story/{story.id}").status_code == 200
        assert client.get(f"/story/{story.id}.json").status_code == 200
    after = cache_stats(serve_app)
    assert after["builds"] == before["builds"] and after["hits"] >= before["hits"] + 6


def test_a_one_report_story_has_nothing_to_compare(client: TestClient, served_store: ServedStore) -> None:
    story = served_store.story_with("agency-2025-11-21-final")
    data = client.get(f"/story/{story.id}.json").json()
    assert [d["id"] for d in data["documents"]] == ["agency-2025-11-21-final"]
    assert data["discrepancies"] == [] and data["claims"] == []
    html = client.get(f"/story/{story.id}").text
    assert "nothing to compare" in html and "Ajax came from behind" in html
    assert "comparison.js" not in html


def test_big_stories_compare_their_first_versions_and_list_the_rest(served_store: ServedStore) -> None:
    from storydiff.settings import Settings

    app = create_app(served_store.db, Settings({"serve_max_versions": 2}))
    story = served_store.story_with("harbour-strike-portnews")
    with TestClient(app, base_url=LOCAL) as small:
        data = small.get(f"/story/{story.id}.json").json()
        assert data["story"]["compared"] == list(story.articles[:2])
        assert data["story"]["articles"] == list(story.articles)
        html = small.get(f"/story/{story.id}").text
    assert "Every report of this story" in html and html.count("not compared") == len(story.articles) - 2


# -- articles -----------------------------------------------------------------------------------
def test_article_page_and_json_twin(client: TestClient, served_store: ServedStore) -> None:
    article_id = "https://wire.example/world/turkey-earthquake-1120"  # an id with slashes (a WARC URI)
    path = "/article/" + quote(article_id, safe="")
    data = client.get(path + ".json").json()
    assert data["id"] == article_id and data["story"] == served_store.story_with(article_id).id
    assert set(data) >= {"id", "title", "source", "url", "published", "text"}
    html = client.get(path).text
    assert "Balikesir" in html and f'href="/story/{data["story"]}"' in html
    assert 'href="https://wire.example/world/turkey-earthquake-1120"' in html  # an http(s) URL is a link
    assert 'rel="noopener noreferrer nofollow"' in html


# -- errors -------------------------------------------------------------------------------------
def test_errors_share_one_json_shape_and_html_paths_get_a_page(client: TestClient) -> None:
    assert_error(client.get("/story/S999.json"), 404, "S999")
    assert_error(client.get("/article/nope.json"), 404, "nope")
    assert_error(client.get("/nothing/here.json"), 404)
    assert_error(client.get("/static/nope.css", headers={"accept": "application/json"}), 404)
    assert_error(client.post("/stories.json"), 405)
    assert_error(client.request("GET", "/stories.json", content=b"x" * 10), 413)
    assert_error(client.get("/stories.json?q=" + "a" * 5000), 414)
    assert_error(client.get("/stories.json", headers={"x-padding": "a" * 20_000}), 431)
    page = client.get("/story/S999")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "S999" in page.text and "<h1>404" in page.text
    assert client.head("/").status_code == 200


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/stories.json", "/story/S1", "/story/S999.json", "/static/serve.css", "/nope"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert "default-src 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_static_assets_come_from_the_package(client: TestClient) -> None:
    from storydiff.report.html import asset

    response = client.get("/static/comparison.js")
    assert response.text == asset("comparison.js")
    assert response.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/serve.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/favicon.svg").status_code == 200
    assert client.get("/static/..%2Fapp.py").status_code == 404


# -- hostile content ----------------------------------------------------------------------------
def test_hostile_fields_are_text_on_every_page(client: TestClient, served_store: ServedStore) -> None:
    story = served_store.story_with(HOSTILE_ID)
    pages = [
        client.get("/", params={"q": "Varnholt"}).text,
        client.get(f"/story/{story.id}").text,
        client.get("/article/" + quote(HOSTILE_ID, safe="")).text,
        client.get("/article/hostile-2").text,
    ]
    for html in pages:
        parsed = tags(html)
        assert parsed.inline_scripts == []
        assert not any(t in ("img", "svg") and ("onerror" in a or "onload" in a) for t, a in parsed.tags)
        for _, attrs in parsed.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (name, value)
                if name in ("href", "src", "action"):
                    assert not re.sub(r"[\x00-\x20]", "", value).lower().startswith(("javascript:", "data:"))
        assert "&lt;script&gt;" in html
    article = pages[2]
    for raw in (SCRIPT_IN_TEXT, IMG_IN_TEXT, LINK_IN_TEXT, HOSTILE_TITLE):
        assert raw not in article  # only ever escaped
    assert "javascript:window.__pwned=&#39;url&#39;" in article  # the URL shown as text, not a link
    data = client.get(f"/story/{story.id}.json").json()
    assert {d["title"] for d in data["documents"]} == {HOSTILE_TITLE}
    assert {d["text"] for d in data["documents"]} == {r["text"] for r in HOSTILE}  # JSON keeps them exact


# -- the token and the Host check ---------------------------------------------------------------
def test_with_a_token_every_request_must_carry_it(served_store: ServedStore) -> None:
    app = create_app(served_store.db, token=TOKEN)
    with TestClient(app, base_url=LOCAL) as c:
        for path in ("/", "/stories.json", "/story/S3.json", "/static/serve.css"):
            assert_error(c.get(path, headers={"accept": "application/json"}), 401, "token")
        denied = c.get("/")
        assert denied.status_code == 401 and denied.headers["www-authenticate"].startswith("Bearer")
        assert "token" in denied.text
        assert "served.duckdb" not in denied.text and not re.search(r"\d+ (stor|article)", denied.text)  # nothing
        assert_error(c.get("/stories.json", headers={"authorization": "Bearer wrong"}), 401)
        assert_error(c.get("/stories.json", params={"token": TOKEN[:-1]}), 401)
        ok = c.get("/stories.json", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store"
        assert c.get("/stories.json", params={"token": TOKEN}).status_code == 200  # API clients: no redirect
        # A browser opens the link with ?token= once: redirected to the page without it, with a cookie.
        first = c.get("/", params={"token": TOKEN, "q": "quake"}, follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/?q=quake"
        cookie = first.cookies[COOKIE]
        assert TOKEN not in cookie and "httponly" in first.headers["set-cookie"].lower()
        c.cookies.clear()
        encoded = "/article/" + quote(HOSTILE_ID, safe="")
        again = c.get(encoded, params={"token": TOKEN}, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == encoded  # still percent-encoded
        c.cookies.clear()
        c.cookies.set(COOKIE, cookie)
        assert c.get("/story/S3").status_code == 200
        c.cookies.set(COOKIE, cookie + "0")
        assert c.get("/story/S3").status_code == 401


def test_without_a_token_only_loopback_host_names_are_answered(client: TestClient) -> None:
    for host in ("127.0.0.1:8000", "localhost", "[::1]:8000"):
        assert client.get("/stories.json", headers={"host": host}).status_code == 200
    assert_error(client.get("/stories.json", headers={"host": "rebound.example:8000"}), 400, "Host")


def test_serving_never_writes_the_store(tmp_path: Path, served_store: ServedStore) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copy(served_store.db, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with TestClient(create_app(db), base_url=LOCAL) as c:
        assert c.get("/").status_code == 200
        assert c.get("/story/S3").status_code == 200
        assert c.app.state.corpus._store.read_only  # type: ignore[attr-defined]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (tmp_path / "copy.duckdb.wal").exists()


# -- the command --------------------------------------------------------------------------------
def test_serve_refuses_other_addresses_without_a_token(served_store: ServedStore) -> None:
    runner = CliRunner()
    for host in ("0.0.0.0", "192.168.1.20", "example.org", "::"):
        res = runner.invoke(cli, ["serve", "--db", str(served_store.db), "--host", host], env={"STORYDIFF_TOKEN": ""})
        assert res.exit_code == 1, res.output
        assert f"refusing to serve on {host} without a token" in res.stderr and "--token" in res.stderr
    res = runner.invoke(cli, ["serve", "--db", str(served_store.db), "--host", "0.0.0.0", "--token", "short"])
    assert res.exit_code == 1 and "at least 16" in res.stderr
    res = runner.invoke(cli, ["serve", "--db", str(served_store.db.parent / "missing.duckdb")])
    assert res.exit_code == 1 and "missing.duckdb" in res.stderr


def test_serve_get_answers_one_request_without_a_port(served_store: ServedStore) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["serve", "--db", str(served_store.db), "--get", "/stories.json?q=pension"])
    assert res.exit_code == 0, res.output
    assert [s["title"] for s in json.loads(res.stdout)["stories"]] == [
        "Antwerp port at a standstill over dockers' pension strike"]
    res = runner.invoke(cli, ["serve", "--db", str(served_store.db), "--get", "/story/S999.json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["status"] == 404


def test_storydiff_serve_listens_until_stopped_and_checks_the_token(served_store: ServedStore) -> None:
    import subprocess
    import sys

    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "storydiff", "serve", "--db", str(served_store.db), "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "STORYDIFF_TOKEN": TOKEN})
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        found = re.search(r"read-only at (http://127\.0\.0\.1:\d+/)\?token=(\S+) ", line)
        assert found and found.group(2) == TOKEN, line
        url = found.group(1)
        assert httpx.get(url + "stories.json").status_code == 401
        ok = httpx.get(url + "stories.json", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.json()["total"] == len(served_store.stories)
        assert "server" not in ok.headers  # uvicorn's banner is off
    finally:
        proc.terminate()
        # uvicorn shuts down cleanly, then re-raises the signal so the exit status says what stopped it.
        assert proc.wait(15) in (0, -15)
