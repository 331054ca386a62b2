"""An album is not lost while it is collected: each part is kept as pending work.

The parts of an album arrive as separate updates; the desk waits a moment for all of them
(:mod:`bot.core.desk.albums`) and relays them as one. Each part's own update is finished before
that, so each part is kept, as it arrives, as pending work of its own (``desk.album_part``). The
album is relayed in a handling whose work is its parts' (the calls are steps of the first part's)
and finished with it. If the process dies while collecting or relaying, the parts are resumed
one by one. A customer's part is relayed on its own unless a relay link shows its album went
out; an operator's part unless its album's handling recorded its update (that handling's own
pending work then relays the album: see ``OperatorDesk._operator_part``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import TypeAdapter

from bot.core.deps import Deps
from bot.core.events import MessageReceived
from bot.core.sender import Handling, Work, handling, stage

__all__ = ["ALBUM_PART", "AlbumPart", "AlbumParts", "album_part"]

ALBUM_PART = "desk.album_part"  # the kind of pending work a part being collected is kept as


@dataclass(frozen=True, slots=True)
class AlbumPart:
    ticket_id: int
    event: MessageReceived


_PART = TypeAdapter(AlbumPart)


class AlbumParts:
    """The parts this process keeps while their albums are collected."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._kept: dict[tuple[int, int], int] = {}  # (chat, message) → its pending work

    async def keep(self, ticket_id: int, event: MessageReceived) -> None:
        """Store the part as pending work (not carried: it stays until the album is relayed)."""
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            work = await stage(
                uow,
                ALBUM_PART,
                _PART.dump_json(AlbumPart(ticket_id, event)).decode(),
                chat_id=event.chat_id,
                thread_id=event.thread_id,  # the lane: a customer's chat, or the group's topic
                now=now,
            )
        self._kept[(event.chat_id, event.message_id)] = work.id

    @asynccontextmanager
    async def relaying(self, parts: Sequence[MessageReceived]) -> AsyncIterator[None]:
        """A handling of its own for relaying the album: its calls are steps of the first
        part's work, and the parts' work is finished when the block ends cleanly (it stays
        pending when it raises: the parts are resumed one by one). Parts kept by another
        replica are not known here: resumed later, they find the relay link and stop."""
        ids = [
            work_id
            for part in parts
            if (work_id := self._kept.pop((part.chat_id, part.message_id), None)) is not None
        ]
        scope = Handling()
        for work_id in reversed(ids):  # the first part's is carried last: the current one
            scope.carry(Work(work_id, ALBUM_PART))
        with handling(scope):
            yield
        scope.over = True
        await scope.finish(self._deps.uow)

    async def relayed(self, event: MessageReceived) -> bool:
        """The part was copied to the operators already (by its album, before a crash)."""
        async with self._deps.uow() as uow:
            return bool(await uow.relays.by_source(event.chat_id, event.message_id))


def album_part(payload: str) -> AlbumPart:
    return _PART.validate_json(payload)
