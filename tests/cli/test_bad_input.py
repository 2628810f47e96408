"""Every command fed bad values: one line naming the option, field or query key and what is
allowed, a documented exit code, never a traceback, nothing sent to AWS."""

from __future__ import annotations

import io
import json
import sys

import pytest

from bcce_tf.__main__ import run
from bcce_tf.cli.app import command
from bcce_tf.exit_codes import ExitCode

U, C = ExitCode.USAGE, ExitCode.CONFIG_INVALID
# Nothing listens on port 9 of the loopback: a value that slipped through validation and reached
# AWS would end in a connection failure (exit 9 after retries), not in the code expected here.
DEAD = "http://127.0.0.1:9"

# (command path, arguments after it, stdin, exit code, text the one line must contain)
CASES = [
    ("init", ["--force", "--regions", "mars-north-9"], None, U, "--regions: 'mars-north-9' is not an AWS region name; closest: eu-north-1"),
    ("init", ["--force", "--regions", "us-east-1", "--regions", "us-east-1; rm -rf /"], None, U, "--regions: 'us-east-1; rm -rf /'"),
    ("init", ["--force", "--guardrails", "maybe"], None, U, "--guardrails takes on or off, not 'maybe'"),
    ("init", ["--force", "--users", "0"], None, U, "'--users'"),
    ("render", ["--component", "security,netwrk"], None, U, "--component: unknown value 'netwrk' (did you mean network?)"),
    ("render", ["--region", "euwest-1"], None, U, "--region: 'euwest-1' is not an AWS region name; closest: eu-west-1"),
    ("render", ["--region", "ap-south-2"], None, U, "--region ap-south-2 is not one of the config's regions"),
    ("plan", ["--component", "everything"], None, U, "--component: unknown value 'everything'"),
    ("plan", ["--max-attempts", "0", "--endpoint-url", DEAD], None, U, "'--max-attempts'"),
    ("apply", ["--region", "us-east-1; rm -rf /", "--endpoint-url", DEAD], None, U, "--region: 'us-east-1; rm -rf /' is not an AWS region name"),
    ("destroy", ["--component", ",", "--auto-approve"], None, U, "--component needs a value"),
    ("output", ["--log-format", "xml"], None, U, "--log-format must be text or json, not 'xml'"),
    ("providers mirror", ["--from-dir", "/nonexistent/bcce"], None, U, "--from-dir /nonexistent/bcce is not a folder"),
    ("providers mirror", ["--index-url", "ftp://mirror"], None, U, "--index-url must be an http(s) URL"),
    ("local up", ["--port", "70000"], None, U, "'--port'"),
    ("local down", ["--endpoint-url", "ftp://x"], None, U, "--endpoint-url must be an http(s) URL"),
    ("local status", ["--region", "mars-north-9"], None, U, "--region: 'mars-north-9'"),
    ("state bootstrap", ["--bucket", "Not_A_Bucket", "--endpoint-url", DEAD], None, U, "--bucket 'Not_A_Bucket' is not a valid name"),
    ("state backups", ["--region", "mars-north-9"], None, U, "--region: 'mars-north-9'"),
    ("state restore", ["../../etc/passwd", "--auto-approve"], None, U, "BACKUP '../../etc/passwd' is not a backup name"),
    ("cost estimate", ["--format", "xml"], None, U, "--format must be text or json, not 'xml'"),
    ("cost analysis", ["--period", "2026-02-30:2026-03-01", "--endpoint-url", DEAD], None, U,
     "--period: start date '2026-02-30' is not a calendar date"),
    ("cost analysis", ["--format", "xml", "--endpoint-url", DEAD], None, U, "--format must be one of text, json, markdown, csv, not 'xml'"),
    ("cost analysis", ["--breakdown", "user", "--endpoint-url", DEAD], None, U,
     "--breakdown must be one of service, usage-type, region, stack, not 'user'"),
    ("readiness", ["--format", "yaml", "--endpoint-url", DEAD], None, U, "--format must be one of"),
    ("readiness", ["--min-score", "101"], None, U, "'--min-score'"),
    ("deploy", ["--component", "dashbaords", "--endpoint-url", DEAD], None, U, "did you mean dashboards?"),
    ("external account", ["--endpoint-url", DEAD], '{"region": "mars-north-9"}', U,
     "query key 'region': 'mars-north-9' is not an AWS region name; closest: eu-north-1"),
    ("external account", ["--endpoint-url", DEAD], '{"region": "us-east-1; rm -rf /"}', U, "query key 'region'"),
    ("external account", ["--endpoint-url", DEAD], '{"regoin": "us-east-1"}', U,
     "unknown query key 'regoin' (did you mean 'region'?); allowed: profile, endpoint_url, region"),
    ("external account", [], '{"region": "us-east-1", "endpoint_url": "ftp://x"}', U, "query key 'endpoint_url'"),
    ("external account", ["--endpoint-url", DEAD], '["us-east-1"]', U, "must be a JSON object"),
    ("external preflight", ["--endpoint-url", DEAD], '{"region": "mars-north-9"}', U, "query key 'region': 'mars-north-9'"),
    ("external preflight", ["--endpoint-url", DEAD], '{"min_score": "high"}', U, "min_score must be a whole number"),
    ("external preflight", ["--endpoint-url", DEAD], '{"profile": "a b]"}', U, "query key 'profile'"),
    ("external preflight", ["--endpoint-url", DEAD], '{"score": "100"}', U, "unknown query key 'score'"),
    ("validate", ["/nonexistent/root"], None, U, "validate: /nonexistent/root is not a folder"),
    ("doctor", ["--component", "bogus"], None, U, "--component: unknown value 'bogus'"),
    ("doctor", ["--component", "history", "--format", "yaml"], None, U, "--format must be one of text, json, markdown"),
    ("metrics serve", ["--port", "70000"], None, U, "'--port'"),
    ("reset-circuit-breaker", ["no-such-breaker"], None, U, "no circuit breaker named 'no-such-breaker'"),
    ("claude-code settings", ["--scope", "team"], None, U, "--scope must be one of user, project, managed, not 'team'"),
    ("credentials", ["--profile", "dev", "--region", "us-east-1", "--endpoint-url", DEAD, "--issuer-url", "http://idp.example.com",
                     "--client-id", "abc", "--identity-pool-id", "us-east-1:01234567-89ab-cdef-0123-456789abcdef"], None, U,
     "--issuer-url must be an https URL (http only on localhost)"),
    ("claude-code profile", ["--aws-profile", "dev; rm -rf /"], None, U, "--aws-profile 'dev; rm -rf /': 1-64 letters, digits and . _ -"),
    ("claude-code doctor", ["--live", "maybe"], None, U, "unexpected extra argument"),

    ("debug", ["--component", "aws-clinets"], None, U, "--component: unknown value 'aws-clinets' (did you mean aws-clients?)"),
    ("drift", ["--format", "xml"], None, U, "--format must be one of text, json, not 'xml'"),
    ("targets", ["--format", "yaml"], None, U, "--format must be one of text, json, github-matrix, not 'yaml'"),
    ("report merge", ["no-such-result.json"], None, U, "no-such-result.json: cannot be read"),
    ("claude-code package", ["--os", "linux,beos"], None, U, "--os: unknown value 'beos'; allowed: linux, macos, windows"),
    ("claude-code distribute", ["--expires-in", "604801", "--endpoint-url", DEAD], None, U, "--expires-in must be from 1 to 604800 seconds"),
]


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps({"regions": ["us-east-1", "eu-west-1"]}))
    return tmp_path


def command_paths(cmd, prefix=()):
    children = getattr(cmd, "commands", None)
    if children is None:
        yield " ".join(prefix)
        return
    for name, child in children.items():
        yield from command_paths(child, (*prefix, name))


def test_the_table_covers_every_command():
    assert {case[0] for case in CASES} == set(command_paths(command()))


@pytest.mark.parametrize(("path", "args", "stdin", "code", "needle"), CASES,
                         ids=[f"{c[0]} {' '.join(c[1])} {c[2] or ''}".strip() for c in CASES])
def test_bad_value_is_one_line_with_a_documented_code(project, capsys, monkeypatch, path, args, stdin, code, needle):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
    before = sorted((p.name, p.read_bytes()) for p in project.iterdir())
    assert run([*path.split(), *args]) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("bcce run ")]
    assert len(lines) == 1, err
    assert needle in lines[0]
    if path.startswith("external"):
        assert out == ""  # the protocol: nothing on stdout when failing
    assert sorted((p.name, p.read_bytes()) for p in project.iterdir()) == before  # nothing written or changed


@pytest.mark.parametrize(("config", "needle"), [
    ({"regions": ["mars-north-9"]}, "field 'regions': 'mars-north-9' is not an AWS region name; closest: eu-north-1"),
    ({"regions": ["us-east-1", "US-EAST-1"]}, "field 'regions'"),
    ({"backend": {"type": "s3", "bucket": "state-bucket", "region": "eu-west-9x"}}, "field 'backend.region'"),
    ({"components": ["security,network"]}, "field 'components'"),
])
def test_bad_values_in_the_config_file_exit_4_naming_the_field(project, capsys, config, needle):
    (project / "bcce.json").write_text(json.dumps(config))
    assert run(["render"]) == C
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and "bcce.json" in err[0]
