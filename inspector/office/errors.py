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
