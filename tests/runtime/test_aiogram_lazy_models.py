"""aiogram's types are built on first use (bot/runtime/aiogram/lazy_models.py), and every one of
them, and every method, still builds: a future aiogram that resolves its references otherwise
fails here, not on the first rare update in production. Each test runs in a fresh interpreter,
since a process that imported aiogram before the runtime keeps aiogram's own eager build."""

from __future__ import annotations

from tests.fresh_python import run_python

BUILD_EVERYTHING = """
import json
import bot.runtime.aiogram  # imports aiogram, its models deferred
import pydantic
import aiogram.methods as methods
import aiogram.types as types

def models(module):
    found = (getattr(module, name) for name in module.__all__)
    return [m for m in found if isinstance(m, type) and issubclass(m, pydantic.BaseModel)]

from aiogram.methods.base import Response

every = models(types) + models(methods)
deferred = sum(not m.__pydantic_complete__ for m in every)
# how aiogram reads each method's result (aiogram/client/session/base.py)
returning = [getattr(m, "__returning__", None) for m in models(methods)]
every += [Response[r] for r in returning if r is not None and not isinstance(r, property)]
failed = []
for model in every:
    try:
        model.model_rebuild()
    except Exception as exc:
        failed.append(f"{model.__name__}: {exc}")
incomplete = [m.__name__ for m in every if not m.__pydantic_complete__]
print(json.dumps({"models": len(every), "deferred": deferred, "failed": failed,
                  "incomplete": incomplete}))
"""

FIRST_USE = """
import json
import bot.runtime.aiogram
from aiogram.methods import SendMessage
from aiogram.methods.base import Response
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

built_before = Message.__pydantic_complete__
update = Update.model_validate({
    "update_id": 7,
    "message": {
        "message_id": 5, "date": 1700000000, "text": "где мой заказ",
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Анна", "language_code": "ru"},
        "reply_to_message": {"message_id": 4, "date": 1700000000,
                             "chat": {"id": 42, "type": "private"}, "text": "?"},
    },
})
markup = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]]
)
sent = SendMessage(chat_id=42, text="<b>ok</b>", reply_markup=markup).model_dump(exclude_none=True)
result = Response[SendMessage.__returning__].model_validate({"ok": True, "result": {
    "message_id": 9, "date": 1700000000, "chat": {"id": 42, "type": "private"}, "text": "ok"}})
print(json.dumps({
    "built_before": built_before,
    "text": update.message.text,
    "replied_to": update.message.reply_to_message.message_id,
    "sender": update.message.from_user.first_name,
    "button": sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
    "sent_id": result.result.message_id,
}))
"""

OTHER_ROUTES = """
import json
import bot.runtime.aiogram
import pydantic
from aiogram.types import ChatMemberMember, Message, Sticker, Update

chat = {"id": 42, "type": "private"}
message = {"message_id": 5, "date": 1700000000, "chat": chat, "text": "hi"}
# nothing built yet: a TypeAdapter, a union of types and a model of our own come first
read = pydantic.TypeAdapter(Message).validate_python(message)
stickers = pydantic.TypeAdapter(list[Sticker]).validate_python([])

class Envelope(pydantic.BaseModel):
    update: Update
    member: ChatMemberMember | None = None

envelope = Envelope.model_validate({"update": {"update_id": 1, "message": message}})
print(json.dumps({"text": read.text, "stickers": stickers,
                  "inner": envelope.update.message.chat.id}))
"""

# aiogram's import fails after its types were imported (a module it imports later is broken);
# the types stay in sys.modules, so the second try imports none of them again
FAILED_THEN_RETRIED = """
import json, sys
sys.modules["aiogram.utils.magic_filter"] = None  # importing it raises ImportError
try:
    import bot.runtime.aiogram  # imports aiogram, its models deferred
except ImportError as exc:
    first = str(exc)
del sys.modules["aiogram.utils.magic_filter"]
types_kept = "aiogram.types" in sys.modules
import bot.runtime.aiogram
from aiogram.types import Update
update = Update.model_validate({"update_id": 1, "message": {
    "message_id": 5, "date": 1700000000, "text": "hi", "chat": {"id": 42, "type": "private"}}})
print(json.dumps({"first": first, "types_kept": types_kept, "text": update.message.text}))
"""


def test_every_type_and_method_builds_with_the_namespace_aiogram_passes() -> None:
    found, _ = run_python(BUILD_EVERYTHING)
    assert found["models"] > 600  # the types, the methods and the methods' results
    assert found["deferred"] > 400  # the import built (almost) none of them
    assert found["failed"] == []
    assert found["incomplete"] == []


def test_an_update_and_a_method_work_on_first_use() -> None:
    found, _ = run_python(FIRST_USE)
    assert found == {
        "built_before": False,
        "text": "где мой заказ",
        "replied_to": 4,
        "sender": "Анна",
        "button": "yes",
        "sent_id": 9,
    }


def test_a_type_adapter_or_a_model_of_ours_builds_aiogram_types_first() -> None:
    found, _ = run_python(OTHER_ROUTES)
    assert found == {"text": "hi", "stickers": [], "inner": 42}


def test_types_imported_by_a_failed_import_still_build_when_it_is_tried_again() -> None:
    found, _ = run_python(FAILED_THEN_RETRIED)
    assert "aiogram.utils.magic_filter" in found.pop("first")
    assert found == {"types_kept": True, "text": "hi"}
