"""The server's guard, in front of every route: methods, sizes, hosts, the token, and security headers.

- Only GET (and HEAD) exist: the server never changes the store, so a request with another method
  gets 405 and one with a body 413; an overlong URL gets 414, overlong headers 431.
- Without a token, only loopback Host names are answered (127.0.0.1, localhost, [::1]), so a web page
  cannot reach the server through a DNS name rebound to 127.0.0.1.
- With a token, every request must carry it: ``Authorization: Bearer TOKEN``, ``?token=TOKEN`` (an
  HTML page asked for this way answers with a redirect to the same page without it, setting a cookie
  so the links on the page work), or that cookie. Comparisons are constant-time.
- Every response carries a Content-Security-Policy that runs no inline script (only the package's own
  script files), forbids framing, and loads nothing from elsewhere; plus nosniff and no-referrer.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from starlette.responses import Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
ErrorResponder = Callable[[bool, int, str], Response]  # (as JSON?, status, message)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
COOKIE = "storydiff_token"
MAX_URL_BYTES = 4096  # path plus query string
MAX_HEADER_BYTES = 16_384  # all request headers together (uvicorn also caps a request still arriving)


def cookie_value(token: str) -> str:
    """What the cookie holds: derived from the token, so the token itself is not stored in the browser."""
    return hmac.new(token.encode("utf-8"), b"storydiff session cookie v1", hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _host_name(host: str) -> str:
    """The name in a Host header, without its port: ``[::1]:8000`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def wants_json(path: str, headers: dict[str, str]) -> bool:
    """Whether an answer (or an error) to this request should be JSON rather than a page."""
    if path.endswith(".json"):
        return True
    accept = headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class Guard:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, *, error: ErrorResponder, token: str | None = None,
                 allowed_hosts: frozenset[str] | None = None) -> None:
        self.app = app
        self.error = error
        self.token = token
        self.cookie = cookie_value(token) if token else None
        # Host names are checked only without a token: a token already keeps other sites out.
        self.allowed_hosts = None if token else (allowed_hosts or LOOPBACK_NAMES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store" if self.token else b"no-cache"))
                message["headers"] = headers
            await send(message)

        rejected = self._check(scope)
        if rejected is not None:
            await rejected(scope, receive, send_with_headers)
            return
        if scope["method"] == "HEAD":
            scope = dict(scope, method="GET")  # the server drops the body of a HEAD answer itself
        await self.app(scope, receive, send_with_headers)

    def _check(self, scope: Scope) -> Response | None:
        path: str = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query = scope.get("query_string", b"").decode("latin-1")

        def fail(status: int, message: str, extra: dict[str, str] | None = None) -> Response:
            response = self.error(wants_json(path, headers), status, message)
            for k, v in (extra or {}).items():
                response.headers[k] = v
            return response

        if scope["method"] not in ("GET", "HEAD"):
            return fail(405, f"{scope['method']} is not allowed: this server only reads (GET)", {"allow": "GET, HEAD"})
        if headers.get("content-length", "0").strip() not in ("", "0") or "transfer-encoding" in headers:
            return fail(413, "requests to this server carry no body")
        if len(scope.get("raw_path") or path.encode()) + len(query) > MAX_URL_BYTES:
            return fail(414, f"the URL is longer than {MAX_URL_BYTES} bytes")
        if sum(len(k) + len(v) for k, v in scope.get("headers", [])) > MAX_HEADER_BYTES:
            return fail(431, f"the request headers are larger than {MAX_HEADER_BYTES // 1024} KB")
        if self.allowed_hosts is not None and "host" in headers:
            name = _host_name(headers["host"])
            if name not in self.allowed_hosts:
                return fail(400, f"unexpected Host {name!r}: without a token this server answers only to "
                                 f"{', '.join(sorted(self.allowed_hosts))}; start it with --token to serve "
                                 "other names")
        if self.token is None:
            return None
        # The redirect after ?token= goes to the path as it was sent (still percent-encoded).
        raw_path = scope.get("raw_path") or quote(path).encode()
        return self._check_token(path, raw_path.decode("latin-1"), headers, query, fail)

    def _check_token(self, path: str, raw_path: str, headers: dict[str, str], query: str,
                     fail: Callable[..., Response]) -> Response | None:
        assert self.token is not None and self.cookie is not None
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and _same(auth[7:].strip(), self.token):
            return None
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no credential
            cookies = SimpleCookie()
        if COOKIE in cookies and _same(cookies[COOKIE].value, self.cookie):
            return None
        pairs = parse_qsl(query, keep_blank_values=True)
        given = [v for k, v in pairs if k == "token"]
        if given and _same(given[-1], self.token):
            if path.endswith(".json") or path.startswith("/static/"):
                return None  # an API client sends the token each time
            rest = urlencode([(k, v) for k, v in pairs if k != "token"])
            response = Response(status_code=303, headers={"location": raw_path + (f"?{rest}" if rest else "")})
            response.set_cookie(COOKIE, self.cookie, httponly=True, samesite="lax", path="/")
            return response
        message = ("this server needs its token: send Authorization: Bearer TOKEN, or open the link "
                   "`storydiff serve` printed (it ends in ?token=...)")
        return fail(401, message, {"www-authenticate": 'Bearer realm="storydiff"'})
