"""An action moto lacks answers like AWS answers an unimplemented feature, not with an HTML page.

moto raises NotImplementedError("The <action> action has not been implemented") for an action it
has no handler for (moto/core/responses.py, BaseResponse.call_action) and for its stubs; its server
turns that into HTTP 500 with werkzeug's HTML "Internal Server Error" page, which SDKs cannot
parse and retry as a transient server error. This addition answers HTTP 501 with the AWS error
code `NotImplemented` (the code and status AWS uses for functionality it does not implement) and
moto's own text as the message, serialized for the service's protocol as botocore's service model
names it, so every client stops at once and bcce names the missing action (exit 16).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

OPERATIONS: dict[str, tuple[str, ...]] = {}  # answers for no operation of its own: changes how a gap is told
CODE = "NotImplemented"
STATUS = 501


@lru_cache(maxsize=None)
def protocol(service: str) -> str:
    """The protocol of `service` in botocore's service model ("query" when botocore has no model)."""
    import botocore.session
    from botocore.exceptions import UnknownServiceError

    try:
        return str(botocore.session.get_session().get_service_model(service).protocol)
    except UnknownServiceError:
        return "query"


def error_response(service: str, message: str, request_id: str = "0") -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of a NotImplemented error in the protocol of `service`."""
    kind = protocol(service)
    if kind in ("json", "rest-json"):
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": CODE, "x-amzn-RequestId": request_id}
        return STATUS, headers, json.dumps({"__type": CODE, "message": message})
    code, text = escape(CODE), escape(message)
    if kind == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{text}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
    elif kind == "rest-xml":
        body = f"<Error><Code>{code}</Code><Message>{text}</Message><RequestId>{request_id}</RequestId></Error>"
    else:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{text}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    return STATUS, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body


def install() -> None:
    from moto.core.responses import BaseResponse

    original = BaseResponse.call_action
    if getattr(original, "_bcce_unimplemented", False):
        return

    def call_action(self: Any) -> Any:
        try:
            return original(self)
        except NotImplementedError as exc:
            message = str(exc) or f"The {self._get_action()} action has not been implemented"
            return error_response(self.boto3_service_name, message)

    call_action._bcce_unimplemented = True  # type: ignore[attr-defined]
    BaseResponse.call_action = call_action  # type: ignore[method-assign]


__all__ = ["CODE", "OPERATIONS", "STATUS", "error_response", "install"]
