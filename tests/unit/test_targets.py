"""Targets: config validation, selection by --account/--region, state keys, breaker names, exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bcce_tf import targets
from bcce_tf.config import parse_config
from bcce_tf.errors import ConfigFieldError, ConfigError, UsageError
from bcce_tf.executor import NOT_RUN, worst
from bcce_tf.render import StackTarget
from bcce_tf.stack import breaker_parts, state_key

ROLE_A = "arn:aws:iam::111111111111:role/x"


def cfg(**extra):
    data = {"regions": ["us-east-1", "eu-west-1"], **extra}
    return parse_config(data, Path("bcce.json"))


def test_without_targets_the_callers_account_in_the_config_regions():
    refs = targets.expand(cfg())
    assert [(r.account_id, r.region) for r in refs] == [(None, "us-east-1"), (None, "eu-west-1")]
    assert [r.region for r in targets.expand(cfg(), region="eu-west-1")] == ["eu-west-1"]
    with pytest.raises(UsageError, match="--account needs `targets`"):
        targets.expand(cfg(), account="111111111111")


def test_targets_expand_per_account_and_region_and_narrow():
    config = cfg(targets=[{"account_id": "111111111111", "role_arn": ROLE_A},
                          {"account_id": "222222222222", "profile": "b", "regions": ["ap-southeast-2"]}])
    assert [r.label for r in targets.expand(config)] == [
        "111111111111/us-east-1", "111111111111/eu-west-1", "222222222222/ap-southeast-2"]
    assert [r.label for r in targets.expand(config, account="111111111111", region="eu-west-1")] == ["111111111111/eu-west-1"]
    with pytest.raises(UsageError, match="--account 333333333333 is not one of"):
        targets.expand(config, account="333333333333")
    with pytest.raises(UsageError, match="--region us-west-2"):
        targets.expand(config, region="us-west-2")


@pytest.mark.parametrize("target, field, words", [
    ({"account_id": "1234", "role_arn": ROLE_A}, "targets.0.account_id", "does not match"),
    ({"account_id": "111111111111", "role_arn": "arn:aws:iam::111111111111:user/x"}, "targets.0.role_arn", "does not match"),
    ({"account_id": "111111111111"}, "targets.0", "exactly one of role_arn or profile"),
    ({"account_id": "111111111111", "role_arn": "arn:aws:iam::222222222222:role/x"}, "targets.0", "not in 111111111111"),
    ({"account_id": "111111111111", "role_arn": ROLE_A, "regions": ["us-east-99x"]}, "targets.0.regions", "not an AWS region"),
    ({"account_id": "111111111111", "role_arn": ROLE_A, "session_duration_seconds": 60}, "targets.0.session_duration_seconds", "900"),
])
def test_bad_targets_name_the_field(target, field, words):
    with pytest.raises(ConfigFieldError) as caught:
        cfg(targets=[target])
    assert f"field '{field}'" in str(caught.value) and words in str(caught.value)


def test_an_account_given_twice_is_refused():
    with pytest.raises(ConfigError, match="account 111111111111 is listed twice"):
        cfg(targets=[{"account_id": "111111111111", "role_arn": ROLE_A}] * 2)


def test_state_keys_and_roots_per_account():
    plain, target = StackTarget("bcce", "us-east-1"), StackTarget("bcce", "us-east-1", "111111111111")
    assert state_key("bcce", plain) == "bcce/bcce/us-east-1/terraform.tfstate"
    assert state_key("org/bcce", target) == "org/bcce/111111111111/bcce/us-east-1/terraform.tfstate"
    assert (plain.key, target.key) == ("bcce-us-east-1", "bcce-111111111111-us-east-1")


def test_breakers_of_targets_are_keyed_by_account_region_and_endpoint():
    target = StackTarget("bcce", "us-east-1", "111111111111")
    assert breaker_parts(target, "http://127.0.0.1:5000") == ("bcce", "111111111111", "us-east-1", "127.0.0.1_5000")
    assert breaker_parts(target, None) == ("bcce", "111111111111", "us-east-1", "aws")
    assert breaker_parts(StackTarget("bcce", "us-east-1"), "http://127.0.0.1:5000") == ("bcce", "us-east-1")


def test_options_and_parallelism():
    with pytest.raises(UsageError, match="--account must be a 12-digit"):
        targets.check_options("12", None)
    with pytest.raises(UsageError, match="--parallelism must be from 1 to 32"):
        targets.check_options(None, 0)
    assert targets.parallelism(None, 9) == 4 and targets.parallelism(None, 2) == 2 and targets.parallelism(8, 3) == 3
    assert targets.session_name("abc 123") == "bcce-abc-123"


def test_worst_exit_code():
    assert worst([0, 0]) == 0 and worst([0, 2]) == 2 and worst([2, 5, 27]) == 27
    assert worst([27, 130]) == 130 and worst([0, NOT_RUN]) == 0
