"""The one AWS error translator: permission denied apart from credentials, HTML pages as one
line, XML error documents inside JSON answers, typed fields and exit codes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bcce_tf.aws_errors import HTML_PAGE, parse_denial, read_answer, translate
from bcce_tf.errors import AwsError, CredentialsError, PermissionDeniedError
from bcce_tf.exit_codes import ExitCode
from bcce_tf.resilience.classify import classify_terraform_output
from bcce_tf.resilience.failure import FailureKind

MOTO_XML = ('<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: '
            'arn:aws:iam::123456789012:user/deployer is not authorized to perform: kms:CreateKey</Message>'
            '<Type>Sender</Type></Error></Errors></ErrorResponse>')
HTML = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>"


def client_error(code, message, status, request_id="req-1"):
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": request_id}}, "CreateKey")


def test_an_xml_refusal_inside_a_json_answer_is_permission_denied_naming_action_and_statement():
    error = translate(client_error("403", MOTO_XML, 403), "kms", "create_key")
    assert isinstance(error, PermissionDeniedError) and error.exit_code == ExitCode.PERMISSION_DENIED == 12
    assert error.fields["action"] == "kms:CreateKey"
    assert error.fields["principal"] == "arn:aws:iam::123456789012:user/deployer"
    text = str(error)
    assert "kms:CreateKey" in text and '{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}' in text
    assert "\n" not in text and "<" not in text and "request id req-1" in text


def test_resource_and_reason_are_read_when_aws_names_them():
    denial = parse_denial("User: arn:aws:sts::111122223333:assumed-role/ci/run is not authorized to perform: "
                          "s3:PutObject on resource: arn:aws:s3:::state/bcce.tfstate because no identity-based "
                          "policy allows the s3:PutObject action")
    assert (denial.action, denial.resource, denial.principal) == (
        "s3:PutObject", "arn:aws:s3:::state/bcce.tfstate", "arn:aws:sts::111122223333:assumed-role/ci/run")
    assert "no identity-based policy allows" in denial.why
    assert '"Resource": "arn:aws:s3:::state/bcce.tfstate"' in denial.statement()


def test_a_denial_without_a_sentence_still_names_the_call():
    error = translate(client_error("AccessDenied", "Access Denied", 403), "s3", "put_bucket_encryption")
    assert isinstance(error, PermissionDeniedError)
    assert error.fields["action"] == "s3:PutBucketEncryption"


def test_an_html_error_page_becomes_one_line_with_operation_and_status():
    error = translate(client_error("500", HTML, 500, ""), "ssm", "get_parameters_by_path")
    assert type(error) is AwsError and error.exit_code == ExitCode.AWS_FAILED == 17
    assert str(error) == f"ssm:GetParametersByPath failed: 500: HTTP 500: {HTML_PAGE}"
    assert read_answer("InternalFailure", HTML, 502).message == f"HTTP 502: {HTML_PAGE}"


def test_other_failures_keep_code_message_and_request_id():
    error = translate(client_error("BucketAlreadyExists", "The requested bucket name is not available", 409), "s3", "create_bucket")
    assert type(error) is AwsError and error.exit_code == 17
    expected = {"service": "s3", "operation": "CreateBucket", "code": "BucketAlreadyExists", "status": 409,
                "request_id": "req-1"}
    assert {key: error.fields[key] for key in expected} == expected
    assert str(error).endswith("(request id req-1)")


@pytest.mark.parametrize("code", ["InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch"])
def test_rejected_credentials_stay_credentials(code):
    error = translate(client_error(code, "no", 403), "sts", "get_caller_identity")
    assert isinstance(error, CredentialsError) and error.exit_code == ExitCode.CREDENTIALS


def test_terraform_output_with_a_refusal_is_permission_denied_with_the_sentence():
    stderr = ("\n│ Error: error creating KMS Key: AccessDeniedException: User: arn:aws:iam::123456789012:user/deployer "
              "is not authorized to perform: kms:CreateKey\n│ \tstatus code: 400, request id: 1\n")
    failure = classify_terraform_output(stderr)
    assert failure.kind is FailureKind.PERMISSION_DENIED
    assert parse_denial(failure.detail).action == "kms:CreateKey"
