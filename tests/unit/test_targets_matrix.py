"""`bcce targets --format github-matrix`: a `strategy.matrix` GitHub Actions accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcce_tf import targets
from bcce_tf.config import parse_config
from bcce_tf.errors import UsageError


def cfg(**extra):
    return parse_config({"regions": ["us-east-1", "eu-west-1"], **extra}, Path("bcce.json"))


def accepted_by_github(matrix) -> None:
    """The shape `strategy.matrix` takes from fromJSON(): an object whose `include` is a list of
    objects of scalar values (every other key would be a list of values), none of them empty."""
    assert isinstance(matrix, dict) and matrix
    for key, value in matrix.items():
        assert isinstance(value, list) and value, key
        if key in ("include", "exclude"):
            assert all(isinstance(job, dict) and job for job in value)
            assert all(isinstance(v, (str, int, float, bool)) for job in value for v in job.values())


def test_one_job_per_account_and_region():
    config = cfg(targets=[{"account_id": "111111111111", "role_arn": "arn:aws:iam::111111111111:role/d"},
                          {"account_id": "222222222222", "profile": "w", "regions": ["ap-southeast-2"]}])
    matrix = targets.github_matrix(targets.expand(config))
    accepted_by_github(matrix)
    assert matrix["include"] == [
        {"target": "111111111111/us-east-1", "account": "111111111111", "region": "us-east-1"},
        {"target": "111111111111/eu-west-1", "account": "111111111111", "region": "eu-west-1"},
        {"target": "222222222222/ap-southeast-2", "account": "222222222222", "region": "ap-southeast-2"},
    ]
    # It survives the trip through a job output (one line of text) unchanged.
    assert json.loads(json.dumps(matrix, separators=(",", ":"))) == matrix
    narrowed = targets.github_matrix(targets.expand(config, account="111111111111", region="eu-west-1"))
    assert [job["target"] for job in narrowed["include"]] == ["111111111111/eu-west-1"]


def test_without_targets_one_job_per_region_and_no_account():
    matrix = targets.github_matrix(targets.expand(cfg()))
    accepted_by_github(matrix)
    assert matrix["include"] == [{"target": "us-east-1", "region": "us-east-1"}, {"target": "eu-west-1", "region": "eu-west-1"}]


def test_more_jobs_than_a_matrix_runs_is_refused():
    many = [targets.TargetRef(f"{n:012d}", "us-east-1") for n in range(1, targets.GITHUB_MATRIX_MAX_JOBS + 2)]
    with pytest.raises(UsageError, match="at most 256 jobs"):
        targets.github_matrix(many)
    accepted_by_github(targets.github_matrix(many[:targets.GITHUB_MATRIX_MAX_JOBS]))


def test_describe_says_how_each_account_is_reached():
    config = cfg(targets=[{"account_id": "111111111111", "role_arn": "arn:aws:iam::111111111111:role/d", "regions": ["us-east-1"]},
                          {"account_id": "222222222222", "profile": "w", "regions": ["us-east-1"]}])
    assert targets.describe(targets.expand(config)) == [
        {"target": "111111111111/us-east-1", "region": "us-east-1", "account_id": "111111111111",
         "role_arn": "arn:aws:iam::111111111111:role/d"},
        {"target": "222222222222/us-east-1", "region": "us-east-1", "account_id": "222222222222", "profile": "w"},
    ]
