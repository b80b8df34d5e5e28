"""The console's session cookie: what is signed comes back; a changed, re-signed or old cookie
does not (a visitor then starts signed out)."""

from __future__ import annotations

import time

from service.console import session as sessions

KEY = b"k" * 32


def test_a_signed_session_round_trips_and_a_tampered_one_is_refused() -> None:
    signed = sessions.encode(sessions.Session(name="alice"), KEY)
    back = sessions.decode(signed, KEY)
    assert back is not None and back.name == "alice" and not back.changed

    payload, _, signature = signed.partition(".")
    forged = sessions.encode(sessions.Session(name="root"), b"other key")
    assert sessions.decode(forged, KEY) is None
    assert sessions.decode(payload[:-2] + "AA." + signature, KEY) is None
    assert sessions.decode("garbage", KEY) is None


def test_an_old_session_is_refused_and_the_csrf_check_is_exact() -> None:
    old = sessions.Session(name="alice", issued=time.time() - sessions.MAX_AGE_S - 1)
    assert sessions.decode(sessions.encode(old, KEY), KEY) is None
    current = sessions.Session()
    assert sessions.csrf_ok(current, current.csrf)
    assert not sessions.csrf_ok(current, None) and not sessions.csrf_ok(current, current.csrf + "x")


def test_the_key_is_made_once_per_data_directory(tmp_path) -> None:
    first = sessions.session_key(tmp_path)
    assert sessions.session_key(tmp_path) == first and len(first) == 32
    assert (tmp_path / sessions.KEY_FILE).stat().st_mode & 0o777 == 0o600
