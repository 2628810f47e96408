"""Tracing: one correlation id per run on every log line, in Terraform's user agent and in bcce's own."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from bcce_tf.config import Config
from bcce_tf.logs import CONTEXT_FIELDS, configure, current_context, log_context, logger
from bcce_tf.render import StackTarget
from bcce_tf.stack import Runtime, terraform_env

JSON_FIELDS = {"time", "level", "correlation_id", "operation", "component", "region", "stack", "message"}


@pytest.fixture()
def json_log():
    stream = io.StringIO()
    configure("feedc0ffee123456", fmt="json", stream=stream)
    yield stream
    configure("", stream=io.StringIO())


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_every_field_and_the_operation_context(json_log):
    logger().info("before")
    with log_context(operation="terraform-apply", component="security,network", region="eu-west-1", stack="bcce"):
        logger().warning("retry 2/5 of terraform-apply:bcce:eu-west-1")
        logging.getLogger("bcce.resilience").info("from the resilience package")
    logger().error("after")

    before, inside, resilience, after = lines(json_log)
    for line in (before, inside, resilience, after):
        assert set(line) == JSON_FIELDS
        assert line["correlation_id"] == "feedc0ffee123456"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert inside == {**inside, "level": "warning", "operation": "terraform-apply", "component": "security,network",
                      "region": "eu-west-1", "stack": "bcce", "message": "retry 2/5 of terraform-apply:bcce:eu-west-1"}
    assert resilience["operation"] == "terraform-apply" and resilience["message"] == "from the resilience package"
    assert [before["operation"], after["operation"]] == ["", ""], "the context ends with its block"
    assert (before["level"], after["level"]) == ("info", "error")


def test_context_nests_and_a_failure_keeps_it_for_the_error_line(json_log):
    with log_context(stack="bcce", region="us-east-1"):
        with log_context(operation="terraform-init"):
            assert current_context() == {"stack": "bcce", "region": "us-east-1", "operation": "terraform-init"}
        assert current_context() == {"stack": "bcce", "region": "us-east-1"}
    assert current_context() == {}

    with pytest.raises(RuntimeError), log_context(operation="terraform-apply", region="us-east-1"):
        raise RuntimeError("boom")
    logger().error("terraform apply failed")
    assert lines(json_log)[-1]["operation"] == "terraform-apply"

    configure("another-run-00001", fmt="json", stream=io.StringIO())
    assert current_context() == {}, "a new run starts without the context of the last one"


def test_unknown_context_field_is_refused():
    with pytest.raises(ValueError, match="known: " + ", ".join(CONTEXT_FIELDS)), log_context(tenant="x"):
        pass


def test_text_lines_stay_plain(capsys):
    stream = io.StringIO()
    configure("0123456789abcdef", fmt="text", stream=stream)
    with log_context(operation="terraform-plan"):
        logger().info("plan: 3 to add")
        logger().warning("readiness: not checked")
    assert stream.getvalue().splitlines() == ["plan: 3 to add", "warning: readiness: not checked"]


def test_correlation_id_reaches_terraforms_provider_user_agent(tmp_path):
    runtime = Runtime(config=Config(), workdir=tmp_path, correlation_id="0a1b2c3d4e5f6789", environ={})
    env = terraform_env(runtime, StackTarget("bcce", "us-east-1"))
    assert env["TF_APPEND_USER_AGENT"].split() == ["bcce/0.1.0", "bcce-run/0a1b2c3d4e5f6789"]
    assert env["BCCE_CORRELATION_ID"] == "0a1b2c3d4e5f6789", "what Terraform starts joins the run"


class _Captured(Exception):
    pass


def test_correlation_id_reaches_the_user_agent_bcce_sends(monkeypatch):
    from bcce_tf.aws import AwsClients

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    seen: list[str] = []

    def capture(request, **_):
        seen.append(request.headers["User-Agent"].decode() if isinstance(request.headers["User-Agent"], bytes)
                    else request.headers["User-Agent"])
        raise _Captured

    client = AwsClients(endpoint_url="http://127.0.0.1:9", correlation_id="0a1b2c3d4e5f6789").client("sts", "us-east-1")
    client.meta.events.register("before-send", capture)
    with pytest.raises(_Captured):
        client.get_caller_identity()
    assert "bcce/0.1.0" in seen[0].split() and "bcce-run/0a1b2c3d4e5f6789" in seen[0].split()


def test_run_record_outcome_names():
    from bcce_tf.run_record import outcome_of

    assert outcome_of(0, "apply") == "success"
    assert outcome_of(2, "plan") == "changes-present"
    assert [outcome_of(code, "apply") for code in (7, 8, 9, 10)] == [
        "credentials", "circuit-open", "retries-exhausted", "state-locked"]
    assert outcome_of(77, "apply") == "exit-77"
