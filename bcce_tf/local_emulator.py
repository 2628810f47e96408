"""The embedded AWS emulator: a moto server on a loopback port, run in the background."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.paths import state_file

HOST = "127.0.0.1"


@dataclass(frozen=True)
class EmulatorInfo:
    pid: int
    port: int
    started: str
    log: str

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def info_path() -> Path:
    return state_file("emulator.json")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def healthy(url: str, timeout: float = 1.0) -> bool:
    """Whether moto answers; /moto-api/config is small, where data.json serialises every backend
    of every region touched and takes seconds once readiness has looked at the account."""
    try:
        with urllib.request.urlopen(f"{url}/moto-api/config", timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _recorded() -> EmulatorInfo | None:
    """The emulator this machine started last, as recorded; a damaged record is dropped."""
    path = info_path()
    if not path.exists():
        return None
    try:
        return EmulatorInfo(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        path.unlink(missing_ok=True)
        return None


def is_embedded(url: str) -> bool:
    """Whether `url` is the emulator `bcce local up` started on this machine."""
    info = _recorded()
    return info is not None and url.rstrip("/") == info.url


def status() -> EmulatorInfo | None:
    info = _recorded()
    if info is None or not _alive(info.pid) or not healthy(info.url):
        return None
    return info


def up(port: int | None = None, wait: float = 30) -> tuple[EmulatorInfo, bool]:
    """Start the emulator unless it already runs; returns (info, started_now)."""
    running = status()
    if running is not None:
        return running, False
    try:
        import moto.server  # noqa: F401
    except ImportError:
        raise EnvironmentProblem("the emulator needs moto[server]: pip install 'bcce-tf[emulator]'") from None
    chosen = port or free_port()
    path = info_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.with_name("emulator.log")
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "bcce_tf.emulator.server", "-H", HOST, "-p", str(chosen)],
            stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
    info = EmulatorInfo(pid=process.pid, port=chosen, started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), log=str(log))
    deadline = time.monotonic() + wait
    while not healthy(info.url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise EnvironmentProblem(f"the emulator did not start on {info.url}; see {log}")
        time.sleep(0.2)
    path.write_text(json.dumps(asdict(info)), encoding="utf-8")
    return info, True


def down() -> EmulatorInfo | None:
    info = _recorded()
    if info is None:
        return None
    if _alive(info.pid):
        os.kill(info.pid, signal.SIGTERM)
        for _ in range(50):
            if not _alive(info.pid):
                break
            time.sleep(0.1)
        else:
            os.kill(info.pid, signal.SIGKILL)
    info_path().unlink(missing_ok=True)
    return info
