"""Reading a Bot API request the way Telegram does: query string, form, multipart, JSON or empty.

Values arrive as strings (nested objects as JSON strings) or, in a JSON body, as JSON values;
:class:`Params` hands them out typed and answers a wrong or missing one with Telegram's 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web

from telegram_emulator.errors import ApiError

__all__ = ["Params", "Upload", "read_multipart", "read_request"]

_INTEGER = re.compile(r"-?\d{1,19}")
_STRING_IDS = frozenset(
    {
        "callback_query_id",
        "file_id",
        "inline_message_id",
        "icon_custom_emoji_id",
        "business_connection_id",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart field."""

    field: str
    filename: str
    data: bytes
    content_type: str


class Params:
    """The parameters of one call, with typed accessors."""

    def __init__(self, values: Mapping[str, Any], uploads: Mapping[str, Upload]) -> None:
        self.values: dict[str, Any] = dict(values)
        self.uploads: dict[str, Upload] = dict(uploads)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.uploads

    def decoded(self) -> dict[str, Any]:
        """Every value with JSON strings decoded: the form the call log keeps."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if key.endswith("_id") and key not in _STRING_IDS and isinstance(value, str):
                out[key] = int(value) if _INTEGER.fullmatch(value) else value
            else:
                out[key] = _maybe_json(value)
        for key, upload in self.uploads.items():
            out.setdefault(key, f"<upload {upload.filename}, {len(upload.data)} bytes>")
        return out

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def required(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            raise ApiError(400, f"{name} is empty" if name != "chat_id" else "chat not found")
        return value

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def req_str(self, name: str) -> str:
        value = self.required(name)
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise ApiError(400, f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"invalid {name} specified") from None

    def req_int(self, name: str) -> int:
        self.required(name)
        value = self.integer(name)
        assert value is not None
        return value

    def number(self, name: str) -> float:
        try:
            return float(self.required(name))
        except (TypeError, ValueError):
            raise ApiError(400, f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1", "yes")

    def obj(self, name: str) -> Any:
        """A nested object or array: a JSON string in forms, a JSON value in a JSON body."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(400, f"can't parse {name} JSON object") from None
        return value

    def chat_ref(self, name: str = "chat_id") -> int | str:
        """A chat id, or an ``@username`` string."""
        value = self.required(name)
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, "chat not found") from None


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def read_multipart(reader: MultipartReader) -> Params:
    values: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = bytes(await part.read(decode=True))
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads[part.name] = Upload(part.name, part.filename, data, content_type)
        else:
            values[part.name] = data.decode("utf-8")
    return Params(values, uploads)


async def read_request(request: web.Request) -> Params:
    """Parse the query string and the body, whatever its content type."""
    values: dict[str, Any] = dict(request.query)
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        parsed = await read_multipart(await request.multipart())
        return Params({**values, **parsed.values}, parsed.uploads)
    body = await request.read()
    if not body:
        return Params(values, {})
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise ApiError(400, "can't parse JSON object") from None
        if not isinstance(data, dict):
            raise ApiError(400, "can't parse JSON object")
        return Params({**values, **data}, {})
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, str):
            values[key] = value
    return Params(values, {})
