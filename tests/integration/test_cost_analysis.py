"""`bcce cost analysis` against Cost Explorer over HTTP: the emulator's answers are planted through
moto's own API for them (POST /moto-api/static/ce/cost-and-usage-results), then the totals, the
breakdown, the comparison with the estimate and the unavailable forecast are checked."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bcce_tf.__main__ import run
from bcce_tf.cost import estimate
from bcce_tf.exit_codes import ExitCode
from bcce_tf.spend.analysis import prorate

pytestmark = pytest.mark.integration

CONFIG = {"organization_id": "acme", "regions": ["us-east-1"], "users": 10}
PERIOD = "2026-10-15:2026-11-13"  # 30 days over two calendar months


def money(amount: str) -> dict:
    return {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}


def month(start: str, end: str, groups: dict[str, str], estimated: bool = False) -> dict:
    return {"TimePeriod": {"Start": start, "End": end}, "Total": {}, "Estimated": estimated,
            "Groups": [{"Keys": [key], "Metrics": money(amount)} for key, amount in groups.items()]}


def plant(url: str, *results: dict) -> None:
    body = json.dumps({"results": list(results)}).encode()
    request = urllib.request.Request(f"{url}/moto-api/static/ce/cost-and-usage-results", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    return tmp_path


def analysis(url: str, capsys, *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = run(["--endpoint-url", url, "cost", "analysis", "--period", PERIOD, "--format", "json", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def test_service_breakdown_totals_and_explains_each_line_against_the_estimate(project, emulator, capsys):
    plant(emulator.url, {"ResultsByTime": [
        month("2026-10-15", "2026-11-01", {"Amazon Bedrock": "40.25", "AWS Key Management Service": "0.5",
                                           "Amazon Virtual Private Cloud": "41.10"}),
        month("2026-11-01", "2026-11-14", {"Amazon Bedrock": "31.50", "AWS Key Management Service": "0.43",
                                           "Amazon Virtual Private Cloud": "31.90", "AWS Config": "12.00"}, estimated=True),
    ], "DimensionValueAttributes": []})

    code, result = analysis(emulator.url, capsys, "--breakdown", "service")
    assert code == 0, result
    assert result["period"] == {"start": "2026-10-15", "end": "2026-11-13", "days": 30, "label": "2026-10-15 to 2026-11-13"}
    assert result["total"] == 157.68  # 40.25 + 0.5 + 41.10 + 31.50 + 0.43 + 31.90 + 12.00
    assert result["lines"] == [{"key": "Amazon Virtual Private Cloud", "amount": 73.0},
                               {"key": "Amazon Bedrock", "amount": 71.75},
                               {"key": "AWS Config", "amount": 12.0},
                               {"key": "AWS Key Management Service", "amount": 0.93}]
    assert result["estimated_by_cost_explorer"] is True

    from bcce_tf.config import load_config

    expected = estimate(load_config(project / "bcce.json"))
    assert result["estimate"]["users"] == 10
    assert result["estimate"]["for_period"] == round(prorate(expected.monthly_usd, 30), 2)
    rows = {d["service"]: d for d in result["differences"]}
    assert rows["AWS Config"]["why"].startswith("not in the estimate")
    assert rows["AWS Config"]["estimated"] == 0
    bedrock = rows["Amazon Bedrock"]
    assert bedrock["actual"] == 71.75 and bedrock["estimated"] > 1000  # 10 developers at the assumed ~$6 a day
    assert "of the estimate" in bedrock["why"]
    assert rows["AWS CloudTrail"]["why"] == "no spend, as estimated"  # priced at 0, nothing billed
    assert rows["Amazon Athena"]["why"].startswith("estimated but nothing billed")

    # The emulator has no GetCostForecast nor ListCostAllocationTags: said, not guessed.
    assert result["forecast"]["amount"] is None and "GetCostForecast" in result["forecast"]["not_available"]
    assert result["cost_allocation_tags"]["not_available"].startswith("not checked")

    capsys.readouterr()
    assert run(["--endpoint-url", emulator.url, "cost", "analysis", "--period", PERIOD]) == 0
    text = capsys.readouterr().out
    assert "total" in text and "157.68 USD" in text and "AWS Config" in text and "not in the estimate" in text

    assert run(["--endpoint-url", emulator.url, "cost", "analysis", "--period", PERIOD, "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "service,amount,currency,start,end"
    assert rows[1] == "Amazon Virtual Private Cloud,73.00,USD,2026-10-15,2026-11-13" and len(rows) == 5

    assert run(["--endpoint-url", emulator.url, "cost", "analysis", "--period", PERIOD, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "| **total** | **157.68** |" in markdown and "| AWS Config | 12.00 | 0.00 | +12.00 | not in the estimate" in markdown


def test_stack_breakdown_reads_tag_groups_and_untagged_spend(project, emulator, capsys):
    plant(emulator.url, {"ResultsByTime": [
        month("2026-10-15", "2026-11-01", {"Stack$bcce": "10.00", "Stack$": "5.55"}),
        month("2026-11-01", "2026-11-14", {"Stack$bcce": "2.50"}),
    ]})
    code, result = analysis(emulator.url, capsys, "--breakdown", "stack")
    assert code == 0
    assert result["lines"] == [{"key": "bcce", "amount": 12.5}, {"key": "(no Stack tag)", "amount": 5.55}]
    assert result["total"] == 18.05 and result["differences"] == []


def test_nothing_recorded_is_zero_spend_not_an_error(project, emulator, capsys):
    code, result = analysis(emulator.url, capsys)
    assert code == 0 and result["total"] == 0 and result["lines"] == []


class _Unavailable(BaseHTTPRequestHandler):
    """Cost Explorer's answer in an account where it was never enabled."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"__type": "DataUnavailableException", "message": "Data is not available."}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        del args


def test_cost_explorer_without_data_exits_25_with_one_line(project, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code = run(["--endpoint-url", f"http://127.0.0.1:{server.server_port}", "cost", "analysis", "--period", PERIOD])
    finally:
        server.shutdown()
    assert code == ExitCode.COST_UNAVAILABLE == 25
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip() and not line.startswith("bcce run ")]
    assert len(err) == 1 and "DataUnavailableException" in err[0] and "enable it in the Billing console" in err[0]


def doctor_cost(url: str, capsys) -> tuple[int, dict]:
    capsys.readouterr()
    code = run(["--endpoint-url", url, "doctor", "--component", "cost", "--json"])
    return code, {c["name"]: c for c in json.loads(capsys.readouterr().out)["health"]["checks"]}


def test_doctor_cost_is_unhealthy_over_the_monthly_budget(project, emulator, capsys):
    (project / "bcce.json").write_text(json.dumps({**CONFIG, "monitoring": {"monthly_budget_usd": 100}}))
    plant(emulator.url, {"ResultsByTime": [month("2026-12-01", "2026-12-05", {"Amazon Bedrock": "120.00", "AWS Config": "3.5"})]})
    code, checks = doctor_cost(emulator.url, capsys)
    assert code == ExitCode.UNHEALTHY
    spend = checks["month-to-date"]
    assert spend["status"] == "unhealthy" and spend["component"] == "cost" and spend["stack"] == ""
    assert "123.50 USD spent (Amazon Bedrock 120.00, AWS Config 3.50)" in spend["evidence"]
    assert "over the monthly budget" in spend["evidence"] and "monthly budget 100.00" in spend["evidence"]
    assert "no forecast (not checked: the endpoint does not implement GetCostForecast)" in spend["evidence"]
    assert checks["cost-allocation-tags"]["status"] == "not checked"


def test_doctor_cost_is_healthy_well_under_the_budget(project, emulator, capsys):
    plant(emulator.url, {"ResultsByTime": [month("2026-12-01", "2026-12-05", {"Amazon Bedrock": "0.01"})]})
    code, checks = doctor_cost(emulator.url, capsys)
    assert code == 0 and checks["month-to-date"]["status"] == "healthy"
