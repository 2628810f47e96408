"""Bucket encryption as doctor judges it: SSE-S3 passes only where the state declares it."""

from types import SimpleNamespace

import pytest

from bcce_tf.health.inventory import from_show_json
from bcce_tf.health.security import bucket_encryption
from bcce_tf.readiness.checks.base import Status

KEY = {"address": "module.security.aws_kms_key.stack", "mode": "managed", "type": "aws_kms_key",
       "values": {"key_id": "k-1", "arn": "arn:aws:kms:us-east-1:123456789012:key/k-1"}}


def gen3_bucket(name, algorithm):
    rule = {"apply_server_side_encryption_by_default": [{"sse_algorithm": algorithm}]}
    return {"address": f"aws_s3_bucket.{name}", "mode": "managed", "type": "aws_s3_bucket",
            "values": {"bucket": name, "server_side_encryption_configuration": [{"rule": [rule]}]}}


def gen5_bucket(name, algorithm):
    return [{"address": f"aws_s3_bucket.{name}", "mode": "managed", "type": "aws_s3_bucket", "values": {"bucket": name}},
            {"address": f"aws_s3_bucket_server_side_encryption_configuration.{name}", "mode": "managed",
             "type": "aws_s3_bucket_server_side_encryption_configuration",
             "values": {"bucket": name, "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": algorithm}]}]}}]


def inventory(resources):
    return from_show_json("s-us-east-1", "us-east-1", {"values": {"root_module": {"resources": [KEY, *resources]}}})


def live(algorithm, key_id=""):
    default = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key_id} if key_id else {})}
    answer = {"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}}
    return SimpleNamespace(call=lambda *_args, **_kw: answer)


@pytest.mark.parametrize("resources", [[gen3_bucket("logs", "AES256")], gen5_bucket("logs", "AES256")])
def test_sse_s3_passes_where_the_state_declares_it(resources):
    inv = inventory(resources)
    assert bucket_encryption(live("AES256"), inv, "logs", inv.of("aws_kms_key")[0]).status is Status.PASSED


@pytest.mark.parametrize("resources", [[gen3_bucket("lake", "aws:kms")], gen5_bucket("lake", "aws:kms")])
def test_a_kms_bucket_switched_to_sse_s3_is_reported(resources):
    inv = inventory(resources)
    outcome = bucket_encryption(live("AES256"), inv, "lake", inv.of("aws_kms_key")[0])
    assert outcome.status is Status.FAILED and "not the stack's KMS key" in outcome.evidence


def test_the_stack_key_passes_and_another_key_fails():
    inv = inventory([gen3_bucket("lake", "aws:kms")])
    key = inv.of("aws_kms_key")[0]
    assert bucket_encryption(live("aws:kms", "arn:aws:kms:us-east-1:123456789012:key/k-1"), inv, "lake", key).status is Status.PASSED
    assert bucket_encryption(live("aws:kms", "other"), inv, "lake", key).status is Status.FAILED


def test_the_light_list_of_live_components_is_the_registry():
    from bcce_tf.health.names import LIVE_COMPONENTS
    from bcce_tf.health.registry import COMPONENTS

    assert tuple(COMPONENTS) == LIVE_COMPONENTS
