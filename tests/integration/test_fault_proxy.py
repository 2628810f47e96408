"""The fault proxy itself: each protocol's fault is what botocore parses from AWS, and bcce's
classifier reads it the way it would read the real thing."""

from __future__ import annotations

import time

import boto3
import botocore.exceptions as boto_errors
import pytest
from botocore.config import Config as BotoConfig

from bcce_tf.resilience.classify import classify_aws_error
from bcce_tf.resilience.failure import FailureKind
from tests.support.fault_proxy import FaultProxy, operation_label

pytestmark = pytest.mark.integration


@pytest.fixture()
def proxy(emulator):
    with FaultProxy(emulator.url, lifetime=60) as running:
        yield running


def client(proxy: FaultProxy, service: str):
    return boto3.client(service, region_name="us-east-1", endpoint_url=proxy.url, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=BotoConfig(retries={"total_max_attempts": 1}))


CALLS = {
    "kms": ("kms:ListKeys", lambda c: c.list_keys()),
    "sts": ("sts:GetCallerIdentity", lambda c: c.get_caller_identity()),
    "ec2": ("ec2:DescribeVpcs", lambda c: c.describe_vpcs()),
    "s3": ("s3:GET /", lambda c: c.list_buckets()),
}


@pytest.mark.parametrize(
    ("service", "fault", "code", "kind"),
    [
        ("kms", "throttle", "ThrottlingException", FailureKind.TRANSIENT),
        ("sts", "throttle", "Throttling", FailureKind.TRANSIENT),
        ("ec2", "throttle", "RequestLimitExceeded", FailureKind.TRANSIENT),
        ("s3", "throttle", "SlowDown", FailureKind.TRANSIENT),
        ("kms", "reject-credentials", "UnrecognizedClientException", FailureKind.CREDENTIALS),
        ("sts", "reject-credentials", "InvalidClientTokenId", FailureKind.CREDENTIALS),
        ("ec2", "reject-credentials", "AuthFailure", FailureKind.CREDENTIALS),
        ("s3", "reject-credentials", "InvalidAccessKeyId", FailureKind.CREDENTIALS),
        ("kms", "unavailable", "503", FailureKind.TRANSIENT),
    ],
)
def test_faults_look_like_aws(proxy, service, fault, code, kind):
    label, call = CALLS[service]
    proxy.add_rule(label, fault, times=1)
    with pytest.raises(boto_errors.ClientError) as raised:
        call(client(proxy, service))
    assert raised.value.response["Error"]["Code"] == code
    assert classify_aws_error(raised.value).kind is kind
    call(client(proxy, service))  # the rule was for the first request only
    assert (proxy.count(label), proxy.faulted(label)) == (2, 1)


def test_reset_drops_the_request_and_reset_after_forward_loses_the_response(proxy, emulator):
    kms = client(proxy, "kms")
    proxy.add_rule("kms:CreateKey", "reset", times=1)
    with pytest.raises(boto_errors.ConnectionClosedError) as raised:
        kms.create_key()
    assert classify_aws_error(raised.value).kind is FailureKind.TRANSIENT
    assert emulator.client("kms").list_keys()["Keys"] == [], "a reset request never reached the emulator"

    proxy.add_rule("kms:CreateKey", "reset-after-forward", times=1)
    with pytest.raises(boto_errors.ConnectionClosedError):
        kms.create_key()
    assert len(emulator.client("kms").list_keys()["Keys"]) == 1, "the call took effect; only its answer was lost"


def test_windows_actions_user_agents_and_labels(proxy):
    kms = client(proxy, "kms")
    proxy.add_rule("kms:*", "throttle", seconds=0.5, after=0.0)
    with pytest.raises(boto_errors.ClientError):
        kms.list_keys()
    time.sleep(0.6)
    kms.list_keys()

    seen: list[str] = []
    proxy.on_request("kms:ListAliases", seen.append)
    kms.list_aliases()
    kms.list_aliases()
    assert seen == ["kms:ListAliases"], "an action runs for the first matching request only by default"
    assert all(agent.startswith("Boto3/") for agent in proxy.user_agents("kms:*"))

    s3 = client(proxy, "s3")
    s3.create_bucket(Bucket="fault-proxy-labels")
    s3.put_object(Bucket="fault-proxy-labels", Key="a/b.txt", Body=b"12345")
    assert s3.head_object(Bucket="fault-proxy-labels", Key="a/b.txt")["ContentLength"] == 5
    assert s3.get_object(Bucket="fault-proxy-labels", Key="a/b.txt")["Body"].read() == b"12345"
    s3.put_bucket_versioning(Bucket="fault-proxy-labels", VersioningConfiguration={"Status": "Enabled"})
    labels = set(proxy.counts())
    assert {"s3:PUT /fault-proxy-labels", "s3:PUT /fault-proxy-labels/a/b.txt", "s3:HEAD /fault-proxy-labels/a/b.txt",
            "s3:PUT /fault-proxy-labels?versioning"} <= labels


def test_labels_from_headers_and_forms():
    auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=x"
    target = operation_label("POST", "/", {"X-Amz-Target": "Logs_20140328.CreateLogGroup",
                                           "Authorization": auth.format("logs")}, b"{}")
    assert (target.label, target.protocol) == ("logs:CreateLogGroup", "json")
    form = operation_label("POST", "/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                                         "Authorization": auth.format("iam")}, b"Action=CreateRole&Version=2010-05-08")
    assert (form.label, form.protocol) == ("iam:CreateRole", "query")
    rest = operation_label("GET", "/bucket/key?x-id=GetObject", {"Authorization": auth.format("s3")}, b"")
    assert (rest.label, rest.protocol) == ("s3:GET /bucket/key?x-id", "s3")


def test_the_proxy_stops_by_itself(emulator):
    proxy = FaultProxy(emulator.url, lifetime=0.3).start()
    time.sleep(0.8)
    with pytest.raises(boto_errors.EndpointConnectionError):
        client(proxy, "kms").list_keys()


def test_only_loopback_upstreams():
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("https://kms.us-east-1.amazonaws.com")
