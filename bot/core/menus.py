"""The "/" command menus, per place and language: customers in private chats, operators in the
operator groups, admins (their private chat, and their membership of each operator group).

The core says which commands and in which words (from the UI text files: ``menu_<name>`` keys);
each runtime registers them with ``setMyCommands`` and its library's scope objects.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.core.deps import CoreConfig
from bot.core.texts import Texts

__all__ = [
    "ADMIN_COMMANDS",
    "CUSTOMER_COMMANDS",
    "DESK_COMMANDS",
    "Menu",
    "MenuScope",
    "ScopeKind",
    "command_menus",
]

CUSTOMER_COMMANDS = ("start", "operator", "language", "cancel", "help")
DESK_COMMANDS: tuple[str, ...] = (
    *("queue", "mine", "take", "close", "escalate", "kb", "t", "note", "ban", "unban"),
    "help",
)
ADMIN_COMMANDS = ("reload",)


class ScopeKind(enum.StrEnum):
    PRIVATE = "all_private_chats"  # every private chat (the customers)
    CHAT = "chat"  # one chat: an operator group, or an admin's private chat
    MEMBER = "chat_member"  # one user in one chat: an admin in an operator group


@dataclass(frozen=True, slots=True)
class MenuScope:
    kind: ScopeKind
    chat_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Menu:
    scope: MenuScope
    language: str | None  # None: every language without a menu of its own
    commands: tuple[tuple[str, str], ...]  # (command, description)


def _items(texts: Texts, lang: str, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, texts(lang, f"menu_{name}")) for name in names)


def command_menus(config: CoreConfig, texts: Texts) -> list[Menu]:
    """Every menu to register. Private chats get one per language (Telegram picks the user's);
    the operator groups get the desk's language only, whatever the operators' apps speak."""
    menus: list[Menu] = []
    private = MenuScope(ScopeKind.PRIVATE)
    customer = CUSTOMER_COMMANDS
    admin = (*CUSTOMER_COMMANDS[:-1], *ADMIN_COMMANDS, CUSTOMER_COMMANDS[-1])
    for lang in (None, *config.languages):
        words = lang or config.default_language
        menus.append(Menu(private, lang, _items(texts, words, customer)))
        for admin_id in sorted(config.admin_ids):
            scope = MenuScope(ScopeKind.CHAT, chat_id=admin_id)
            menus.append(Menu(scope, lang, _items(texts, words, admin)))
    desk_lang = config.desk_lang
    groups = sorted({config.operator_group_id, *config.line_groups.values()} - {0})
    desk_admin = (*DESK_COMMANDS[:-1], *ADMIN_COMMANDS, DESK_COMMANDS[-1])
    for group in groups:
        scope = MenuScope(ScopeKind.CHAT, chat_id=group)
        menus.append(Menu(scope, None, _items(texts, desk_lang, DESK_COMMANDS)))
        for admin_id in sorted(config.admin_ids):
            member = MenuScope(ScopeKind.MEMBER, chat_id=group, user_id=admin_id)
            menus.append(Menu(member, None, _items(texts, desk_lang, desk_admin)))
    return menus
