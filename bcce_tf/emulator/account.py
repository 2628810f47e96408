"""Make the emulated account look the way a ready AWS account does, with the AWS API calls an
administrator would make: a multi-region CloudTrail trail that logs, and in each region an AWS
Config recorder with a delivery channel, started. Every step is looked up first, so a second run
changes nothing and says so.

What no AWS API can do is left undone and reported: MFA for the root user is enabled by the root
user in the console (iam:EnableMFADevice names an IAM user), so `security.root-mfa` stays failed.

The pure parts (names, the bucket policy, the lines printed) are separate from the calls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TRAIL_NAME = "account-trail"
RECORDER_NAME = "default"  # the name the AWS Config console gives the recorder and the delivery channel
CHANNEL_NAME = "default"
CONFIG_SERVICE = "config.amazonaws.com"
CONFIG_ROLE_PATH = f"/aws-service-role/{CONFIG_SERVICE}/"
CONFIG_ROLE_NAME = "AWSServiceRoleForConfig"
ROOT_MFA_NOT_DONE = ("root user MFA: not made ready; no AWS API turns it on (the root user enables it in the console), "
                     "so security.root-mfa stays failed")


@dataclass(frozen=True)
class Step:
    """One thing looked at: `done` says whether this run changed it."""

    what: str
    done: bool

    def line(self) -> str:
        return f"{'made' if self.done else 'already'}: {self.what}"


def bucket_name(account_id: str) -> str:
    return f"account-audit-{account_id}"


def config_role_arn(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:role{CONFIG_ROLE_PATH}{CONFIG_ROLE_NAME}"


def bucket_policy(bucket: str, account_id: str, partition: str = "aws") -> dict[str, Any]:
    """The statements CloudTrail and AWS Config need on the bucket they deliver to: read the ACL,
    write under AWSLogs/<account>/ with bucket-owner-full-control."""
    arn = f"arn:{partition}:s3:::{bucket}"
    objects = f"{arn}/AWSLogs/{account_id}/*"
    statements: list[dict[str, Any]] = []
    for sid, service in (("CloudTrail", "cloudtrail.amazonaws.com"), ("Config", CONFIG_SERVICE)):
        statements += [
            {"Sid": f"{sid}AclCheck", "Effect": "Allow", "Principal": {"Service": service},
             "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": arn,
             "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
            {"Sid": f"{sid}Write", "Effect": "Allow", "Principal": {"Service": service},
             "Action": "s3:PutObject", "Resource": objects,
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                            "aws:SourceAccount": account_id}}},
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def report_lines(steps: Sequence[Step]) -> list[str]:
    """What `bcce local up --ready` prints: each step, then what was not made ready and why."""
    changed = sum(1 for s in steps if s.done)
    lines = [s.line() for s in steps]
    lines.append(f"account ready: {changed} change(s), {len(steps) - changed} already in place")
    lines.append(ROOT_MFA_NOT_DONE)
    return lines


def make_ready(clients: Any, regions: Sequence[str]) -> list[Step]:
    """Prepare the account behind `clients` (bcce_tf.aws.AwsClients) for `regions`; the first
    region is home to the bucket and the trail."""
    if not regions:
        raise ValueError("at least one region")
    home = regions[0]
    identity = clients.call("sts", home, "get_caller_identity")
    account = identity["Account"]
    partition = identity["Arn"].split(":")[1]
    bucket = bucket_name(account)
    role, role_arn = _config_role(clients, home, account, partition)
    steps = [_bucket(clients, home, bucket, account, partition), role]
    steps += _trail(clients, home, bucket)
    for region in regions:
        steps += _config(clients, region, bucket, role_arn)
    return steps


def _bucket(clients: Any, region: str, bucket: str, account: str, partition: str) -> Step:
    names = {b["Name"] for b in clients.call("s3", region, "list_buckets").get("Buckets", [])}
    created = bucket not in names
    if created:
        extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        clients.call("s3", region, "create_bucket", Bucket=bucket, **extra)
        clients.call("s3", region, "put_public_access_block", Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        clients.call("s3", region, "put_bucket_policy", Bucket=bucket,
                     Policy=json.dumps(bucket_policy(bucket, account, partition)))
    else:  # S3 answers None for us-east-1
        region = clients.call("s3", region, "get_bucket_location", Bucket=bucket).get("LocationConstraint") or "us-east-1"
    return Step(f"S3 bucket {bucket} ({region}) for the trail and AWS Config, with their bucket policy", created)


def _config_role(clients: Any, region: str, account: str, partition: str) -> tuple[Step, str]:
    """AWS Config's service-linked role (one per account, under its service path); returns its ARN."""
    roles = clients.call("iam", region, "list_roles", PathPrefix=CONFIG_ROLE_PATH).get("Roles", [])
    created = not roles
    if created:
        role = clients.call("iam", region, "create_service_linked_role", AWSServiceName=CONFIG_SERVICE)["Role"]
    else:
        role = roles[0]
    arn = role.get("Arn") or config_role_arn(account, partition)
    return Step(f"service-linked role {arn}", created), arn


def _trail(clients: Any, region: str, bucket: str) -> list[Step]:
    """The trail is multi-region: once made (in the first region), every region sees it; it is
    looked after in its home region."""
    trails = clients.call("cloudtrail", region, "describe_trails", trailNameList=[TRAIL_NAME]).get("trailList", [])
    found = [t for t in trails if t.get("Name") == TRAIL_NAME]
    if found:
        home = found[0].get("HomeRegion") or region
        delivers_to = found[0].get("S3BucketName", "?")
    else:
        home, delivers_to = region, bucket
        clients.call("cloudtrail", home, "create_trail", Name=TRAIL_NAME, S3BucketName=bucket,
                     IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True, EnableLogFileValidation=True)
    logging = bool(clients.call("cloudtrail", home, "get_trail_status", Name=TRAIL_NAME).get("IsLogging"))
    if not logging:
        clients.call("cloudtrail", home, "start_logging", Name=TRAIL_NAME)
    return [Step(f"CloudTrail trail {TRAIL_NAME} (multi-region, home {home}) delivering to {delivers_to}", not found),
            Step(f"CloudTrail trail {TRAIL_NAME} logging", not logging)]


def _config(clients: Any, region: str, bucket: str, role_arn: str) -> list[Step]:
    # A region holds one recorder and one delivery channel: an existing one is used, whatever its name.
    recorders = clients.call("config", region, "describe_configuration_recorders").get("ConfigurationRecorders", [])
    new_recorder = not recorders
    recorder = recorders[0]["name"] if recorders else RECORDER_NAME
    if new_recorder:
        clients.call("config", region, "put_configuration_recorder", ConfigurationRecorder={
            "name": recorder, "roleARN": role_arn,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == "us-east-1"}})
    channels = clients.call("config", region, "describe_delivery_channels").get("DeliveryChannels", [])
    new_channel = not channels
    channel = channels[0]["name"] if channels else CHANNEL_NAME
    if new_channel:
        clients.call("config", region, "put_delivery_channel",
                     DeliveryChannel={"name": CHANNEL_NAME, "s3BucketName": bucket})
    statuses = clients.call("config", region, "describe_configuration_recorder_status",
                            ConfigurationRecorderNames=[recorder]).get("ConfigurationRecordersStatus", [])
    recording = any(s.get("recording") for s in statuses)
    if not recording:
        clients.call("config", region, "start_configuration_recorder", ConfigurationRecorderName=recorder)
    delivers_to = bucket if new_channel else channels[0].get("s3BucketName", "?")
    return [Step(f"AWS Config recorder {recorder} in {region}", new_recorder),
            Step(f"AWS Config delivery channel {channel} in {region} to {delivers_to}", new_channel),
            Step(f"AWS Config recorder {recorder} in {region} recording", not recording)]
