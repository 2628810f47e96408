"""`bcce local up|status|down`: a real moto server process on a loopback port."""

from __future__ import annotations

import urllib.request

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode
from bcce_tf.local_emulator import healthy

pytestmark = pytest.mark.integration


def test_up_status_down(capsys):
    assert run(["local", "status"]) == ExitCode.ENVIRONMENT
    capsys.readouterr()
    try:
        assert run(["local", "up"]) == 0
        url = capsys.readouterr().out.strip()
        assert url.startswith("http://127.0.0.1:") and healthy(url)
        with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=5) as response:
            assert response.status == 200

        assert run(["local", "up"]) == 0, "a second up reuses the running emulator"
        again = capsys.readouterr()
        assert again.out.strip() == url and "already running" in again.err

        assert run(["local", "status"]) == 0
        assert capsys.readouterr().out.strip() == url
    finally:
        assert run(["local", "down"]) == 0
    assert not healthy(url)
    assert run(["local", "status"]) == ExitCode.ENVIRONMENT
    assert run(["local", "down"]) == 0
    assert "not running" in capsys.readouterr().err
