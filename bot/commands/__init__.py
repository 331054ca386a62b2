"""Sub-commands of ``supportbot``; each module offers ``register(subparsers)``.

A handler is ``handler(args, context) -> exit code``. Settings are loaded lazily through the
context, so commands that need none (``--help``, ``emulator``) work without a config file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["COMMAND_MODULES", "Context"]

COMMAND_MODULES = (
    "content",
    "emulator",
    "database",
    "dead_letters",
    "service",
    "demo",
    "metrics",
    "report",
    "understanding",
    "doctor",
)


@dataclass
class Context:
    config_path: Path | None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from bot.config import load_settings  # pydantic: `supportbot --help` needs none

            self._settings = load_settings(self.config_path)
        return self._settings
