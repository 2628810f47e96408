"""Region names: botocore's partitions, the partitions' patterns for newer regions, suggestions."""

from __future__ import annotations

import pytest

from bcce_tf.regions import parse_partitions, problem

DATA = {"partitions": [
    {"id": "aws", "regionRegex": r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
     "regions": {"aws-global": {}, "us-east-1": {}, "eu-west-1": {}, "eu-north-1": {}, "ap-southeast-5": {}}},
    {"id": "aws-us-gov", "regionRegex": r"^us\-gov\-\w+\-\d+$", "regions": {"us-gov-west-1": {}}},
]}
FOUND = parse_partitions(DATA)


def test_global_pseudo_regions_are_not_regions():
    assert "aws-global" not in FOUND[0].regions
    assert problem("aws-global", FOUND) is not None


@pytest.mark.parametrize("name", ["us-east-1", "ap-southeast-5", "us-gov-west-1", "eu-central-3", "us-gov-east-2"])
def test_listed_names_and_names_of_the_partition_patterns_are_accepted(name):
    assert problem(name, FOUND) is None


@pytest.mark.parametrize(("name", "closest"), [
    ("mars-north-9", "eu-north-1"),
    ("us-east-1; rm -rf /", "us-east-1"),
    ("US-EAST-1", "us-east-1"),
    ("us_east_1", "us-east-1"),
    ("euwest-1", "eu-west-1"),
])
def test_other_names_are_refused_with_the_closest_valid_names(name, closest):
    reason = problem(name, FOUND)
    assert reason is not None and reason.startswith(f"'{name}' is not an AWS region name; closest: ")
    assert closest in reason.split("closest: ", 1)[1].split(", ")


@pytest.mark.parametrize("name", ["", "x" * 500, "us-east-1\n", "\x00", 42])
def test_junk_is_refused_in_one_short_line(name):
    reason = problem(name, FOUND)
    assert reason is not None and "\n" not in reason and len(reason) < 200
