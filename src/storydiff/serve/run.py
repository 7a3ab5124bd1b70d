"""Run the web app with uvicorn: where it may listen, with which limits.

Loopback (127.0.0.1, ::1, localhost) is the default. Any other address reaches other machines, so it
needs a token: every request must then carry it. The socket is bound here, before uvicorn starts, so a
busy port is a clear error and ``--port 0`` can report the port the system chose.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Callable
from pathlib import Path

from ..errors import ConfigError
from ..settings import Settings
from .security import MAX_HEADER_BYTES

LOGGER = logging.getLogger(__name__)

MIN_TOKEN_CHARS = 16


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or the name ``localhost``; any other name may resolve to
    an address other machines can reach."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse what would expose the corpus: a non-loopback address without a token, or a weak token."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"the token is {len(token)} characters long; use at least {MIN_TOKEN_CHARS}, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(24))'"
        )
    if not token and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host} without a token: anyone who can reach this machine could read "
            "the corpus. Pass --token SECRET (or set STORYDIFF_TOKEN) and every request must carry it, "
            "or keep the default --host 127.0.0.1"
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or a ConfigError that says why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as e:
        raise ConfigError(f"cannot listen on {host}: {e.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        hint = "; another server may be using it: pass another --port" if e.errno in (98, 48) else ""
        raise ConfigError(f"cannot listen on {host}:{port}: {e.strerror}{hint}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class _RedactToken(logging.Filter):
    """Access log lines show paths with their query; the token never reaches a log."""

    _TOKEN = re.compile(r"(token=)[^&\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._TOKEN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        return True


def serve(db: Path, settings: Settings, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          *, access_log: bool = False, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the store at ``db`` until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn

    from .app import create_app

    check_bind(host, token)
    app = create_app(db, settings, token)
    sock = bind(host, port)
    config = uvicorn.Config(
        app,
        http="h11",
        loop="asyncio",
        lifespan="on",
        log_level="warning",
        access_log=access_log,
        server_header=False,
        proxy_headers=False,  # never trust X-Forwarded-* from clients
        limit_concurrency=int(settings["serve_limit_concurrency"]),
        timeout_keep_alive=int(settings["serve_timeout_keep_alive"]),
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        backlog=128,
    )
    logging.getLogger("uvicorn.access").addFilter(_RedactToken())
    if access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready(url_of(sock))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
