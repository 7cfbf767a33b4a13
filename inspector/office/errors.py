"""An HTTP error of the office API: its status and the ErrorBody the laptop reads (English and Chinese)."""

from __future__ import annotations

from inspector.sync.protocol import ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, message_zh: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(code=code, message=message, message_zh=message_zh)

    @property
    def code(self) -> str:
        return self.body.code


def unauthorized(message: str, message_zh: str = "设备未登记或已被停用，请联系管理员重新登记。") -> ApiError:
    return ApiError(401, "unauthorized", message, message_zh)


def forbidden(code: str, message: str, message_zh: str = "无权提交其他辖区的数据。") -> ApiError:
    return ApiError(403, code, message, message_zh)


def conflict(code: str, message: str, message_zh: str) -> ApiError:
    return ApiError(409, code, message, message_zh)


def invalid(message: str, message_zh: str = "请求格式不正确。", *, code: str = "invalid") -> ApiError:
    return ApiError(422, code, message, message_zh)


def not_found(message: str, message_zh: str = "未找到。") -> ApiError:
    return ApiError(404, "not_found", message, message_zh)


# Chinese for the errors Starlette and FastAPI raise themselves (unknown route, wrong method, unreadable body).
_HTTP_ZH = {
    400: "请求内容无法解析：须为 UTF-8 编码的 JSON。",
    404: "未找到。",
    405: "不支持该请求方法。",
    413: "请求内容过大。",
}
# FastAPI's words for a body it cannot decode (bytes that are not UTF-8): said plainly instead.
_UNPARSABLE_BODY = "There was an error parsing the body"


def http_error_text(status: int, detail: str) -> tuple[str, str]:
    """(English, Chinese) for an HTTP error the framework raised, not the office's own ApiError."""
    if status == 400 and detail == _UNPARSABLE_BODY:
        detail = "The request body cannot be parsed: it must be JSON encoded as UTF-8."
    return detail, _HTTP_ZH.get(status, "请求未被接受。")
