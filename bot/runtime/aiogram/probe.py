"""What Telegram knows of the bot: who it is, where its webhook points (a deployment check)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from bot.runtime.aiogram.runner import make_bot

__all__ = ["ProbeFailed", "WebhookStatus", "webhook_status"]


class ProbeFailed(Exception):
    """Telegram (or the API server in the config) could not be asked; the message says why."""


@dataclass(frozen=True)
class WebhookStatus:
    username: str
    url: str  # empty: no webhook (polling)
    pending_updates: int
    last_error: str | None


async def webhook_status(token: str, api_url: str) -> WebhookStatus:
    """Ask ``getMe`` and ``getWebhookInfo``; :class:`ProbeFailed` with the reason on failure."""
    bot = make_bot(token, api_url)
    try:
        me = await bot.get_me()
        info = await bot.get_webhook_info()
    except (TelegramAPIError, TelegramNetworkError) as exc:
        raise ProbeFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        await bot.session.close()
    return WebhookStatus(
        username=me.username or str(me.id),
        url=info.url,
        pending_updates=info.pending_update_count,
        last_error=info.last_error_message,
    )
