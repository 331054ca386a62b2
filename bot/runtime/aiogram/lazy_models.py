"""aiogram's Telegram types built when first used, not all of them at import.

aiogram declares its types with pydantic's ``defer_build`` and then, at the end of
``aiogram/types/__init__.py``, calls ``model_rebuild`` on every one of them (some 440), passing a
namespace of all the types to resolve their forward references. Each call builds that type's
whole schema again, the schemas of every type it refers to included: importing aiogram costs
about 2 s of CPU and 105 MB, most of the bot's start-up and memory, for types the bot mostly never
meets (stickers, games, payments, giveaways, business accounts...).

:func:`import_aiogram` imports aiogram with those calls held back, and lets pydantic build each
model the first time it is used, which is what ``defer_build`` means; the types' and the methods'
``model_rebuild`` (and that of ``Response``, which a method's result is read with) then add the
namespace aiogram passes, so the forward references resolve as they
did. Measured (a fresh interpreter, 2026-11-30): the import 0.45 s of CPU and 59 MB instead of
1.96 s and 165 MB; the first ``Update`` read, which builds it and everything it refers to, 0.09 s
and 3 MB. If aiogram is already imported, nothing changes; if it makes calls of another shape
than the one described, they are made as it made them, after the import (aiogram as it is).
``tests/runtime/test_aiogram_lazy_models.py`` builds every type and method this way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["import_aiogram"]

Rebuild = Callable[..., bool | None]


def import_aiogram() -> None:
    """Import aiogram, its models left to build on first use (see the module's docstring)."""
    if "aiogram" in sys.modules:
        return
    import pydantic

    held: list[tuple[type[pydantic.BaseModel], dict[str, Any]]] = []
    original = pydantic.BaseModel.__dict__["model_rebuild"]
    rebuild: Rebuild = original.__func__

    def hold(cls: type[pydantic.BaseModel], /, **kwargs: Any) -> bool | None:
        if not cls.__module__.startswith("aiogram.types."):
            return rebuild(cls, **kwargs)  # pydantic's own, for a generic method's parameters
        held.append((cls, kwargs))
        return None

    pydantic.BaseModel.model_rebuild = classmethod(hold)  # type: ignore[assignment,method-assign]
    try:
        import aiogram  # noqa: F401  (the types and methods: aiogram/__init__.py imports them)
    finally:
        pydantic.BaseModel.model_rebuild = original  # type: ignore[method-assign]
    from aiogram.client.context_controller import BotContextController
    from aiogram.methods.base import Response
    from aiogram.types.base import TelegramObject

    namespaces = {id(kwargs.get("_types_namespace")): kwargs for _, kwargs in held}
    namespace = next(iter(namespaces.values())).get("_types_namespace") if held else None
    if not (
        len(namespaces) == 1
        and isinstance(namespace, dict)
        and all(issubclass(cls, TelegramObject) for cls, _ in held)
    ):
        for cls, kwargs in held:  # not the calls this module knows: make them as aiogram did
            cls.model_rebuild(**kwargs)
        return
    # the types and methods (their common base), and the generic reply a method's result is
    # read with (``Response[Message]``)
    for base in (BotContextController, Response):
        base.model_rebuild = _with_namespace(rebuild, namespace)  # type: ignore[method-assign]


def _with_namespace(rebuild: Rebuild, namespace: dict[str, Any]) -> Any:
    """``model_rebuild`` that resolves forward references in ``namespace`` unless given one; what
    pydantic calls when a deferred model is first used."""

    def model_rebuild(cls: type[Any], /, **kwargs: Any) -> bool | None:
        kwargs.setdefault("_types_namespace", namespace)
        return rebuild(cls, **kwargs)

    return classmethod(model_rebuild)
