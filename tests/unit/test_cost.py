"""`bcce cost estimate`: a pure function of the config, price table and usage assumptions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bcce_tf.cli import cost as cost_cli
from bcce_tf.cli.common import GlobalOptions
from bcce_tf.config import Config
from bcce_tf.cost import (
    BEDROCK_USAGE,
    PRICES,
    CostEstimate,
    UsageAssumptions,
    estimate,
    render_text,
)


def config(**data) -> Config:
    return Config.model_validate(data)


def test_bedrock_line_scales_linearly_with_users():
    one = estimate(config(), users=1).component(BEDROCK_USAGE)
    hundred = estimate(config(), users=100).component(BEDROCK_USAGE)
    assert one is not None and hundred is not None
    assert hundred.monthly_usd == pytest.approx(100 * one.monthly_usd, rel=1e-3)
    for small, big in zip(one.lines, hundred.lines):
        assert big.quantity == pytest.approx(100 * small.quantity)


def test_users_default_to_the_config():
    assert estimate(config(users=7)).users == 7
    assert estimate(config(users=7), users=9).users == 9


def test_default_usage_is_about_six_dollars_per_developer_day():
    a = UsageAssumptions()
    result = estimate(config(), users=1, assumptions=a)
    per_day = result.bedrock_usd / a.working_days_per_month
    assert 5.5 <= per_day <= 6.5


def test_disabled_components_cost_nothing():
    full = estimate(config())
    lean = estimate(config(privatelink=False, analytics_model="none", components=["security", "network", "analytics", "monitoring"]))
    assert full.component("network") is not None and full.component("analytics") is not None
    assert lean.component("network") is None and lean.component("analytics") is None
    assert lean.infrastructure_usd < full.infrastructure_usd
    nothing = estimate(config(components=["guardrails"], guardrails=False))
    assert nothing.components == () and nothing.monthly_usd == 0


def test_network_without_privatelink_has_no_endpoint_hours():
    result = estimate(config(privatelink=False, dashboard={"platform": "grafana"}))
    network = result.component("network")
    assert network is not None
    assert all(PRICES["interface_endpoint_hour"].unit != line.unit for line in network.lines)


def test_fixed_costs_repeat_per_region_and_usage_does_not():
    one = estimate(config(regions=["us-east-1"]))
    two = estimate(config(regions=["us-east-1", "eu-west-1"]))
    assert two.component("security").monthly_usd == pytest.approx(2 * one.component("security").monthly_usd, abs=0.02)
    assert two.bedrock_usd == one.bedrock_usd


def test_totals_add_up():
    result = estimate(config(regions=["us-east-1", "eu-west-1"]), users=250)
    for comp in result.components:
        assert comp.monthly_usd == pytest.approx(sum(line.monthly_usd for line in comp.lines), abs=0.011)
        for line in comp.lines:
            assert line.monthly_usd == pytest.approx(line.quantity * line.unit_price_usd, abs=0.006)
    assert result.infrastructure_usd + result.bedrock_usd == pytest.approx(result.monthly_usd, abs=0.011)
    assert result.monthly_usd == pytest.approx(sum(c.monthly_usd for c in result.components), abs=0.011)


def test_unpriced_components_are_listed_not_hidden():
    result = estimate(config())
    assert set(result.not_estimated) == {"bedrock-access", "identity", "guardrails"}
    assert all(result.component(name).note.startswith("not estimated") for name in result.not_estimated)
    assert any("not estimated" in line for line in render_text(result).splitlines())


def test_every_price_cites_its_page_and_assumptions_are_stated():
    for key, price in PRICES.items():
        assert price.source.startswith("https://aws.amazon.com/"), key
        assert price.usd >= 0
    result = estimate(config())
    assert result.prices_as_of and result.price_region == "us-east-1"
    assert any("working days" in a for a in result.assumptions)


def test_estimate_is_json_serialisable():
    data = json.loads(json.dumps(estimate(config()).to_dict()))
    assert data["currency"] == "USD" and data["components"]
    assert isinstance(estimate(config()), CostEstimate)


def _app(config_path: Path) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = GlobalOptions(config_path=config_path, workdir=config_path.parent)

    cost_cli.register(app)
    return app


def test_cli_prints_text_and_json(tmp_path):
    path = tmp_path / "bcce.json"
    path.write_text(json.dumps({"users": 10}), encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(_app(path), ["cost", "estimate"])
    assert text.exit_code == 0, text.output
    assert "total" in text.output and "10 developers" in text.output
    raw = runner.invoke(_app(path), ["cost", "estimate", "--users", "20", "--format", "json"])
    assert raw.exit_code == 0, raw.output
    data = json.loads(raw.output)
    assert data["users"] == 20
    assert data["monthly_usd"] == estimate(Config.model_validate({"users": 10}), users=20).monthly_usd


def test_cli_rejects_an_unknown_format(tmp_path):
    path = tmp_path / "bcce.json"
    path.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(_app(path), ["cost", "estimate", "--format", "xml"])
    assert result.exit_code != 0
