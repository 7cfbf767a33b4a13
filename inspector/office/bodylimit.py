"""A ceiling on the size of a JSON request body, checked before the body is read into memory.

FastAPI reads and parses a whole JSON body before the endpoint runs, so one oversized push (a broken or hostile
client) would cost the server its size many times over in memory. Bodies larger than the ceiling get a 413
ErrorBody instead: at once when the Content-Length says so, else as soon as the bytes received pass it. Blob
uploads (PUT) are streamed to disk in chunks and are not limited here.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inspector.sync.protocol import ErrorBody

_LIMITED_METHODS = frozenset({"POST"})


class _TooLargeError(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _LIMITED_METHODS:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        exceeded = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _TooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            if not exceeded:
                await send(message)
            elif not refused:  # whatever the app made of the interrupted body, the answer is the 413
                refused = True
                await self._refuse(send)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLargeError:
            if not refused:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        megabytes = self.max_bytes // (1 << 20)
        body = ErrorBody(
            code="too_large",
            message=f"The request body is larger than {megabytes} MB; send fewer changes per request.",
            message_zh=f"提交的数据超过{megabytes}MB，请分批同步。",
        )
        payload = json.dumps(body.model_dump(), ensure_ascii=False).encode("utf-8")
        headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
