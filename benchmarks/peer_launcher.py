"""Runs the open-source peer bot (``peers.py``) against a local Bot API server, unmodified.

    PEER_VENV/bin/python benchmarks/peer_launcher.py --peer DIR --api-url URL --answer-fd FD

Run by ``peers.py`` with the peer's own virtualenv, never with the project's: the peer's
package is also called ``bot``. It builds the peer's Dispatcher exactly as the peer's
``bot/__main__.py`` does (the settings TOML named by ``CONFIG_FILE_PATH``, its structlog set-up,
its fluent strings, its database middleware and routers), except that the ``Bot`` talks to
``--api-url`` and polling leaves signals to the driver. The driver writes ``mark`` or ``stop``
lines on stdin; each is answered on ``--answer-fd`` with one JSON line of this process's CPU
seconds and peak RSS (MB), the ``stop`` answer after the bot has shut down.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import resource
import sys
from typing import Any

TOKEN = "123456:BENCHMARK-TOKEN"


def usage() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return {"cpu_s": own.ru_utime + own.ru_stime, "peak_rss_mb": own.ru_maxrss / scale}


async def run(api_url: str, answers: Any) -> None:
    import structlog
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    config = importlib.import_module("bot.config_reader")
    logs = importlib.import_module("bot.logs")
    fluent = importlib.import_module("bot.fluent_loader")
    handlers = importlib.import_module("bot.handlers")
    middlewares = importlib.import_module("bot.middlewares")

    # --- as the peer's bot/__main__.py, with the Bot pointed at the local server -------------
    log_config = config.get_config(model=config.LogConfig, root_key="logs")
    structlog.configure(**logs.get_structlog_config(log_config))
    bot_config = config.get_config(model=config.BotConfig, root_key="bot")
    bot = Bot(
        bot_config.token.get_secret_value(),
        session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)),
    )
    dispatcher = Dispatcher(l10n=fluent.get_fluent_localization())
    db_config = config.get_config(model=config.DbConfig, root_key="db")
    engine = create_async_engine(url=str(db_config.dsn))
    async with engine.begin() as conn:
        await conn.execute(text("SELECT 1"))
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    dispatcher.update.outer_middleware(middlewares.DbSessionMiddleware(sessionmaker))
    dispatcher.include_routers(*handlers.get_routers(supergroup_id=bot_config.supergroup_id))
    # -----------------------------------------------------------------------------------------

    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_as_tasks=True, polling_timeout=1, handle_signals=False)
    )
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line in ("stop", ""):
                break
            answers.write(json.dumps(usage()) + "\n")
            answers.flush()
    finally:
        with contextlib.suppress(RuntimeError):
            await dispatcher.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        await bot.session.close()
        await engine.dispose()
        answers.write(json.dumps(usage()) + "\n")
        answers.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--peer", required=True, help="the peer's directory (holds bot/)")
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--answer-fd", type=int, required=True)
    args = parser.parse_args()
    sys.path.insert(0, args.peer)
    os.chdir(args.peer)
    with os.fdopen(args.answer_fd, "w") as answers:
        asyncio.run(run(args.api_url, answers))


if __name__ == "__main__":
    main()
