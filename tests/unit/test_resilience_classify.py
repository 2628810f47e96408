from __future__ import annotations

import json

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from bcce_tf.errors import AwsError
from bcce_tf.resilience.classify import (
    PATTERNS,
    FailureKind,
    LockInfo,
    classify_aws_error,
    classify_terraform_output,
    strip_ansi,
)

LOCK_BLOCK = """\
╷
│ Error: Error acquiring the state lock
│ 
│ Error message: ConditionalCheckFailedException: The conditional request
│ failed
│ Lock Info:
│   ID:        8f2b6c1e-3d4a-4f5b-9c7d-0e1f2a3b4c5d
│   Path:      bcce-tfstate-123456789012/bcce/terraform.tfstate
│   Operation: OperationTypeApply
│   Who:       alice@build-07
│   Version:   1.15.5
│   Created:   2026-03-02 09:14:27.312945 +0000 UTC
│   Info:      
│ 
│ 
│ Terraform acquires a state lock to protect the state from being written
│ by multiple users at the same time. Please resolve the issue above and try
│ again. For most commands, you can disable locking with the "-lock=false"
│ flag, but this is not recommended.
╵
"""

EXPECTED_LOCK = LockInfo(
    id="8f2b6c1e-3d4a-4f5b-9c7d-0e1f2a3b4c5d",
    who="alice@build-07",
    created="2026-03-02 09:14:27.312945 +0000 UTC",
    operation="OperationTypeApply",
    path="bcce-tfstate-123456789012/bcce/terraform.tfstate",
)

TERRAFORM_CASES = [
    pytest.param(
        "Error: error creating KMS Key: ThrottlingException: Rate exceeded\n"
        "\tstatus code: 400, request id: 0f6a1e4b-7c2d-4e59-a1b3-9d8c7e6f5a4b\n\n"
        '  with module.encryption.aws_kms_key.bcce,\n  on kms.tf line 1, in resource "aws_kms_key" "bcce":\n',
        FailureKind.TRANSIENT,
        "aws-throttling: ThrottlingException: Rate exceeded",
        id="kms-throttling",
    ),
    pytest.param(
        "╷\n│ Error: RequestError: send request failed\n"
        '│ caused by: Post "http://127.0.0.1:4566/": dial tcp 127.0.0.1:4566: connect: connection refused\n╵\n',
        FailureKind.TRANSIENT,
        "send-request-failed: RequestError: send request failed",
        id="emulator-connection-refused",
    ),
    pytest.param(
        "Error: dial tcp 127.0.0.1:4566: connect: connection refused\n",
        FailureKind.TRANSIENT,
        "connection-refused: connection refused",
        id="bare-connection-refused",
    ),
    pytest.param(
        "╷\n│ Error: error configuring Terraform AWS Provider: error validating provider credentials: "
        "error calling sts:GetCallerIdentity: InvalidClientTokenId: The security token included in the "
        "request is invalid.\n│ \tstatus code: 403, request id: 6d1b3f1e-8a22-4f0e-9b1c-2c3d4e5f6a7b\n╵\n",
        FailureKind.CREDENTIALS,
        "invalid-client-token: InvalidClientTokenId: The security token included in the request is invalid.",
        id="invalid-client-token",
    ),
    pytest.param(
        "╷\n│ Error: Argument or block definition required\n│ \n│   on main.tf line 12:\n"
        "│   12:   kms_key_id = aws_kms_key.bcce.arn,\n│ \n│ An argument or block definition is required here.\n╵\n",
        FailureKind.FATAL,
        "unclassified: Error: Argument or block definition required",
        id="hcl-error",
    ),
    pytest.param(
        "\x1b[31m╷\x1b[0m\x1b[0m\n\x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1m"
        "creating CloudWatch Logs Log Group: \x1b[0mThrottlingException\x1b[0m: Rate exceeded\x1b[0m\n"
        "\x1b[31m╵\x1b[0m\x1b[0m\n",
        FailureKind.TRANSIENT,
        "aws-throttling: ThrottlingException: Rate exceeded",
        id="ansi-coloured",
    ),
    pytest.param(
        "╷\n│ Error: Failed to install provider\n│ \n│ Error while installing hashicorp/aws v5.31.0: "
        "read tcp 10.0.0.5:51234->140.82.112.3:443: read: connection reset\n│ by peer\n╵\n",
        FailureKind.TRANSIENT,
        "tg-provider-tcp-reset: ",
        id="wrapped-at-78-columns",
    ),
    pytest.param(
        'Error installing provider "template": error fetching checksums: Get '
        "https://releases.hashicorp.com/terraform-provider-template/1.0.0/terraform-provider-template_1.0.0_SHA256SUMS: "
        "net/http: TLS handshake timeout.\n",
        FailureKind.TRANSIENT,
        "tg-install-provider-tls-timeout: Error installing provider",
        id="terragrunt-doc-example",
    ),
    pytest.param(
        "╷\n│ Error: Failed to query available provider packages\n│ \n│ Could not retrieve the list of "
        'available versions for provider hashicorp/aws: Get "https://registry.terraform.io/v1/providers/'
        'hashicorp/aws/versions": EOF\n╵\n',
        FailureKind.TRANSIENT,
        'eof-on-send: ": EOF',
        id="eof-after-request",
    ),
    pytest.param(
        "Error: reading S3 Bucket (bcce-logs): operation error S3: HeadBucket, https response error "
        "StatusCode: 503, RequestID: 4F2A, HostID: x, api error SlowDown: Please reduce your request rate.\n",
        FailureKind.TRANSIENT,
        "aws-throttling: SlowDown: Please reduce your request rate.",
        id="s3-slowdown",
    ),
    pytest.param(
        "Error: reading SNS Topic: operation error SNS: GetTopicAttributes, https response error "
        "StatusCode: 502, RequestID: 77aa\n",
        FailureKind.TRANSIENT,
        "http-5xx: StatusCode: 502",
        id="http-502",
    ),
    pytest.param(
        "Error: creating EC2 Subnet: InvalidParameterValue: Value (us-east-1z) for parameter "
        "availabilityZone is invalid.\n\tstatus code: 400, request id: 1a2b\n",
        FailureKind.FATAL,
        "unclassified: Error: creating EC2 Subnet: InvalidParameterValue:",
        id="invalid-parameter",
    ),
    pytest.param(
        "Error: creating Glue Catalog Table: ValidationException: 1 validation error detected: Value "
        "'InternalErrorPage' at 'tableInput.name' failed to satisfy constraint\n",
        FailureKind.FATAL,
        "unclassified: Error: creating Glue Catalog Table: ValidationException",
        id="code-inside-a-longer-word-is-not-a-token",
    ),
    pytest.param(
        "Error: waiting for the throttling rule to apply: unexpected state 'FAILED'\n",
        FailureKind.FATAL,
        "unclassified: Error: waiting for the throttling rule",
        id="lowercase-word-is-not-a-code",
    ),
    pytest.param(
        "Error: error configuring Terraform AWS Provider: no valid credential sources for Terraform AWS "
        "Provider found.\n\nPlease see https://registry.terraform.io/providers/hashicorp/aws\n\n"
        "Error: NoCredentialProviders: no valid providers in chain. Deprecated.\n"
        "caused by: RequestError: send request failed\ncaused by: Get "
        '"http://169.254.169.254/latest/meta-data/iam/security-credentials/": dial tcp '
        "169.254.169.254:80: i/o timeout\n",
        FailureKind.CREDENTIALS,
        "no-credential-providers: NoCredentialProviders",
        id="credentials-win-over-transient-words",
    ),
    pytest.param(
        "╷\n│ Error: Error acquiring the state lock\n│ \n│ Error message: 2 errors occurred:\n"
        "│ \t* AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to "
        "perform: dynamodb:PutItem\n╵\n",
        FailureKind.PERMISSION_DENIED,
        "access-denied: AccessDeniedException",
        id="lock-table-access-denied",
    ),
    pytest.param(
        "╷\n│ Error: Error acquiring the state lock\n│ \n│ Error message: ResourceNotFoundException: "
        "Requested resource not found\n╵\n",
        FailureKind.FATAL,
        "unclassified: Error: Error acquiring the state lock",
        id="lock-error-without-lock-info",
    ),
    pytest.param("", FailureKind.FATAL, "unclassified: (no error output)", id="no-output"),
]


@pytest.mark.parametrize(("stderr", "kind", "reason_start"), TERRAFORM_CASES)
def test_classify_terraform_output(stderr: str, kind: FailureKind, reason_start: str) -> None:
    failure = classify_terraform_output(stderr)

    assert failure.kind is kind
    assert failure.reason.startswith(reason_start), failure.reason
    assert "\n" not in failure.reason and len(failure.reason) <= 200


def test_wrapped_phrase_is_named_in_the_reason() -> None:
    stderr = TERRAFORM_CASES[6].values[0]

    assert "connection reset by peer" in classify_terraform_output(stderr).reason


def test_state_lock_block_is_parsed() -> None:
    failure = classify_terraform_output(LOCK_BLOCK)

    assert failure.kind is FailureKind.LOCKED
    assert failure.lock == EXPECTED_LOCK
    assert "alice@build-07" in failure.reason and EXPECTED_LOCK.id in failure.reason


def test_state_lock_in_old_single_line_form() -> None:
    stderr = (
        "Error locking state: Error acquiring the state lock: ConditionalCheckFailedException: "
        "The conditional request failed\n\tstatus code: 400, request id: X\nLock Info:\n"
        "  ID:        3a7c\n  Path:      b/k\n  Operation: OperationTypePlan\n  Who:       bob@ci\n"
        "  Version:   0.12.31\n  Created:   2021-05-01 10:00:00 +0000 UTC\n  Info:\n"
    )

    failure = classify_terraform_output(stderr)

    assert failure.lock == LockInfo(
        id="3a7c", who="bob@ci", created="2021-05-01 10:00:00 +0000 UTC", operation="OperationTypePlan", path="b/k"
    )


@pytest.mark.parametrize("detail", [
    "Error message: resource temporarily unavailable",
    "Error message: operation error DynamoDB: PutItem, ConditionalCheckFailedException: The conditional request failed",
])
def test_a_lock_refused_without_lock_info_is_still_a_lock(detail: str) -> None:
    failure = classify_terraform_output(f"Error: Error acquiring the state lock\n\n{detail}\n")

    assert failure.kind is FailureKind.LOCKED and failure.lock is None


def test_a_lock_table_that_cannot_be_reached_is_not_a_lock() -> None:
    stderr = ("Error: Error acquiring the state lock\n\nError message: operation error DynamoDB: PutItem, "
              "https response error StatusCode: 0, RequestID: , request send failed: dial tcp 127.0.0.1:9: connect: connection refused\n")

    assert classify_terraform_output(stderr).kind is not FailureKind.LOCKED


def _json_line(**fields: object) -> str:
    return json.dumps(fields)


def test_json_diagnostics_on_stdout_are_read() -> None:
    detail = LOCK_BLOCK.split("Error message:", 1)[1]
    detail = "Error message:" + "\n".join(line.removeprefix("│ ").removeprefix("│") for line in detail.splitlines())
    stdout = "\n".join(
        [
            _json_line(**{"@level": "info", "@message": "Terraform 1.15.5", "type": "version"}),
            _json_line(
                **{
                    "@level": "error",
                    "@message": "Error: Error acquiring the state lock",
                    "type": "diagnostic",
                    "diagnostic": {"severity": "error", "summary": "Error acquiring the state lock", "detail": detail},
                }
            ),
        ]
    )

    failure = classify_terraform_output("", stdout)

    assert failure.kind is FailureKind.LOCKED
    assert failure.lock == EXPECTED_LOCK


def test_stdout_outside_error_diagnostics_is_ignored() -> None:
    stdout = "\n".join(
        [
            '  + tags = { "Name" = "ThrottlingException-alarm" }',
            _json_line(**{"@level": "warn", "@message": "Warning: ServiceUnavailable is deprecated", "type": "log"}),
            "{not json",
        ]
    )

    failure = classify_terraform_output("Error: Unsupported argument\n", stdout)

    assert failure.kind is FailureKind.FATAL


def test_strip_ansi_removes_colour_codes_only() -> None:
    assert strip_ansi("\x1b[1m\x1b[31mError: \x1b[0mboom [x]\x1b[0m") == "Error: boom [x]"


def test_pattern_table_holds_terragrunts_list_and_unique_names() -> None:
    names = [pattern.name for pattern in PATTERNS]

    assert len([p for p in PATTERNS if p.source == "terragrunt"]) == 30
    assert len(names) == len(set(names))
    assert {p.kind for p in PATTERNS} == {FailureKind.TRANSIENT, FailureKind.LOCKED, FailureKind.CREDENTIALS, FailureKind.NOT_SUPPORTED, FailureKind.PERMISSION_DENIED}


def _client_error(code: str, status: int, message: str = "boom") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "CreateKey",
    )


AWS_CASES = [
    pytest.param(_client_error("ThrottlingException", 400, "Rate exceeded"), FailureKind.TRANSIENT, "aws-throttling"),
    pytest.param(_client_error("RequestLimitExceeded", 503), FailureKind.TRANSIENT, "aws-throttling"),
    pytest.param(_client_error("InternalFailure", 500), FailureKind.TRANSIENT, "aws-unavailable"),
    pytest.param(_client_error("SomethingNew", 503), FailureKind.TRANSIENT, "http-5xx"),
    pytest.param(_client_error("ExpiredToken", 400), FailureKind.CREDENTIALS, "expired-token"),
    pytest.param(_client_error("AccessDeniedException", 400), FailureKind.PERMISSION_DENIED, "access-denied"),
    pytest.param(_client_error("ValidationException", 400), FailureKind.FATAL, "unclassified"),
    pytest.param(_client_error("LimitExceededException", 400), FailureKind.FATAL, "unclassified"),
    pytest.param(EndpointConnectionError(endpoint_url="http://127.0.0.1:1/"), FailureKind.TRANSIENT, "connection"),
    pytest.param(ReadTimeoutError(endpoint_url="https://kms"), FailureKind.TRANSIENT, "connection"),
    pytest.param(ConnectionClosedError(endpoint_url="https://kms"), FailureKind.TRANSIENT, "connection"),
    pytest.param(NoCredentialsError(), FailureKind.CREDENTIALS, "missing-credentials"),
    pytest.param(ParamValidationError(report="Missing required parameter"), FailureKind.FATAL, "unclassified"),
    pytest.param(ValueError("bad"), FailureKind.FATAL, "unclassified"),
    pytest.param(
        AwsError(service="kms", operation="CreateKey", code="ThrottlingException", detail="Rate exceeded"),
        FailureKind.TRANSIENT,
        "aws-throttling",
    ),
]


@pytest.mark.parametrize(("exc", "kind", "pattern_name"), AWS_CASES)
def test_classify_aws_error(exc: BaseException, kind: FailureKind, pattern_name: str) -> None:
    failure = classify_aws_error(exc)

    assert failure.kind is kind
    assert failure.reason.startswith(f"{pattern_name}: "), failure.reason
