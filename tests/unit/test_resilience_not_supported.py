"""An endpoint that lacks an action is told apart from a transient server error and never retried."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bcce_tf.aws import translate
from bcce_tf.errors import NotSupportedError
from bcce_tf.exit_codes import ExitCode
from bcce_tf.resilience.classify import FailureKind, classify_aws_error, classify_terraform_output
from bcce_tf.resilience.policy import RetryPolicy, run_with_retry

# What hashicorp/aws 3.39 (aws-sdk-go v1) prints for the emulator's answer, and what a plain moto
# server's HTML 500 page turns into, when the SDK keeps the body text.
V1_STDERR = (
    "Error: error creating CloudWatch Logs Query Definition (bcce-errors): NotImplemented: "
    "The put_query_definition action has not been implemented\n\tstatus code: 501, request id: 0\n\n"
    '  with module.monitoring.aws_cloudwatch_query_definition.errors,\n'
)
V2_STDERR = (
    "Error: creating CloudWatch Logs Query Definition (bcce-errors): operation error CloudWatch Logs: "
    "PutQueryDefinition, https response error StatusCode: 500, RequestID: 0, api error InternalFailure: "
    "The put_query_definition action has not been implemented\n"
)


@pytest.mark.parametrize("stderr", [V1_STDERR, V2_STDERR], ids=["sdk-v1-501", "sdk-v2-500"])
def test_terraform_output_naming_an_unimplemented_action_is_not_supported(stderr):
    failure = classify_terraform_output(stderr)

    assert failure.kind is FailureKind.NOT_SUPPORTED
    assert failure.action == "put_query_definition"


def test_an_ordinary_500_stays_transient():
    failure = classify_terraform_output("Error: InternalError: We encountered an internal error\n\tstatus code: 500, request id: 1\n")

    assert failure.kind is FailureKind.TRANSIENT


def test_credentials_still_win_over_not_implemented_text():
    failure = classify_terraform_output("Error: ExpiredToken: The security token included in the request is expired\n"
                                        "The get_caller_identity action has not been implemented\n")

    assert failure.kind is FailureKind.CREDENTIALS


@pytest.mark.parametrize(("code", "status"), [("NotImplemented", 501), ("InternalFailure", 500), ("500", 500)])
def test_client_error_whose_message_says_not_implemented_is_not_supported(code, status):
    error = ClientError(
        {"Error": {"Code": code, "Message": "The simulate_principal_policy action has not been implemented"},
         "ResponseMetadata": {"HTTPStatusCode": status}},
        "SimulatePrincipalPolicy",
    )

    failure = classify_aws_error(error)

    assert failure.kind is FailureKind.NOT_SUPPORTED
    assert failure.action == "simulate_principal_policy"


def test_plain_500_client_error_stays_transient():
    error = ClientError({"Error": {"Code": "InternalError", "Message": "try later"}, "ResponseMetadata": {"HTTPStatusCode": 500}}, "GetObject")

    assert classify_aws_error(error).kind is FailureKind.TRANSIENT


def test_not_supported_fails_at_once_with_the_action_and_exit_16():
    calls: list[int] = []
    sleeps: list[float] = []
    error = ClientError(
        {"Error": {"Code": "NotImplemented", "Message": "The list_service_quotas action has not been implemented"},
         "ResponseMetadata": {"HTTPStatusCode": 501}},
        "ListServiceQuotas",
    )

    def operation(attempt: int) -> None:
        calls.append(attempt)
        raise error

    with pytest.raises(NotSupportedError) as caught:
        run_with_retry(operation, check=lambda _: None, policy=RetryPolicy(jitter=False), name="aws:service-quotas:us-east-1",
                       on_retry=lambda _: None, sleep=sleeps.append, clock=lambda: 0.0)

    assert calls == [1]
    assert sleeps == []
    assert caught.value.exit_code is ExitCode.NOT_SUPPORTED
    assert "list_service_quotas" in str(caught.value)
    # bcce's own AWS calls name the call, not the breaker it went through
    named = translate(caught.value, "service-quotas", "list_service_quotas")
    assert isinstance(named, NotSupportedError)
    assert str(named).startswith("service-quotas:list_service_quotas: the endpoint does not implement list_service_quotas")


def test_terraform_result_naming_an_unimplemented_action_is_not_retried():
    calls: list[int] = []

    def operation(attempt: int) -> str:
        calls.append(attempt)
        return V1_STDERR

    with pytest.raises(NotSupportedError) as caught:
        run_with_retry(operation, check=classify_terraform_output, policy=RetryPolicy(jitter=False), name="terraform-apply",
                       on_retry=lambda _: None, sleep=lambda _: None, clock=lambda: 0.0)

    assert calls == [1]
    assert caught.value.fields["last_result"] == V1_STDERR
    assert "put_query_definition" in str(caught.value)
