"""Settings: a TOML file loaded into typed, validated sections.

A wrong or missing value stops start-up with one line that names the key and what is expected
(:class:`ConfigError`). Secrets are never read from the file: the token comes from the environment.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "CONFIG_ENV",
    "ConfigError",
    "Settings",
    "load_settings",
]

CONFIG_ENV = "SUPPORTBOT_CONFIG"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # holds bot/, intents/, kb/ when installed
# a language code: the texts file bot/texts/<code>.toml and the content's keys use it
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line that says what to fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramSettings(_Section):
    token_env: str = "SUPPORTBOT_TOKEN"
    mode: Literal["polling", "webhook"] = "polling"
    api_url: str = "https://api.telegram.org"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1:8080"
    webhook_secret_env: str = "SUPPORTBOT_WEBHOOK_SECRET"

    def token(self) -> SecretStr:
        """The bot token from the environment; raises ConfigError naming the variable if unset."""
        value = os.environ.get(self.token_env, "").strip()
        if not value:
            raise ConfigError(
                f"environment variable {self.token_env} is empty: set it to the token "
                "from @BotFather (or run `supportbot demo`, which needs no token)"
            )
        return SecretStr(value)

    @model_validator(mode="after")
    def _webhook_has_an_address(self) -> TelegramSettings:
        if self.mode == "webhook" and not self.webhook_url.startswith("https://"):
            raise ValueError(
                'mode = "webhook" needs webhook_url: the public https:// address Telegram posts to'
            )
        return self

    def webhook_secret(self) -> SecretStr:
        """The secret Telegram must echo in X-Telegram-Bot-Api-Secret-Token; required."""
        value = os.environ.get(self.webhook_secret_env, "").strip()
        if not _SECRET.fullmatch(value):
            raise ConfigError(
                f"environment variable {self.webhook_secret_env} must hold the webhook secret: "
                "1-256 characters of A-Z, a-z, 0-9, _ and - (requests without it are refused)"
            )
        return SecretStr(value)


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///supportbot.sqlite3"

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected an async SQLAlchemy URL starting with sqlite+aiosqlite:// "
                "or postgresql+asyncpg://"
            )
        return value


class OperatorSettings(_Section):
    group_id: int = 0
    use_topics: bool = True
    extra_ids: list[int] = Field(default_factory=list)
    only_ids: list[int] = Field(default_factory=list)
    line2_group_id: int = 0
    line3_group_id: int = 0
    sla_minutes: Annotated[int, Field(ge=1)] = 15
    reopen_window_minutes: Annotated[int, Field(ge=0)] = 30
    language: Lang | None = None  # the desk's language; None: [languages] default


class CategoryRoute(_Section):
    priority: Literal["normal", "high", "urgent"] = "normal"
    line: Annotated[int, Field(ge=1, le=3)] = 1


class CategorySettings(_Section):
    listed: dict[int, str] = Field(default_factory=dict)
    corporate_words: list[str] = Field(default_factory=list)
    experienced_after: Annotated[int, Field(ge=1)] = 3
    routes: dict[str, CategoryRoute] = Field(default_factory=dict)


class AdminSettings(_Section):
    ids: list[int] = Field(default_factory=list)


def _both_languages() -> list[Lang]:
    return ["ru", "en"]


class LanguageSettings(_Section):
    supported: list[Lang] = Field(default_factory=lambda: _both_languages(), min_length=1)
    default: Lang = "en"

    @field_validator("default")
    @classmethod
    def _given_default_is_supported(cls, value: str, info: ValidationInfo) -> str:
        supported = info.data.get("supported")
        if supported is not None and value not in supported:
            raise ValueError(f"{value!r} must be one of supported {supported}")
        return value

    @model_validator(mode="after")
    def _default_is_supported(self) -> LanguageSettings:
        if self.default not in self.supported:
            raise ValueError(f"default {self.default!r} must be one of supported {self.supported}")
        return self


Score = Annotated[float, Field(ge=0.0, le=1.0)]


class MatchingSettings(_Section):
    answer_threshold: Score = 0.55
    clarify_threshold: Score = 0.30
    clarify_candidates: Annotated[int, Field(ge=2, le=3)] = 3
    misses_before_handoff: Annotated[int, Field(ge=1)] = 2
    # "use": the multilingual sentence encoder joins the n-gram scorer; "none": n-grams alone
    # (the default: see docs/matching.md, "Sentence encoder", for the measurements behind it)
    encoder: Literal["use", "none"] = "none"
    # where the trained matcher is kept between runs (see intents/matching/cache.py); unset:
    # $XDG_CACHE_HOME/supportbot (~/.cache/supportbot), in its subfolder matcher/
    cache_dir: Path | None = None
    # where the content's sentence vectors are kept between runs; unset: the user's cache folder
    embedding_cache_dir: Path | None = None

    @property
    def cache_root(self) -> Path:
        """``cache_dir``, or ``$XDG_CACHE_HOME/supportbot`` (~/.cache/supportbot)."""
        if self.cache_dir is not None:
            return self.cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "supportbot"

    @property
    def matcher_cache_dir(self) -> Path:
        """Where the trained n-gram matcher is stored: ``<cache_root>/matcher``."""
        return self.cache_root / "matcher"

    @property
    def embeddings_dir(self) -> Path:
        """``embedding_cache_dir``, or ``<cache_root>/embeddings``."""
        if self.embedding_cache_dir is not None:
            return self.embedding_cache_dir
        return self.cache_root / "embeddings"

    @model_validator(mode="after")
    def _ordered(self) -> MatchingSettings:
        if self.clarify_threshold > self.answer_threshold:
            raise ValueError("clarify_threshold must not be above answer_threshold")
        return self


class ContentSettings(_Section):
    intents_dir: Path = Path("intents/content")
    kb_dir: Path = Path("kb/articles")
    templates_dir: Path = Path("kb/templates")
    texts_dir: Path = Path("bot/texts")


class HoursSettings(_Section):
    timezone: str = "Europe/Moscow"
    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5], min_length=1
    )
    start: time = time(9, 0)
    end: time = time(21, 0)
    holidays: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA time zone name such as Europe/Moscow") from exc
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> HoursSettings:
        if self.start >= self.end:
            raise ValueError("start must be earlier than end")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class RedisSettings(_Section):
    """Shared state for several replicas behind one webhook; empty url = one process."""

    url: str = ""
    key_prefix: str = "supportbot:"
    # how long a replica that died (killed, its host gone) keeps the chats it was handling waiting
    lease_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                "expected a Redis URL such as redis://127.0.0.1:6379/0 (or rediss://, unix://), "
                "or leave it empty for one process"
            )
        return value


class LimitSettings(_Section):
    customer_messages_per_minute: Annotated[int, Field(ge=1)] = 20


class ReportSettings(_Section):
    prometheus_listen: str = ""  # host:port of the /metrics endpoint; empty: off
    digest_weekday: Annotated[int, Field(ge=0, le=7)] = 0  # 1..7 = Monday..Sunday; 0: off
    digest_time: time = time(9, 0)  # in [hours] timezone
    digest_days: Annotated[int, Field(ge=1, le=92)] = 7

    @field_validator("prometheus_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        _host, sep, port = value.rpartition(":")
        if value and (not sep or not port.isdigit() or not 0 < int(port) < 65536):
            raise ValueError("expected host:port such as 127.0.0.1:9108, or empty for off")
        return value


class Settings(_Section):
    """All settings, one typed section per TOML table."""

    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    operators: OperatorSettings = Field(default_factory=OperatorSettings)
    admins: AdminSettings = Field(default_factory=AdminSettings)
    languages: LanguageSettings = Field(default_factory=LanguageSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    content: ContentSettings = Field(default_factory=ContentSettings)
    hours: HoursSettings = Field(default_factory=HoursSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    categories: CategorySettings = Field(default_factory=CategorySettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)

    def resolve_paths(self, base: Path) -> Settings:
        """Return a copy with absolute paths: relative content folders set in the file and the
        SQLite file are anchored at ``base`` (the config file's folder); content folders left
        unset are the sample content shipped with the package, wherever it is installed."""
        given = self.content.model_fields_set
        content = self.content.model_copy(
            update={
                name: (
                    path if path.is_absolute() else (base if name in given else PACKAGE_ROOT) / path
                )
                for name, path in (
                    ("intents_dir", self.content.intents_dir),
                    ("kb_dir", self.content.kb_dir),
                    ("templates_dir", self.content.templates_dir),
                    ("texts_dir", self.content.texts_dir),
                )
            }
        )
        database = self.database
        prefix = "sqlite+aiosqlite:///"
        rest = database.url.removeprefix(prefix)
        if (
            database.url.startswith(prefix)
            and rest
            and rest != ":memory:"
            and not rest.startswith("/")
        ):
            database = database.model_copy(update={"url": prefix + str(base / rest)})
        matching = self.matching
        for key in ("cache_dir", "embedding_cache_dir"):
            cache = getattr(matching, key)
            if cache is not None and not cache.is_absolute():
                matching = matching.model_copy(update={key: base / cache})
        return self.model_copy(
            update={"content": content, "database": database, "matching": matching}
        )


def _describe(error: dict[str, object]) -> str:
    raw_loc = error.get("loc", ())
    parts = raw_loc if isinstance(raw_loc, tuple) else ()
    loc = [str(part) for part in parts if not str(part).startswith("function-")]
    if loc and loc[0] in Settings.model_fields and len(loc) > 1:
        key = f"[{loc[0]}] {'.'.join(loc[1:])}"
    else:
        key = ".".join(loc) or "(top level)"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "unknown key (check the spelling against config.example.toml)"
    elif "input" in error and error.get("type") != "missing":
        message = f"{message}, got {error['input']!r}"
    return f"{key}: {message}"


def parse_settings(data: dict[str, object], *, source: str = "config") -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{source}: {_describe(dict(first))}{suffix}") from exc


def load_settings(path: Path | None = None) -> Settings:
    """Load settings from ``path``, or ``$SUPPORTBOT_CONFIG``, or built-in defaults."""
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None:
        return Settings().resolve_paths(Path.cwd())
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_settings(data, source=str(path)).resolve_paths(path.resolve().parent)
