"""The "/" menus per place (issue 14): customers, operators in their groups, admins."""

from __future__ import annotations

from pathlib import Path

from bot.core.deps import CoreConfig
from bot.core.menus import Menu, MenuScope, ScopeKind, command_menus
from bot.core.texts import Texts

ROOT = Path(__file__).resolve().parents[2]
TEXTS = Texts.load(ROOT / "bot" / "texts", ["ru", "en"], "en")
CONFIG = CoreConfig(
    operator_group_id=-100,
    line_groups={2: -200, 3: 0},
    admin_ids=frozenset({7}),
    desk_language="ru",
)


def menu(scope: MenuScope, language: str | None) -> Menu:
    return next(
        m for m in command_menus(CONFIG, TEXTS) if (m.scope, m.language) == (scope, language)
    )


def names(item: Menu) -> list[str]:
    return [name for name, _ in item.commands]


def test_customers_get_their_commands_in_private_chats_in_each_language() -> None:
    private = MenuScope(ScopeKind.PRIVATE)
    assert names(menu(private, "en")) == ["start", "operator", "language", "cancel", "help"]
    assert dict(menu(private, "ru").commands)["operator"] == "Связаться с оператором"
    assert dict(menu(private, "en").commands)["operator"] == "Talk to a person"


def test_each_operator_group_gets_the_desk_commands_in_the_desk_language() -> None:
    """Regression: the group's "/" menu offered /operator, /language, /cancel."""
    for group in (-100, -200):
        desk = menu(MenuScope(ScopeKind.CHAT, chat_id=group), None)
        assert "queue" in names(desk)
        assert "t" in names(desk)
        assert "operator" not in names(desk)
        assert "reload" not in names(desk)
        assert dict(desk.commands)["queue"] == "Ожидающие обращения"
    scopes = {m.scope for m in command_menus(CONFIG, TEXTS)}
    assert MenuScope(ScopeKind.CHAT, chat_id=0) not in scopes


def test_admins_also_get_reload_in_their_chat_and_in_the_groups() -> None:
    assert "reload" in names(menu(MenuScope(ScopeKind.CHAT, chat_id=7), "en"))
    member = menu(MenuScope(ScopeKind.MEMBER, chat_id=-100, user_id=7), None)
    assert "reload" in names(member)
    assert "queue" in names(member)


def test_every_description_fits_telegrams_limit() -> None:
    for item in command_menus(CONFIG, TEXTS):
        for name, description in item.commands:
            assert 1 <= len(description) <= 256, name
