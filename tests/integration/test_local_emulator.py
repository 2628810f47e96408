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


def test_up_ready_makes_the_account_ready_once_and_says_what_it_cannot(tmp_path, monkeypatch, capsys):
    import json

    import boto3

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps({"regions": ["us-east-1", "us-west-2"],
                                                    "provider": {"generation": 3}}))
    try:
        assert run(["local", "up"]) == 0
        url = capsys.readouterr().out.strip()

        def client(service: str, region: str = "us-east-1"):  # noqa: ANN202
            return boto3.client(service, region_name=region, endpoint_url=url,
                                aws_access_key_id="testing", aws_secret_access_key="testing")

        assert not client("cloudtrail").describe_trails()["trailList"], "without --ready the account stays as it is"

        assert run(["local", "up", "--ready"]) == 0
        first = capsys.readouterr()
        assert first.out.strip() == url, "stdout is the URL alone, for $(bcce local up --ready)"
        assert "making the emulated account ready in us-east-1, us-west-2:" in first.err
        assert "account ready: 10 change(s), 0 already in place" in first.err
        assert "root user MFA: not made ready" in first.err

        trails = client("cloudtrail", "us-west-2").describe_trails()["trailList"]
        assert [(t["Name"], t["IsMultiRegionTrail"], t["HomeRegion"]) for t in trails] == \
            [("account-trail", True, "us-east-1")]
        assert client("cloudtrail").get_trail_status(Name="account-trail")["IsLogging"]
        for region in ("us-east-1", "us-west-2"):
            status = client("config", region).describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
            assert [(s["name"], s["recording"]) for s in status] == [("default", True)]
            channels = client("config", region).describe_delivery_channels()["DeliveryChannels"]
            assert [c["s3BucketName"] for c in channels] == ["account-audit-123456789012"]
        policy = json.loads(client("s3").get_bucket_policy(Bucket="account-audit-123456789012")["Policy"])
        assert {s["Sid"] for s in policy["Statement"]} >= {"CloudTrailWrite", "ConfigWrite"}

        assert run(["--endpoint-url", url, "readiness", "-f", "json"]) == 0
        checks = {c["id"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
        for region in ("us-east-1", "us-west-2"):
            assert checks[f"security.cloudtrail.{region}"]["status"] == "passed"
            assert checks[f"security.config-recorder.{region}"]["status"] == "passed"
        assert checks["security.root-mfa"]["status"] == "failed", "no API sets root MFA: it stays as it is"

        assert run(["local", "status"]) == 0, "still seen as running once readiness has touched many regions"
        capsys.readouterr()
        client("cloudtrail").stop_logging(Name="account-trail")
        assert run(["local", "up", "--ready"]) == 0
        again = capsys.readouterr().err
        assert "already running" in again
        assert "made: CloudTrail trail account-trail logging" in again
        assert "account ready: 1 change(s), 9 already in place" in again
    finally:
        assert run(["local", "down"]) == 0
