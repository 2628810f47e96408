"""The one translator from botocore's errors to bcce's, and the reading of AWS error answers.

Every AWS call site (the client factory in aws.py, the DynamoDB breaker store, the readiness
checks through the client factory) hands a failed call to `translate`. The parsing is pure:
an answer's code and message, an HTML page reduced to one line, an XML error document found in
a JSON answer (what some emulators and proxies send), and AWS's "is not authorized to perform"
sentence read into the action, the resource and the principal it names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bcce_tf.errors import AwsError, BcceError, CredentialsError, NotSupportedError, PermissionDeniedError

HTML_PAGE = "the endpoint returned an HTML error page"
_HTML = re.compile(r"<!doctype html|<html[\s>]", re.IGNORECASE)
_XML_CODE = re.compile(r"<Code>([^<]{1,128})</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]{0,2000})</Message>", re.DOTALL)
_XML_REQUEST_ID = re.compile(r"<RequestId>([^<]{1,128})</RequestId>")

# Error codes with which AWS refuses an action the credentials are not allowed (the credentials
# themselves are valid): IAM's AccessDenied and its service spellings, EC2's UnauthorizedOperation.
DENIED_CODES = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized",
                "AuthorizationError", "AuthorizationErrorException")

# "User: arn:aws:iam::123456789012:user/x is not authorized to perform: kms:CreateKey on resource:
# arn:aws:kms:... because no identity-based policy allows the kms:CreateKey action"
_DENIAL = re.compile(
    r"(?:User|Principal):? (?P<principal>arn:[^\s]+) is not authorized to perform:? "
    r"(?P<action>[a-z0-9-]+:[A-Za-z0-9*]+)"
    r"(?: on resource:? (?P<resource>[^\s]+))?"
    r"(?:\s+(?:because|with an explicit deny|with an implicit deny)(?P<why>[^.\n]*))?"
    r"(?:[.\s\"]|$)"
)


@dataclass(frozen=True)
class Answer:
    """An AWS error answer as bcce reports it."""

    code: str
    message: str
    status: int | None = None
    request_id: str = ""


@dataclass(frozen=True)
class Denial:
    """What AWS named when it refused an action."""

    action: str = ""
    resource: str = ""
    principal: str = ""
    why: str = ""

    def statement(self) -> str:
        """The policy statement that would allow the action, as JSON."""
        return json.dumps({"Effect": "Allow", "Action": self.action or "<action>", "Resource": self.resource or "*"},
                          separators=(", ", ": "))


def read_answer(code: str, message: str, status: int | None = None, request_id: str = "") -> Answer:
    """The code and message of an answer: an HTML page becomes one line, an XML error document
    sent in place of JSON gives its own code and message."""
    if _HTML.search(message) or _HTML.search(code):
        shown = f"HTTP {status}" if status else "HTTP error"
        return Answer(code=code if code and not _HTML.search(code) else str(status or "Unknown"),
                      message=f"{shown}: {HTML_PAGE}", status=status, request_id=request_id)
    if "<Code>" in message:
        inner_code = _XML_CODE.search(message)
        inner_message = _XML_MESSAGE.search(message)
        inner_id = _XML_REQUEST_ID.search(message)
        if inner_code:
            return Answer(code=inner_code.group(1).strip(),
                          message=" ".join((inner_message.group(1) if inner_message else "").split()),
                          status=status, request_id=request_id or (inner_id.group(1) if inner_id else ""))
    return Answer(code=code or "Unknown", message=" ".join(message.split()), status=status, request_id=request_id)


def answer_of(response: dict[str, Any]) -> Answer:
    """The Answer in a botocore ClientError's `response`."""
    error = response.get("Error", {}) or {}
    meta = response.get("ResponseMetadata", {}) or {}
    status = meta.get("HTTPStatusCode")
    return read_answer(str(error.get("Code", "") or ""), str(error.get("Message", "") or ""),
                       status if isinstance(status, int) else None, str(meta.get("RequestId", "") or ""))


def is_denied_code(code: str) -> bool:
    return code in DENIED_CODES


def parse_denial(text: str) -> Denial:
    """The action, resource and principal of AWS's refusal, when its message names them."""
    match = _DENIAL.search(" ".join(text.split()))
    if match is None:
        return Denial()
    return Denial(action=match.group("action"), resource=(match.group("resource") or "").rstrip(".,;\""),
                  principal=match.group("principal"), why=" ".join((match.group("why") or "").split()))


def permission_denied(operation: str, code: str, message: str, *, service: str = "", request_id: str = "",
                      status: int | None = None, failure: object = None) -> PermissionDeniedError:
    denial = parse_denial(message)
    code = code or next((c for c in DENIED_CODES if re.search(rf"\b{c}\b", message)), "AccessDenied")
    action = denial.action or operation
    resource = denial.resource or "*"
    return PermissionDeniedError(
        operation=operation, service=service, code=code, detail=message, action=action, resource=resource,
        principal=denial.principal or "the caller", statement=Denial(action, denial.resource).statement(),
        request_id=request_id, status=status, failure=failure,
    )


def _action_name(operation: str) -> str:
    """botocore's snake_case method name to the API action name (create_key -> CreateKey)."""
    return "".join(part[:1].upper() + part[1:] for part in operation.split("_")) if "_" in operation or operation.islower() else operation


def translate(exc: BaseException, service: str, operation: str) -> BaseException:
    """botocore's exceptions to bcce's errors; anything else is returned unchanged."""
    import botocore.exceptions as bex

    from bcce_tf.resilience.classify import classify_aws_code
    from bcce_tf.resilience.failure import FailureKind

    if isinstance(exc, NotSupportedError):  # named by the call, not by the breaker it went through
        return NotSupportedError(operation=f"{service}:{operation}", action=exc.fields.get("action", operation),
                                 reason=exc.fields.get("reason", ""), failure=exc.fields.get("failure"))
    if isinstance(exc, BcceError):
        return exc
    if isinstance(exc, (bex.NoCredentialsError, bex.PartialCredentialsError, bex.ProfileNotFound)):
        return CredentialsError(detail=str(exc))
    if isinstance(exc, bex.ClientError):
        answer = answer_of(exc.response)
        api = _action_name(operation)
        failure = classify_aws_code(answer.code, message=answer.message, status=answer.status)
        if failure.kind is FailureKind.CREDENTIALS:
            return CredentialsError(detail=f"{answer.code}: {answer.message}" if answer.message else answer.code)
        if failure.kind is FailureKind.PERMISSION_DENIED:
            return permission_denied(f"{service}:{api}", answer.code, answer.message, service=service,
                                     request_id=answer.request_id, status=answer.status, failure=failure)
        return AwsError(service=service, operation=api, code=answer.code, detail=answer.message or answer.code,
                        status=answer.status, request_id=answer.request_id, failure=failure)
    from botocore.parsers import ResponseParserError

    if isinstance(exc, (bex.BotoCoreError, ResponseParserError)):
        text = str(exc)
        if _HTML.search(text):
            text = HTML_PAGE
        return AwsError(service=service, operation=_action_name(operation), code=type(exc).__name__, detail=" ".join(text.split()))
    return exc
