"""An empty terraform.tfstate next to a backup that lists resources: a Terraform killed while it
rewrote the state. Destroy refuses rather than believe there is nothing left."""

from __future__ import annotations

import json

from bcce_tf.safe_destroy import emptied_state


def test_empty_state_with_a_backup_that_lists_resources_is_named(tmp_path):
    (tmp_path / "terraform.tfstate").write_text("")
    (tmp_path / "terraform.tfstate.backup").write_text(json.dumps({"resources": [{"type": "aws_s3_bucket"}]}))
    problem = emptied_state(tmp_path)
    assert problem and "terraform.tfstate is empty" in problem and "1 resources" in problem
    assert "bcce state restore" in problem


def test_a_state_with_content_or_no_backup_is_trusted(tmp_path):
    assert emptied_state(tmp_path) is None  # no state at all: never applied
    (tmp_path / "terraform.tfstate").write_text("")
    assert emptied_state(tmp_path) is None  # no backup to compare with
    (tmp_path / "terraform.tfstate.backup").write_text(json.dumps({"resources": []}))
    assert emptied_state(tmp_path) is None  # the previous state was empty too
    (tmp_path / "terraform.tfstate.backup").write_text("{not json")
    assert emptied_state(tmp_path) is None
    (tmp_path / "terraform.tfstate").write_text('{"version": 4}')
    (tmp_path / "terraform.tfstate.backup").write_text(json.dumps({"resources": [{}]}))
    assert emptied_state(tmp_path) is None
