"""The saved questions over the lake Superset gets: plain Athena SQL over columns of the usage
table as the analytics template renders it, bounded by the `dt` partition, and passed to the
stack only for Superset (dashboards always come with the lake)."""

from __future__ import annotations

import json
import re

import pytest

from bcce_tf.metrics.grafana_dashboard import USAGE_TABLE
from bcce_tf.metrics.lake_questions import DAYS, questions, questions_json
from bcce_tf.render import TFVARS_FILENAME, RenderOptions, StackTarget, render_files, templates_dir
from tests.unit.test_metrics_grafana import config, lake_table, sql_identifiers

# Words of Athena's SQL in the questions that the Grafana panels do not use.
MORE_SQL_WORDS = {"interval", "day", "hour", "current_date", "current_timestamp", "varchar"}


def test_the_questions_cover_the_usage_the_dashboard_shows():
    labels = [q.label for q in questions()]
    for wanted in ("per user", "per team", "per model", "active users", "errors"):
        assert any(wanted in label for label in labels), wanted
    assert len(set(labels)) == len(labels), "questions are updated by label: labels are unique"


def test_every_question_reads_columns_of_the_rendered_usage_table_within_its_partitions():
    cfg = config(dashboard={"platform": "superset"})
    files, _, _ = render_files(cfg, StackTarget(cfg.stack_name, "us-east-1"), RenderOptions())
    name, columns = lake_table(files)
    for question in questions():
        tables, names = sql_identifiers(question.sql)
        names = {n for n in names if n.lower() not in MORE_SQL_WORDS}
        assert tables == {USAGE_TABLE}, question.sql
        assert names and names <= columns, f"not columns of {name}: {sorted(names - columns)}"
        assert f"dt >= CAST(current_date - INTERVAL '{DAYS}' DAY AS varchar)" in question.sql, "partition filter"
        assert "$__" not in question.sql and "%" not in question.sql, "no dashboard macro, nothing a pyformat driver reads"
        assert question.description


@pytest.mark.parametrize(("platform", "components", "expected"), [
    ("superset", ["analytics", "dashboards", "monitoring"], True),
    ("grafana", ["analytics", "dashboards", "monitoring"], False),
    ("metabase", ["analytics", "dashboards", "monitoring"], False),
])
def test_the_stack_passes_the_questions_to_superset_only(platform, components, expected):
    cfg = config(dashboard={"platform": platform}, components=components)
    files, _, _ = render_files(cfg, StackTarget(cfg.stack_name, "us-east-1"), RenderOptions())
    passed = json.loads(files[TFVARS_FILENAME])["dashboards_lake_questions"]
    assert passed == (questions_json() if expected else "")
    if expected:
        assert [q["label"] for q in json.loads(passed)] == [q.label for q in questions()]


def test_the_superset_script_reads_the_fields_the_questions_carry():
    script = (templates_dir() / "modules" / "dashboards" / "user_data" / "superset.sh.tftpl").read_text(encoding="utf-8")
    read = set(re.findall(r'question\["(\w+)"\]', script))
    assert read == set(json.loads(questions_json())[0]), "the script reads exactly the fields bcce writes"
    assert "awsathena+rest://@athena." in script, "no access key in the URI: the instance role"
