"""The emulator's exceptions, under one root.

EmulatorError                 anything the emulator raises at its caller
 ├── ApiError                 a Bot API error answer (``{"ok": false, ...}``) for the bot
 ├── ControlError             a control-API call that the world cannot carry out
 └── EmulatorTimeout          a ``wait_for_*`` call ran out of time (also a ``TimeoutError``)
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "ControlError", "EmulatorError", "EmulatorTimeout"]

_PREFIX = {400: "Bad Request: ", 403: "Forbidden: ", 409: "Conflict: "}


class EmulatorError(Exception):
    """Root of every error the emulator raises."""


class ApiError(EmulatorError):
    """An error answer of the Bot API, rendered as Telegram renders it.

    ``reason`` is the text after Telegram's prefix ("Bad Request: ", "Forbidden: "...), or the
    whole description when ``reason`` already carries one or the code has no prefix.
    """

    def __init__(self, code: int, reason: str, *, retry_after: int | None = None) -> None:
        prefix = _PREFIX.get(code, "")
        description = reason if reason.startswith(prefix) else prefix + reason
        if code == 429 and not reason.startswith("Too Many Requests"):
            description = f"Too Many Requests: retry after {retry_after or 1}"
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class ControlError(EmulatorError):
    """The control API was asked for something the world does not allow (say which and why)."""


class EmulatorTimeout(EmulatorError, TimeoutError):
    """A ``wait_for_*`` call did not see what it waited for in time."""
