"""An HTTP proxy in front of the AWS emulator that injects AWS-shaped faults, loopback only.

    with FaultProxy(emulator.url) as proxy:
        proxy.add_rule("kms:CreateKey", "reset", times=1)
        ... run bcce with --endpoint-url proxy.url ...
        assert proxy.count("kms:CreateKey") == 2

Every request gets an operation label, "<service>:<operation>":
- JSON protocols (KMS, CloudWatch Logs, CloudTrail, DynamoDB): from the X-Amz-Target header,
  "TrentService.CreateKey" -> "kms:CreateKey";
- query protocols (STS, IAM, EC2): from the Action form parameter -> "iam:CreateRole";
- S3 and other REST protocols: method, path and the names of the query parameters ->
  "s3:PUT /my-bucket?policy".
The service is taken from the credential scope of the SigV4 Authorization header.

A rule matches a label (exactly, or as an fnmatch pattern such as "s3:*" or "*") and applies its
fault to the first `times` matching requests (None: every one), optionally only during a time
window; `on_request` runs a callback instead (to kill the emulator at a precise step). Faults:
- "throttle": the protocol's throttling error (JSON 400 ThrottlingException, query 400
  Throttling, S3 503 SlowDown);
- "unavailable": a plain 503 with a text body, as a load balancer gives;
- "reset": read the whole request, do not forward it, close the connection with RST (SO_LINGER 0):
  the client sees "read: connection reset by peer" and cannot know whether the call ran;
- "reset-after-forward": forward the request (it takes effect), then reset instead of answering:
  the response is lost;
- "reject-credentials": the protocol's invalid-credentials error (403 InvalidClientTokenId and
  friends).
Rules can be added and removed while requests flow. The proxy counts requests per label and
records the User-Agent of each, and it shuts itself down after `lifetime` seconds so a stuck test
cannot leave it running.
"""

from __future__ import annotations

import fnmatch
import http.client
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

FAULTS = ("throttle", "unavailable", "reset", "reset-after-forward", "reject-credentials")
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_TARGET_SERVICES = {
    "TrentService": "kms",
    "Logs_20140328": "logs",
    "DynamoDB_20120810": "dynamodb",
    "CloudTrail_20131101": "cloudtrail",
}
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


@dataclass(frozen=True)
class SeenRequest:
    label: str
    method: str
    path: str
    user_agent: str
    fault: str | None  # the fault applied, None when forwarded untouched
    at: float  # time.monotonic()


@dataclass
class Rule:
    match: str | Callable[[str], bool]
    fault: str | None  # None: only run `action`, then forward
    times: int | None = None  # first N matching requests; None = all of them
    start: float | None = None  # monotonic window, inclusive start
    end: float | None = None
    action: Callable[[str], None] | None = None  # runs in the request's thread before the fault or forward
    hits: int = 0

    def matches(self, label: str, now: float) -> bool:
        if self.start is not None and now < self.start:
            return False
        if self.end is not None and now >= self.end:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        if callable(self.match):
            return bool(self.match(label))
        return label == self.match or fnmatch.fnmatchcase(label, self.match)


@dataclass
class _Parsed:
    service: str
    label: str
    protocol: str  # "json", "query", "ec2", "s3", "rest"


def operation_label(method: str, path: str, headers: dict[str, str], body: bytes) -> _Parsed:
    """The "<service>:<operation>" label of a request and the protocol its errors use."""
    lowered = {k.lower(): v for k, v in headers.items()}
    scope = _SCOPE.search(lowered.get("authorization", ""))
    service = scope.group(1) if scope else "unknown"
    target = lowered.get("x-amz-target")
    if target:
        prefix, _, operation = target.rpartition(".")
        service = scope.group(1) if scope else _TARGET_SERVICES.get(prefix.rpartition(".")[2], prefix)
        return _Parsed(service, f"{service}:{operation}", "json")
    split = urlsplit(path)
    query = parse_qs(split.query, keep_blank_values=True)
    action = query.get("Action")
    content_type = lowered.get("content-type", "")
    if not action and "x-www-form-urlencoded" in content_type and body:
        action = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get("Action")
    if action:
        return _Parsed(service, f"{service}:{action[0]}", "ec2" if service == "ec2" else "query")
    keys = "&".join(sorted(query))
    label = f"{service}:{method} {split.path}" + (f"?{keys}" if keys else "")
    return _Parsed(service, label, "s3" if service == "s3" else "rest")


def error_response(fault: str, protocol: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a fault answer, in the shape the protocol's clients parse
    (protocol: "json", "query", "ec2", "s3" or "rest")."""
    request_id = str(uuid.uuid4())
    if fault == "unavailable":
        return 503, {"Content-Type": "text/plain"}, b"Service Unavailable"
    if fault == "throttle":
        json_code, query_code, s3_code = "ThrottlingException", "Throttling", "SlowDown"
        message, s3_message = "Rate exceeded", "Please reduce your request rate."
        json_status, query_status, s3_status = 400, 400, 503
    elif fault == "reject-credentials":
        json_code, query_code, s3_code = "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId"
        message = "The security token included in the request is invalid."
        s3_message = "The AWS Access Key Id you provided does not exist in our records."
        json_status, query_status, s3_status = 400, 403, 403
    else:
        raise ValueError(f"fault '{fault}' has no response body")
    if protocol == "json":
        body = json.dumps({"__type": json_code, "message": message}).encode()
        return json_status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id}, body
    if protocol == "rest":
        body = json.dumps({"message": message}).encode()
        status = 429 if fault == "throttle" else 403
        return status, {"Content-Type": "application/json", "x-amzn-ErrorType": json_code,
                        "x-amzn-RequestId": request_id}, body
    if protocol == "ec2":  # EC2's query protocol has an error shape of its own
        code = "RequestLimitExceeded" if fault == "throttle" else "AuthFailure"
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                f"<RequestID>{request_id}</RequestID></Response>").encode()
        return (503 if fault == "throttle" else 401), {"Content-Type": "text/xml"}, body
    if protocol == "s3":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{s3_code}</Code><Message>{s3_message}</Message>'
                f"<RequestId>{request_id}</RequestId></Error>").encode()
        return s3_status, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body
    body = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{query_code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
    return query_status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body


class FaultProxy:
    def __init__(self, upstream: str, *, lifetime: float = 600.0, host: str = "127.0.0.1") -> None:
        parts = urlsplit(upstream)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the fault proxy only forwards to loopback, not {upstream}")
        self.upstream = (parts.hostname, parts.port or 80)
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self.seen: list[SeenRequest] = []
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._stopped = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="fault-proxy", daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._timer is not None:
            self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- rules -----------------------------------------------------------------------------
    def add_rule(self, match: str | Callable[[str], bool], fault: str, *, times: int | None = None,
                 seconds: float | None = None, after: float = 0.0) -> Rule:
        """Fault the first `times` requests matching `match` (all when None); with `seconds`,
        only during that many seconds from `after` seconds from now."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault '{fault}'; one of {', '.join(FAULTS)}")
        now = time.monotonic()
        rule = Rule(match=match, fault=fault, times=times, start=now + after if after else None,
                    end=now + after + seconds if seconds is not None else None)
        with self._lock:
            self._rules.append(rule)
        return rule

    def on_request(self, match: str | Callable[[str], bool], action: Callable[[str], None], *,
                   times: int | None = 1) -> Rule:
        """Call `action(label)` when a request matching `match` arrives, before it is forwarded
        (the first `times` of them): the place to kill the emulator at a precise step."""
        rule = Rule(match=match, fault=None, times=times, action=action)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove_rule(self, rule: Rule) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if r is not rule]

    def clear_rules(self) -> None:
        with self._lock:
            self._rules = []

    def _fault_for(self, label: str) -> str | None:
        now = time.monotonic()
        actions: list[Callable[[str], None]] = []
        fault = None
        with self._lock:
            for rule in self._rules:
                if rule.matches(label, now):
                    rule.hits += 1
                    if rule.action is not None:
                        actions.append(rule.action)
                    if rule.fault is not None:
                        fault = rule.fault
                        break
        for action in actions:
            action(label)
        return fault

    # -- observations ----------------------------------------------------------------------
    def _record(self, entry: SeenRequest) -> None:
        with self._lock:
            self.seen.append(entry)

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(entry.label for entry in self.seen)

    def count(self, pattern: str = "*") -> int:
        with self._lock:
            return sum(1 for e in self.seen if e.label == pattern or fnmatch.fnmatchcase(e.label, pattern))

    def faulted(self, pattern: str = "*") -> int:
        with self._lock:
            return sum(1 for e in self.seen if e.fault and (e.label == pattern or fnmatch.fnmatchcase(e.label, pattern)))

    def user_agents(self, pattern: str = "*") -> list[str]:
        with self._lock:
            return [e.user_agent for e in self.seen if e.label == pattern or fnmatch.fnmatchcase(e.label, pattern)]

    def reset_observations(self) -> None:
        with self._lock:
            self.seen = []

    # -- the handler -----------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _read_body(self) -> tuple[bytes, bool]:
                """The request body as sent, and whether it is chunked (then kept with its framing)."""
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    raw = bytearray()
                    while True:
                        size_line = self.rfile.readline()
                        raw += size_line
                        size = int(size_line.split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while True:  # trailers, then the blank line
                                line = self.rfile.readline()
                                raw += line
                                if line in (b"\r\n", b"\n", b""):
                                    break
                            return bytes(raw), True
                        raw += self.rfile.read(size + 2)
                length = int(self.headers.get("Content-Length") or 0)
                return (self.rfile.read(length) if length else b""), False

            def _handle(self) -> None:
                body, chunked = self._read_body()
                headers = {k: v for k, v in self.headers.items()}
                parsed = operation_label(self.command, self.path, headers, body)
                fault = proxy._fault_for(parsed.label)
                proxy._record(SeenRequest(parsed.label, self.command, self.path, self.headers.get("User-Agent", ""),
                                          fault, time.monotonic()))
                if fault == "reset":
                    self._reset()
                    return
                if fault in ("throttle", "unavailable", "reject-credentials"):
                    status, extra, payload = error_response(fault, parsed.protocol)
                    self._answer(status, list(extra.items()), payload)
                    return
                try:
                    status, reply_headers, payload = self._forward(body, chunked)
                except OSError:
                    # The emulator is gone: the client sees what it would see from a dead peer.
                    self._reset()
                    return
                if fault == "reset-after-forward":
                    self._reset()
                    return
                self._answer(status, reply_headers, payload)

            def _forward(self, body: bytes, chunked: bool) -> tuple[int, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for name, value in self.headers.items():
                        if name.lower() in _HOP_BY_HOP and not (chunked and name.lower() == "transfer-encoding"):
                            continue
                        connection.putheader(name, value)
                    connection.endheaders()
                    if body:
                        connection.send(body)
                    response = connection.getresponse()
                    payload = response.read()
                    reply = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
                    return response.status, reply, payload
                finally:
                    connection.close()

            def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
                self.send_response_only(status)
                has_length = False
                for name, value in headers:
                    if name.lower() == "content-length":
                        has_length = True
                        if self.command != "HEAD":
                            continue  # set below from the payload actually sent
                    self.send_header(name, value)
                if self.command != "HEAD" or not has_length:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD" and status not in (204, 304):
                    self.wfile.write(payload)
                self.wfile.flush()

            def _reset(self) -> None:
                self.close_connection = True
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

        return Handler
