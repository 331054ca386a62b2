"""UI texts per language, loaded from editable TOML files (``bot/texts/en.toml``, ``ru.toml``)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Texts", "TextsError"]


class TextsError(Exception):
    """The UI text files are missing, malformed or out of step with each other."""


@dataclass(frozen=True)
class Texts:
    by_lang: Mapping[str, Mapping[str, str]]
    default: str

    @classmethod
    def load(cls, folder: Path, languages: Sequence[str], default: str) -> Texts:
        loaded: dict[str, dict[str, str]] = {}
        for lang in languages:
            path = folder / f"{lang}.toml"
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise TextsError(f"{path}: cannot read UI texts ({exc.strerror})") from exc
            except tomllib.TOMLDecodeError as exc:
                raise TextsError(f"{path}: not valid TOML: {exc}") from exc
            bad = [key for key, value in data.items() if not isinstance(value, str)]
            if bad:
                raise TextsError(f"{path}: {bad[0]} must be a string")
            loaded[lang] = data
        reference = set(loaded[default])
        for lang, data in loaded.items():
            missing = sorted(reference - set(data))
            if missing:
                raise TextsError(
                    f"{folder / (lang + '.toml')}: missing keys {', '.join(missing)} "
                    f"(copy them from {default}.toml and translate)"
                )
        return cls(by_lang=loaded, default=default)

    def __call__(self, lang: str, key: str, **params: object) -> str:
        table = self.by_lang.get(lang) or self.by_lang[self.default]
        template = table.get(key) or self.by_lang[self.default][key]
        return template.format(**params) if params else template
