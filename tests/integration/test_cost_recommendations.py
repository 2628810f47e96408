"""`bcce cost analysis` recommends a retention for bcce's log groups that keep events longer than
the config says, read from CloudWatch Logs over HTTP (log groups planted through the AWS API)."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run

pytestmark = pytest.mark.integration

CONFIG = {"organization_id": "acme", "regions": ["us-east-1"], "users": 10, "log_retention_days": 90}


@pytest.fixture()
def project(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    return tmp_path


def test_log_groups_kept_too_long_are_named_with_evidence(project, emulator, capsys):
    logs = emulator.client("logs")
    logs.create_log_group(logGroupName="/bcce/bcce-us-east-1/audit")  # never expires
    logs.create_log_group(logGroupName="/bcce/bcce-us-east-1/vpc-flow-logs")
    logs.put_retention_policy(logGroupName="/bcce/bcce-us-east-1/vpc-flow-logs", retentionInDays=400)
    logs.create_log_group(logGroupName="/bcce/claude-code/acme")
    logs.put_retention_policy(logGroupName="/bcce/claude-code/acme", retentionInDays=90)
    logs.create_log_group(logGroupName="/aws/lambda/someone-else")  # not bcce's

    capsys.readouterr()
    assert run(["--endpoint-url", emulator.url, "cost", "analysis", "--period", "30d", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["recommendations_not_checked"] == ""
    found = {r["resource"]: r for r in result["recommendations"]}
    assert sorted(found) == ["/bcce/bcce-us-east-1/audit", "/bcce/bcce-us-east-1/vpc-flow-logs"]
    audit = found["/bcce/bcce-us-east-1/audit"]
    assert audit["kind"] == "log-retention" and "never expire" in audit["evidence"]
    assert "log_retention_days 90" in audit["evidence"] and audit["monthly_saving_usd"] == 0  # created just now
    assert "kept 400 days" in found["/bcce/bcce-us-east-1/vpc-flow-logs"]["evidence"]

    assert run(["--endpoint-url", emulator.url, "cost", "analysis", "--period", "30d"]) == 0
    text = capsys.readouterr().out
    assert "Recommendations:\n  log-retention /bcce/bcce-us-east-1/audit: saves 0.00 USD a month" in text
    assert "aws logs put-retention-policy --log-group-name /bcce/bcce-us-east-1/audit --retention-in-days 90" in text
    assert run(["--endpoint-url", emulator.url, "cost", "analysis", "--period", "30d", "--format", "markdown"]) == 0
    assert "| log-retention | /bcce/bcce-us-east-1/vpc-flow-logs | 0.00 |" in capsys.readouterr().out
