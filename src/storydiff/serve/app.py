"""The web app: an overview of the stories, a page per story and per article, each with a JSON twin.

Routes (every HTML page has a JSON twin at the same path plus ``.json``):

- ``/`` and ``/stories.json``: the stories, searched (``q``: every word in a report's title or text),
  sorted (``sort`` = reports, last_seen, first_seen, title, id; ``order`` = asc or desc) and paged
  (``page``, ``per_page``);
- ``/story/{id}`` and ``/story/{id}.json``: the comparison of the story's versions (SPEC §2, plus a
  ``story`` key naming all its reports and those compared);
- ``/article/{id}`` and ``/article/{id}.json``: one report;
- ``/static/...``: the package's stylesheets, script and icon.

Errors are ``{"ok": false, "status": N, "error": "..."}`` for JSON paths and a page otherwise.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from starlette.exceptions import HTTPException

from ..errors import NotFoundError
from ..models import Article, Comparison
from ..report.html import ASSETS, asset, comparison_view
from ..settings import Settings
from . import pages
from .cache import BuildCache
from .data import DEFAULT_SORT, SORTS, Corpus, StoryInfo, StoryPage, search_terms
from .security import SECURITY_HEADERS, Guard, wants_json

LOGGER = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_PER_PAGE = 200
_DEFAULT_ORDER = {"reports": "desc", "last_seen": "desc", "first_seen": "desc", "title": "asc", "id": "asc"}
_COLUMNS = (("id", "Story", "doc-id"), ("title", "Title", ""), ("reports", "Reports", "num"),
            ("first_seen", "First seen", ""), ("last_seen", "Last seen", ""))
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml"}
_SERVE_ASSETS = ("serve.css", "favicon.svg")
_SIBLINGS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class _Asset:
    body: bytes
    media_type: str
    version: str


@dataclass(frozen=True, slots=True)
class StoryEntry:
    """A story's comparison, rendered once: what the cache keeps."""

    comparison: Comparison
    html: bytes
    json: bytes


def _assets() -> dict[str, _Asset]:
    out: dict[str, _Asset] = {}
    sources: list[tuple[str, bytes]] = [(n, asset(n).encode("utf-8")) for n in ASSETS]
    sources += [(n, files("storydiff.serve").joinpath("static", n).read_bytes()) for n in _SERVE_ASSETS]
    for name, body in sources:
        out[name] = _Asset(body, _STATIC_TYPES[Path(name).suffix], hashlib.sha256(body).hexdigest()[:10])
    return out


def _environment(assets: dict[str, _Asset]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([PackageLoader("storydiff.serve", "templates"),
                             PackageLoader("storydiff.report", "templates")]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = pages.when
    env.globals.update(
        static=lambda name: f"/static/{name}?v={assets[name].version}",
        article_path=pages.article_path,
        story_path=pages.story_path,
        max_query=MAX_QUERY_CHARS,
        json_href=None,
        q="",
    )
    return env


def _bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise _bad(f"{name} must be between {low} and {high}")
    return value


def create_app(db: Path | str, settings: Settings | None = None, token: str | None = None, *,
               allowed_hosts: frozenset[str] | None = None) -> FastAPI:
    """The web app over the store at ``db``, opened read-only now (so a bad store fails here, not later).

    ``token``: when given, every request must carry it (see :mod:`storydiff.serve.security`).
    ``allowed_hosts``: Host names answered when there is no token (default: the loopback names).
    """
    settings = settings or Settings()
    corpus = Corpus(Path(db), settings)
    cache: BuildCache[StoryEntry] = BuildCache(int(settings["serve_cache_size"]))
    max_versions = int(settings["serve_max_versions"])
    page_size = int(settings["serve_page_size"])
    assets = _assets()
    env = _environment(assets)
    env.globals.update(store_name=corpus.path.name, n_stories=corpus.n_stories, n_articles=corpus.n_articles)

    def render(template: str, code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(template).render(**context), status_code=code)

    def error_response(as_json: bool, status: int, message: str) -> Response:
        response: Response
        if as_json:
            response = JSONResponse({"ok": False, "status": status, "error": message}, status_code=status)
        else:
            # An error page says nothing about the store: it may answer a request without the token.
            response = render("error.html.j2", status, title=f"{status} {HTTPStatus(status).phrase}",
                              status=status, phrase=HTTPStatus(status).phrase, message=message, store_name="")
        for key, value in SECURITY_HEADERS:  # also on errors raised past the guard
            response.headers.setdefault(key.decode(), value.decode())
        return response

    def error_for(request: Request, status: int, message: str) -> Response:
        return error_response(wants_json(request.url.path, dict(request.headers)), status, message)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        cache.close()
        corpus.close()

    app = FastAPI(title="storydiff", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.corpus = corpus
    app.state.cache = cache

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if exc.status_code == 404 and detail in ("", "Not Found"):
            message = f"nothing at {request.url.path}; the overview at / lists the stories"
        else:
            message = detail or HTTPStatus(exc.status_code).phrase
        response = error_for(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return error_for(request, 404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
        return error_for(request, 400, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        LOGGER.exception("error serving %s", request.url.path)
        return error_for(request, 500, "internal error while building this page; the server log has the details")

    # -- overview --------------------------------------------------------------------------------
    def story_page(request: Request) -> StoryPage:
        q = request.query_params.get("q", "").strip()
        if len(q) > MAX_QUERY_CHARS:
            raise _bad(f"q is longer than {MAX_QUERY_CHARS} characters")
        sort = request.query_params.get("sort") or DEFAULT_SORT
        if sort not in SORTS:
            raise _bad(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
        order = request.query_params.get("order") or _DEFAULT_ORDER[sort]
        if order not in ("asc", "desc"):
            raise _bad(f"order must be asc or desc, not {order[:40]!r}")
        page = _int_param(request, "page", 1, 1, 1_000_000)
        per_page = _int_param(request, "per_page", page_size, 1, MAX_PER_PAGE)
        return corpus.stories(q, sort, order, page, per_page)

    def overview_query(current: StoryPage, **changes: Any) -> str:
        params: dict[str, Any] = {"q": current.q, "sort": current.sort, "order": current.order,
                                  "page": current.page, "per_page": current.per_page}
        params.update(changes)
        defaults = {"q": "", "sort": DEFAULT_SORT, "order": _DEFAULT_ORDER[params["sort"]], "page": 1,
                    "per_page": page_size}
        kept = {k: v for k, v in params.items() if v != defaults[k]}
        return urlencode(kept)

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> Response:
        page = story_page(request)

        def href(**changes: Any) -> str:
            query = overview_query(page, **changes)
            return "/" + (f"?{query}" if query else "")

        columns = []
        for key, label, css in _COLUMNS:
            current = page.sort == key
            flipped = ("asc" if page.order == "desc" else "desc") if current else _DEFAULT_ORDER[key]
            columns.append({"label": label, "css": css, "sort": current, "href": href(sort=key, order=flipped, page=1)})
        query = overview_query(page)
        return render(
            "overview.html.j2",
            title="Stories",
            page=page,
            q=page.q,
            terms=search_terms(page.q),
            columns=columns,
            n_ungrouped=corpus.n_ungrouped,
            prev_href=href(page=page.page - 1) if page.page > 1 else None,
            next_href=href(page=page.page + 1) if page.page < page.pages else None,
            first_href=href(page=1),
            clear_href=href(q="", page=1),
            json_href="/stories.json" + (f"?{query}" if query else ""),
        )

    @app.get("/stories.json")
    def stories_json(request: Request) -> Response:
        page = story_page(request)
        return JSONResponse({
            "stories": [s.as_dict() for s in page.stories],
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
            "q": page.q,
            "sort": page.sort,
            "order": page.order,
        })

    # -- one story -------------------------------------------------------------------------------
    def build_entry(info: StoryInfo, compared: tuple[str, ...]) -> StoryEntry:
        from ..claims.extract import split_parsable
        from ..compare import compare_articles

        # A version the parser refuses (too long, invalid Unicode) is listed, not compared.
        docs, refused = split_parsable(corpus.articles(list(compared)), settings)
        for skip in refused:
            LOGGER.warning("story %s: not compared: %s", info.id, skip)
        comparison = compare_articles(docs, settings) if len(docs) >= 2 else Comparison(documents=tuple(docs))
        data = {**comparison.as_dict(),
                "story": {"id": info.id, "title": info.title, "articles": list(info.members),
                          "compared": [d.id for d in docs]}}
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        html = story_html(info, comparison, len(compared) < len(info.members))
        return StoryEntry(comparison, html, body)

    def story_html(info: StoryInfo, comparison: Comparison, capped: bool) -> bytes:
        view = comparison_view(comparison, mentions=True)
        compared = {d.id for d in comparison.documents}
        meta = {a.id: a for a in comparison.documents}
        rest = [i for i in info.members if i not in compared]
        meta.update({a.id: a for a in corpus.articles(rest)})
        members = [{"id": i, "title": meta[i].title if i in meta else None,
                    "source": meta[i].source if i in meta else None,
                    "published": meta[i].published if i in meta else None, "compared": i in compared}
                   for i in info.members]
        docs = list(comparison.documents)
        title = info.title or (docs[0].title if docs and docs[0].title else f"Story {info.id}")
        html = env.get_template("story.html.j2").render(
            title=title,
            story=info,
            members=members,
            capped=capped,
            doc_href=pages.article_path,
            tl=pages.timeline(docs),
            entities=pages.entities(comparison),
            passages=pages.passages(comparison),
            json_href=pages.story_path(info.id) + ".json",
            **view,
        )
        return html.encode("utf-8")

    async def story_entry(story_id: str) -> StoryEntry:
        info = await run_in_threadpool(corpus.story, story_id)
        compared = info.members[:max_versions]
        future = cache.get((info.id, compared), lambda: build_entry(info, compared))
        return await asyncio.wrap_future(future)

    @app.get("/story/{story_id}.json")
    async def story_json(story_id: str) -> Response:
        entry = await story_entry(story_id)
        return Response(entry.json, media_type="application/json")

    @app.get("/story/{story_id}", response_class=HTMLResponse)
    async def story(story_id: str) -> Response:
        entry = await story_entry(story_id)
        return Response(entry.html, media_type="text/html; charset=utf-8")

    # -- one article -----------------------------------------------------------------------------
    @app.get("/article/{article_id:path}")
    def article(article_id: str) -> Response:
        # /article/X.json is the JSON twin of /article/X, unless no article X exists but X.json does.
        if article_id.endswith(".json") and corpus.has_article(article_id[:-5]):
            return article_json(corpus.article(article_id[:-5]))
        if article_id.endswith(".json") and not corpus.has_article(article_id):
            raise NotFoundError(f"no article {article_id[:-5]!r} in this store")
        return article_page(corpus.article(article_id))

    def article_json(art: Article) -> Response:
        return JSONResponse({**art.as_document(), "author": art.author, "lang": art.lang,
                             "story": corpus.story_of(art.id)})

    def article_page(art: Article) -> Response:
        story_id = corpus.story_of(art.id)
        siblings: list[Article] = []
        if story_id is not None:
            others = [i for i in corpus.story(story_id).members if i != art.id]
            siblings = corpus.articles(others[:_SIBLINGS_SHOWN])
        return render(
            "article.html.j2",
            title=art.title or art.id,
            article=art,
            href=pages.safe_href(art.url),
            story_id=story_id,
            siblings=siblings,
            words=len(art.text.split()),
            json_href=pages.article_path(art.id) + ".json",
        )

    # -- assets ----------------------------------------------------------------------------------
    @app.get("/static/{name}")
    def static(name: str) -> Response:
        found = assets.get(name)
        if found is None:
            raise HTTPException(404, f"no static file {name!r}")
        return Response(found.body, media_type=found.media_type,
                        headers={"cache-control": "public, max-age=31536000, immutable"})

    app.add_middleware(Guard, error=error_response, token=token, allowed_hosts=allowed_hosts)
    return app


# For tests and `storydiff serve --get`: the cache's hit and build counts.
def cache_stats(app: FastAPI) -> dict[str, int]:
    cache: BuildCache[Any] = app.state.cache
    return {"entries": len(cache), "hits": cache.hits, "builds": cache.builds}

