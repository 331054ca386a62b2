"""A customer's update arriving, in two PostgreSQL statements (``UnitOfWork.arrive``).

Every customer message and button press begins with four steps: record the update id (a
redelivery stops there), upsert the customer, continue their conversation, read their newest
ticket. On PostgreSQL each statement is a network round trip, which costs the bot more CPU than
the statement itself (the socket write is most of a short statement's time), so the four go as
two statements of common table expressions:

1. the update id recorded and the customer upserted, the upsert reading the record through its
   ``RETURNING`` (a redelivery returns no row, and nothing is written);
2. the conversation continued and the newest ticket read.

Not one: a statement reads from one snapshot, taken before it waits for the customer's row. If
another transaction holds that row (the same customer's update on another replica, its lane's
lease lost), the upsert waits for it to commit and then sees its row, but a conversation or ticket
read in the same statement would not see what that transaction wrote: the second statement's
snapshot is taken after the wait, as each of the four steps' would be, so it sees them.

The steps are the repositories' own statements (:mod:`.feedback`, :mod:`.customers`,
:mod:`.tickets`), so the paths cannot drift apart; tests run both on the same cases. A customer
with no current conversation (new, or silent for longer than the idle gap) gets one from a third
statement, as ``ConversationRepository.current`` does. SQLite runs the steps one by one
(:func:`handoff.arrivals.arrive_step_by_step`): in process, a statement costs no round trip.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    bindparam,
    exists,
    false,
    literal,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert

from handoff import REDELIVERY_WINDOW, Arrival, Arriving
from storage.repositories._common import first_row, table_of
from storage.repositories.customers import (
    _continue_conversation,
    _conversation,
    _customer,
    refreshing,
    start_conversation,
)
from storage.repositories.feedback import recording
from storage.repositories.tickets import _ticket
from storage.tables import CustomerRow, ProcessedUpdateRow, TicketRow

__all__ = ["arrive_in_two_statements"]

_CONVERSATION, _TICKET = "conversation__", "ticket__"


class _Prefixed:
    """The columns of one table in a joined row, under their own names (``row.id``)."""

    __slots__ = ("_prefix", "_row")

    def __init__(self, row: Row[Any], prefix: str) -> None:
        self._row = row._mapping
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        try:
            return self._row[self._prefix + name]
        except KeyError:
            raise AttributeError(name) from None


@cache
def _customer_arrives() -> ReturningInsert[Any]:
    """The update id recorded, then (only if it was new) the customer upserted: their row."""
    from sqlalchemy.dialects.postgresql import insert

    updates = table_of(ProcessedUpdateRow)
    record = insert(updates).values(
        update_id=bindparam("update_id", type_=updates.c.update_id.type),
        processed_at=bindparam("processed_at", type_=updates.c.processed_at.type),
    )
    seen = recording(record).returning(updates.c.update_id).cte("seen")
    customers = table_of(CustomerRow)
    fixed = {"language_chosen": false(), "blocked": false()}  # as a new customer starts
    names = [column.name for column in customers.c if column.name != "id"]
    values = select(
        *(fixed.get(name, bindparam(name, type_=customers.c[name].type)) for name in names)
    )
    # a redelivered update's id is not returned: then no customer row is written, none returned
    new_row = insert(customers).from_select(names, values.where(exists(select(seen.c.update_id))))
    return refreshing(new_row)


@cache
def _conversation_and_ticket() -> Select[Any]:
    """The customer's conversation continued (if not idle) and their newest ticket: one row."""
    conversation = _continue_conversation().cte("conversation")
    tickets = table_of(TicketRow)
    newest = (
        select(*tickets.c)
        .where(tickets.c.customer_id == bindparam("of_customer"))
        .order_by(tickets.c.id.desc())  # newest: as tickets._newest_of_customer
        .limit(1)
        .subquery("newest")
    )
    one = select(literal(1).label("one")).subquery("one")  # a row, whatever else is missing
    columns: list[ColumnElement[Any]] = [
        *(column.label(_CONVERSATION + column.name) for column in conversation.c),
        *(column.label(_TICKET + column.name) for column in newest.c),
    ]
    return select(*columns).select_from(
        one.outerjoin(conversation, true()).outerjoin(newest, true())
    )


async def arrive_in_two_statements(
    connection: AsyncConnection, arriving: Arriving
) -> Arrival | None:
    now = arriving.now
    found = await first_row(
        connection,
        _customer_arrives(),
        {
            # the update id (feedback.recording)
            "update_id": arriving.update_id,
            "processed_at": now,
            "cutoff": now - REDELIVERY_WINDOW,
            # the customer (customers.refreshing)
            "telegram_id": arriving.telegram_id,
            "chat_id": arriving.chat_id,
            "name": arriving.name,
            "username": arriving.username,
            "language": arriving.language,
            "created_at": now,
            "state": {},
        },
    )
    if found is None:
        return None  # a redelivery: the update id was recorded within the window
    customer = _customer(found)
    params = {
        "of_customer": customer.id,
        "now": now,
        "cutoff": now - timedelta(seconds=arriving.idle_after_s),
    }
    row = await first_row(connection, _conversation_and_ticket(), params)
    assert row is not None  # one row, whatever the joins find
    if row._mapping[_CONVERSATION + "id"] is not None:
        conversation = _conversation(_Prefixed(row, _CONVERSATION))  # type: ignore[arg-type]
    else:
        conversation = await start_conversation(connection, customer.id, now)
    ticket = None
    if row._mapping[_TICKET + "id"] is not None:
        ticket = _ticket(_Prefixed(row, _TICKET))  # type: ignore[arg-type]
    return Arrival(customer, conversation, ticket)
