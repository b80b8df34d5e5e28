"""The suite's own guards (tests/conftest.py): no connection beyond loopback, and the provider base
URLs on a loopback port that stays closed for the whole session."""

from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import CLOSED_URL


@pytest.mark.parametrize("address", [("93.184.216.34", 443), ("example.com", 80), ("2606:4700::1111", 443, 0, 0)])
def test_a_connection_beyond_loopback_fails_at_once(address) -> None:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    started = time.monotonic()
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(ConnectionRefusedError, match="beyond loopback"):
            sock.connect(address)
        with pytest.raises(ConnectionRefusedError, match="beyond loopback"):
            sock.connect_ex(address)
    with pytest.raises(ConnectionRefusedError, match="beyond loopback"):
        socket.create_connection(address[:2], timeout=5)
    with pytest.raises(httpx.ConnectError):
        host = f"[{address[0]}]" if ":" in address[0] else address[0]
        httpx.get(f"https://{host}/", timeout=5)
    assert time.monotonic() - started < 1.0


def test_the_closed_port_is_refused_and_cannot_be_taken() -> None:
    host, port = urlsplit(CLOSED_URL).hostname, urlsplit(CLOSED_URL).port
    assert host == "127.0.0.1" and port
    with socket.socket() as sock:
        assert sock.connect_ex((host, port)) != 0  # nothing listens
    with socket.socket() as other, pytest.raises(OSError):
        other.bind((host, port))  # and no fake server can be given the port
    for name in ("CEREBRAS_BASE_URL", "DASHSCOPE_BASE_URL", "DEEPINFRA_BASE_URL", "OPENAI_BASE_URL"):
        assert os.environ[name] == CLOSED_URL


def test_loopback_still_connects() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
