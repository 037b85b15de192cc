"""One timed JSON:API request through aiohttp: status checked, failures recorded, never retried.

A failure is recorded with everything needed to find it on the server: the request, its
X-Request-ID (which the service writes on its log line), the status and body of the answer.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import orjson

from benchmarks.load.stats import Failure, Recorder

MEDIA_TYPE = "application/vnd.api+json"
BODY_PREVIEW_CHARS = 2000


@dataclass
class Reply:
    status: int | None  # None when no answer came
    document: object | None
    ok: bool  # the expected status came (a wrong body is recorded, but the write happened)


class LoadClient:
    """Sends requests with the token of a role and records each as a success or a failure."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        tokens: dict[str, str],
        recorder: Recorder,
        request_id_prefix: str = "load",
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.tokens = tokens
        self.recorder = recorder
        self._prefix = request_id_prefix
        self._numbers = itertools.count(1)

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        expected: int,
        role: str,
        body: object | None = None,
        check: Callable[[object], str | None] | None = None,
    ) -> Reply:
        """Send one request; `check` looks at an expected answer and names what is wrong."""
        request_id = f"{self._prefix}-{next(self._numbers):07d}"
        headers = {
            "Accept": MEDIA_TYPE,
            "Authorization": f"Bearer {self.tokens[role]}",
            "X-Request-ID": request_id,
        }
        data = None
        if body is not None:
            data = orjson.dumps(body)  # encoded before the clock starts
            headers["Content-Type"] = MEDIA_TYPE
        failure = Failure(operation, method, path, request_id, expected, None, "", None, None)
        if data is not None:
            failure.request_body = _preview(data)
        start = time.perf_counter()
        try:
            async with self.session.request(
                method, self.base_url + path, data=data, headers=headers
            ) as response:
                content = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:  # asyncio.TimeoutError is TimeoutError
            failure.problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.recorder.failure(failure)
            return Reply(None, None, False)
        elapsed = time.perf_counter() - start

        failure.status = response.status
        failure.response_body = _preview(content) if content else None
        document = None
        if content:
            try:
                document = orjson.loads(content)
            except orjson.JSONDecodeError:
                failure.problem = "the body is not JSON"
                self.recorder.failure(failure)
                return Reply(response.status, None, response.status == expected)
        if response.status != expected:
            failure.problem = "unexpected status"
            self.recorder.failure(failure)
            return Reply(response.status, document, False)
        try:
            problem = check(document) if check is not None else None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            problem = f"the answer lacks what it should hold ({type(exc).__name__}: {exc})"
        if problem:
            failure.problem = f"wrong answer: {problem}"
            self.recorder.failure(failure)
        else:
            self.recorder.success(operation, elapsed)
        return Reply(response.status, document, True)


def _preview(raw: bytes) -> str:
    text = raw.decode(errors="replace")
    if len(text) > BODY_PREVIEW_CHARS:
        return text[:BODY_PREVIEW_CHARS] + f"... ({len(text)} characters)"
    return text
