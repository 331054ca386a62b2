"""aiogram's Telegram types built when first used, not all of them at import.

aiogram declares its types with pydantic's ``defer_build`` and then, at the end of
``aiogram/types/__init__.py``, calls ``model_rebuild`` on every one of them (some 440), passing a
namespace of all the types to resolve their forward references. Each call builds that type's
whole schema again, the schemas of every type it refers to included: importing aiogram costs
about 2 s of CPU and 105 MB, most of the bot's start-up and memory, for types the bot mostly never
meets (stickers, games, payments, giveaways, business accounts...).

:func:`import_aiogram` imports aiogram with those calls held back, so each model is built the
first time it is used, which is what ``defer_build`` means. The namespace aiogram passes (its types,
which its modules import for type checkers only) is added to each of its type and method modules,
where pydantic looks for the names a model's annotations use, whatever builds the model first: its
first use, a method's ``Response[...]``, a ``TypeAdapter``, a model of ours. Measured (a fresh
interpreter, 2026-11-30): the import 0.45 s of CPU and 59 MB instead of 1.96 s and 165 MB; the
first ``Update`` read, which builds it and everything it refers to, 0.09 s and 3 MB. If aiogram is
already imported, nothing changes; if it makes calls of another shape than the one described,
they are made as it made them, after the import (aiogram as it is).
``tests/runtime/test_aiogram_lazy_models.py`` builds every type, method and method result so.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["import_aiogram"]

Rebuild = Callable[..., bool | None]
_NAME = re.compile(r"[A-Za-z_]\w*")  # the names in an annotation written as a string


def import_aiogram() -> None:
    """Import aiogram, its models left to build on first use (see the module's docstring)."""
    if "aiogram" in sys.modules:
        return
    import pydantic

    held: list[tuple[type[pydantic.BaseModel], dict[str, Any]]] = []
    original = pydantic.BaseModel.__dict__["model_rebuild"]
    rebuild: Rebuild = original.__func__

    def hold(cls: type[pydantic.BaseModel], /, **kwargs: Any) -> bool | None:
        if cls.__module__.startswith("aiogram.types."):
            held.append((cls, kwargs))
            return None
        if "_types_namespace" not in kwargs:  # one frame more than pydantic counts: this one
            kwargs["_parent_namespace_depth"] = kwargs.get("_parent_namespace_depth", 2) + 1
        return rebuild(cls, **kwargs)  # pydantic's own, for a generic method's parameters

    pydantic.BaseModel.model_rebuild = classmethod(hold)  # type: ignore[assignment,method-assign]
    try:
        import aiogram  # noqa: F401  (the types and methods: aiogram/__init__.py imports them)
    except BaseException:
        pydantic.BaseModel.model_rebuild = original  # type: ignore[method-assign]
        # the types imported so far stay in sys.modules and a second try will not import them
        # again: settle their calls now, or nothing would ever give them their names
        with contextlib.suppress(Exception):  # the import's own error is the one to report
            _settle(held)
        raise
    pydantic.BaseModel.model_rebuild = original  # type: ignore[method-assign]
    _settle(held)


def _settle(held: list[tuple[type[Any], dict[str, Any]]]) -> None:
    """The held calls' effect: the names added where the models look for them, or, for calls
    of another shape than aiogram's known one, the calls made as aiogram made them."""
    if not held:
        return
    base = sys.modules.get("aiogram.types.base")  # imported before any type could be held
    telegram_object = getattr(base, "TelegramObject", None)
    namespaces = {id(kwargs.get("_types_namespace")): kwargs for _, kwargs in held}
    namespace = next(iter(namespaces.values())).get("_types_namespace")
    if not (
        len(namespaces) == 1
        and isinstance(namespace, dict)
        and isinstance(telegram_object, type)
        and all(issubclass(cls, telegram_object) for cls, _ in held)
    ):
        for cls, kwargs in held:  # not the calls this module knows: make them as aiogram did
            cls.model_rebuild(**kwargs)
        return
    _resolvable_everywhere(namespace)


def _resolvable_everywhere(namespace: dict[str, Any]) -> None:
    """The names aiogram passes, added to each of its type and method modules whose models'
    annotations (their own or inherited) use them, where the module has no such name of its own:
    the names it imports for type checkers only. pydantic reads a model's annotations in its
    module's namespace, whatever builds it first: the model's first use, a method's
    ``Response[...]``, a ``TypeAdapter``, a model of ours with an aiogram type in a field. (Each
    module gets only what it uses: all 450 names in each of 900 modules would hold 14 MB. The
    two replies aiogram parametrizes at import, ``Response[Message]`` and
    ``Response[Union[Message, bool]]``, now resolve there and are built at once: about 6 MB, which
    the first message sent would build anyway.)"""
    for name, module in list(sys.modules.items()):
        if not name.startswith(("aiogram.types.", "aiogram.methods.")) or module is None:
            continue
        own = module.__dict__
        used: set[str] = set()
        for value in list(own.values()):
            if isinstance(value, type) and value.__module__ == name:
                for klass in value.__mro__:  # inherited fields are read here too
                    for annotation in vars(klass).get("__annotations__", {}).values():
                        if isinstance(annotation, str):
                            used.update(_NAME.findall(annotation))
        for key in used:
            if key in namespace and key not in own:
                own[key] = namespace[key]
