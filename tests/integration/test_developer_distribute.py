"""`bcce claude-code distribute` against the emulator over HTTP: the archives land under the
private prefix, SSE-KMS with the stack key, and each presigned SigV4 URL downloads the very bytes
`bcce claude-code package` builds, for the time asked (default 7 days).

The bucket and key are made here with the names the stack's outputs carry (athena_results_bucket,
kms_key_arn). The stack buckets deny requests without TLS (aws:SecureTransport): the emulator
serves plain HTTP and does not evaluate bucket policies, so that deny is not checked here; real
S3 answers the same calls and URLs over HTTPS.
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from bcce_tf.__main__ import run
from bcce_tf.developer import package

pytestmark = pytest.mark.integration

BUCKET = "bcce-acme-123456789012-us-east-1-athena"
POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
    "Resource": ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-*"]}]}


@pytest.fixture()
def project(moto_server, tmp_path, monkeypatch):
    moto_server.reset()
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "distributeSecretNeverPrinted")
    monkeypatch.chdir(tmp_path)
    key_arn = moto_server.client("kms").create_key(Description="stack key")["KeyMetadata"]["Arn"]
    moto_server.client("s3").create_bucket(Bucket=BUCKET)
    (tmp_path / "bcce.json").write_text(json.dumps({"organization_id": "acme", "regions": ["us-east-1"], "guardrails": False}))
    outputs = {"account_id": "123456789012", "bedrock_access_policy_json": json.dumps(POLICY),
               "athena_results_bucket": BUCKET, "kms_key_arn": key_arn}
    (tmp_path / "outputs.json").write_text(json.dumps({"bcce-us-east-1": outputs}))
    return moto_server, key_arn


ARGS = ["--from-outputs", "outputs.json", "--aws-profile", "claude", "--sso-start-url", "https://d-1234567890.awsapps.com/start"]


def test_each_url_downloads_the_package_and_the_objects_are_kms_encrypted(project, capsys, tmp_path):
    emulator, key_arn = project
    assert run(["claude-code", "package", *ARGS, "--out", "dist"]) == 0
    capsys.readouterr()
    before = datetime.now(timezone.utc).replace(microsecond=0)
    assert run(["--endpoint-url", emulator.url, "claude-code", "distribute", *ARGS]) == 0
    after = datetime.now(timezone.utc)
    out = capsys.readouterr().out
    urls = dict(re.findall(r"^(linux|macos|windows|manifest): (\S+)$", out, flags=re.MULTILINE))
    assert set(urls) == {"linux", "macos", "windows", "manifest"}
    ends = datetime.strptime(re.search(r"valid until (\S+) \(604800 s\)", out).group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before + timedelta(days=7) <= ends <= after + timedelta(days=7)
    s3 = emulator.client("s3")
    for system, url in urls.items():
        name = package.MANIFEST if system == "manifest" else package.archive_name("claude", system)
        query = parse_qs(urlparse(url).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["604800"]
        assert urlparse(url).path == f"/{BUCKET}/claude-code/packages/bcce-us-east-1/{name}"
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the emulator's loopback URL
            assert answer.read() == (tmp_path / "dist" / name).read_bytes(), name
        head = s3.head_object(Bucket=BUCKET, Key=f"claude-code/packages/bcce-us-east-1/{name}")
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key_arn
    assert "distributeSecretNeverPrinted" not in out  # the secret key signs the URLs; it is never printed


def test_a_shorter_expiry_and_one_os(project, capsys):
    emulator, _ = project
    assert run(["--endpoint-url", emulator.url, "claude-code", "distribute", *ARGS, "--os", "windows", "--expires-in", "3600"]) == 0
    out = capsys.readouterr().out
    urls = dict(re.findall(r"^(\w+): (\S+)$", out, flags=re.MULTILINE))
    assert set(urls) == {"windows", "manifest"}
    assert parse_qs(urlparse(urls["windows"]).query)["X-Amz-Expires"] == ["3600"]


def test_too_long_an_expiry_uploads_nothing(project, capsys):
    emulator, _ = project
    code = run(["--endpoint-url", emulator.url, "claude-code", "distribute", *ARGS, "--expires-in", "604801"])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "--expires-in must be from 1 to 604800 seconds" in err
    assert emulator.client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
