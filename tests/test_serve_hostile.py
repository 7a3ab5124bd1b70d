"""Hostile requests to a real `storydiff serve` over a socket, sent byte for byte as written.

A test client normalises what it sends (``/static/../x`` becomes ``/x``); an attacker's client does not,
so these requests go out on a raw socket to the uvicorn server the command starts: path traversal in
every encoding, bodies, invalid and odd ids, and wrong tokens.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from serve_corpus import ServedStore

TOKEN = "correct-horse-battery-staple-42"
SECRET = "root:x:0:0"  # the first line of /etc/passwd


@pytest.fixture(scope="module")
def server(served_store: ServedStore) -> Iterator[tuple[str, int]]:
    proc = subprocess.Popen([sys.executable, "-m", "storydiff", "serve", "--db", str(served_store.db), "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "STORYDIFF_TOKEN": TOKEN})
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
    assert found, line
    try:
        yield found.group(1), int(found.group(2))
    finally:
        proc.terminate()
        proc.wait(15)


def raw(server: tuple[str, int], request: bytes) -> tuple[int, bytes]:
    """Send ``request`` as it is; return the status code and the whole answer."""
    with socket.create_connection(server, timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    status = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert status, answer[:200]
    return int(status.group(1)), answer


def get(server: tuple[str, int], target: bytes, headers: bytes = b"", token: bool = True) -> tuple[int, bytes]:
    auth = b"Authorization: Bearer " + TOKEN.encode() + b"\r\n" if token else b""
    return raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + headers
               + b"Connection: close\r\n\r\n")


TRAVERSALS = [
    b"/static/../../etc/passwd",
    b"/static/../../../../../../etc/passwd",
    b"/static/%2e%2e/%2e%2e/etc/passwd",
    b"/static/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    b"/static/..%2f..%2f..%2fetc%2fpasswd",
    b"/static/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    b"/static/..%5c..%5cetc%5cpasswd",
    b"/static/....//....//etc/passwd",
    b"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    b"/static/serve.css%00../../etc/passwd",
    b"/static//etc/passwd",
    b"/static/%2fetc%2fpasswd",
    b"/article/../../etc/passwd",
    b"/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    b"/story/..%2f..%2fetc%2fpasswd",
    b"//etc/passwd",
    b"/../../etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=[t.decode() for t in TRAVERSALS])
def test_path_traversal_never_reads_a_file_outside_the_package(server: tuple[str, int], target: bytes) -> None:
    status, answer = get(server, target)
    assert status in (400, 404), (status, answer[:300])
    assert SECRET.encode() not in answer


@pytest.mark.parametrize("target, status", [
    (b"/story/S999", 404),
    (b"/story/S1'%20OR%20'1'='1", 404),
    (b"/story/%00", 404),
    (b"/story/" + b"S" * 3000, 404),
    (b"/story/" + b"S" * 5000, 414),
    (b"/story/%ff%fe.json", 404),
    (b"/article/", 404),
    (b"/article/%ff%fe%fd", 404),
    (b"/article/nope%00.json", 404),
    (b"/article/" + b"%41" * 1000, 404),
    (b"/?page=-1", 400),
    (b"/?page=99999999999999999999999", 400),
    (b"/?per_page=100000", 400),
    (b"/?sort=__class__", 400),
    (b"/stories.json?q=" + b"x" * 300, 400),
])
def test_invalid_ids_and_parameters_get_a_clear_error(server: tuple[str, int], target: bytes, status: int) -> None:
    got, answer = get(server, target)
    assert got == status, answer[:400]
    assert b"Traceback" not in answer and b"internal error" not in answer


@pytest.mark.parametrize("request_bytes, status", [
    (b"POST /stories.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", 405),
    (b"PUT /story/S1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 405),
    (b"DELETE /article/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 405),
    # A body announced as 100 MB: refused from the header, without waiting for (or reading) it.
    (b"GET /stories.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n"
     + b"x" * 65536, 413),
    (b"GET /stories.json HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
     b"5\r\nhello\r\n0\r\n\r\n", 413),
    (b"GET /stories.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 20_000 + b"\r\nConnection: close\r\n\r\n",
     431),
])
def test_bodies_and_other_methods_are_refused(server: tuple[str, int], request_bytes: bytes, status: int) -> None:
    auth = b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
    head, sep, rest = request_bytes.partition(b"\r\n")
    got, answer = raw(server, head + sep + auth + rest)
    assert got == status, answer[:300]


@pytest.mark.parametrize("header", [
    b"",
    b"Authorization: Bearer\r\n",
    b"Authorization: Bearer \r\n",
    b"Authorization: Bearer " + TOKEN.encode() + b"x\r\n",
    b"Authorization: Bearer " + TOKEN[:-1].encode() + b"\r\n",
    b"Authorization: Bearer " + TOKEN.upper().encode() + b"\r\n",
    b"Authorization: Basic " + TOKEN.encode() + b"\r\n",
    b"Authorization: Bearer " + TOKEN.encode() + b"\xff\xfe\r\n",
    b"Authorization: Bearer \xe2\x80\xae" + TOKEN.encode() + b"\r\n",
    b"Cookie: storydiff_token=" + TOKEN.encode() + b"\r\n",  # the cookie holds a digest, never the token
    b"Cookie: storydiff_token=\"\\\r\n",
    b"Cookie: ;;;=;=\r\n",
])
def test_wrong_tokens_get_401_and_see_nothing(server: tuple[str, int], header: bytes) -> None:
    status, answer = get(server, b"/stories.json", header, token=False)
    assert status == 401, answer[:300]
    assert b"www-authenticate: bearer" in answer.lower()
    assert b'"stories"' not in answer
    for target in (b"/stories.json?token=" + TOKEN[:-1].encode(), b"/story/S1?token=", b"/static/serve.css"):
        status, _ = get(server, target, token=False)
        assert status == 401, target


def test_the_right_token_is_answered(server: tuple[str, int]) -> None:
    status, answer = get(server, b"/stories.json")
    assert status == 200 and b'"stories"' in answer
