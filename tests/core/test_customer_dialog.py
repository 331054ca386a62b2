"""The customer's conversation, driven through the core with plain events (no Telegram)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, EditKeyboard, SendText
from bot.core.deps import CoreConfig
from bot.core.events import ButtonPressed, Media, MembershipChanged, MessageReceived, Person
from handoff.model import Direction, Priority, TicketStatus
from tests.core.fakes import ScriptedBrain, World, make_world

CHAT = 501
GROUP = -100500
ALICE = Person(telegram_id=CHAT, name="Alice <script>", username="alice", language_code="en")
_ids = itertools.count(1)


def say(world: World, text: str | None = None, *, media: Media | None = None, who: Person = ALICE):
    n = next(_ids)
    return world.core.handle(
        MessageReceived(
            update_id=n,
            chat_id=who.telegram_id,
            private=True,
            sender=who,
            message_id=n,
            date=world.clock.now(),
            text=text,
            media=media,
        )
    )


def press(world: World, data: str, *, message_id: int = 1, who: Person = ALICE):
    n = next(_ids)
    return world.core.handle(
        ButtonPressed(
            update_id=n,
            callback_id=f"q{n}",
            chat_id=who.telegram_id,
            private=True,
            sender=who,
            message_id=message_id,
            data=data,
            date=world.clock.now(),
        )
    )


def buttons(action: SendText) -> list[str]:
    return [b.data or b.url or "" for row in action.keyboard for b in row]


async def open_ticket(world: World):
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(CHAT)
        assert customer is not None
        return await uow.tickets.open_for_customer(customer.id)


@pytest.fixture
def world() -> World:
    brain = ScriptedBrain(
        rules={
            "where is my order": ("answer", "order_status", 0.9, ()),
            "i was charged twice": ("handoff", "double_charge", 0.9, ()),
            "the app crashes": ("answer", "app_bug", 0.9, ()),
            "delivery?": ("clarify", None, 0.4, ("delivery_time", "order_status")),
            "operator please": ("handoff", "human_request", 0.95, ()),
        }
    )
    return make_world(brain=brain)


async def test_start_greets_by_name_escaped_and_shows_popular_topics(world: World) -> None:
    await say(world, "/start")
    reply = world.outbox.last_to(CHAT)
    assert "Alice &lt;script&gt;" not in reply.text  # only the first name is used…
    assert "Alice" in reply.text
    assert cb.encode(cb.ShowIntent("order_status")) in buttons(reply)
    assert await open_ticket(world) is None  # a bare /start never opens a ticket


async def test_answer_comes_with_feedback_and_person_buttons(world: World) -> None:
    await say(world, "where is my order")
    reply = world.outbox.last_to(CHAT)
    assert reply.text == "Your order is <b>on its way</b>."
    data = buttons(reply)
    assert any(d.startswith("f:") and d.endswith(":1") for d in data)
    assert any(d.startswith("f:") and d.endswith(":0") for d in data)
    assert cb.encode(cb.Person()) in data
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(CHAT)
        assert customer is not None
        conversation = await uow.conversations.current(
            customer.id, now=world.clock.now(), idle_after_s=3600
        )
        stored = await uow.messages.for_conversation(conversation.id)
    assert [m.direction for m in stored] == [Direction.CUSTOMER, Direction.BOT]
    assert stored[1].telegram_message_id is not None


async def test_helped_marks_the_conversation_resolved_by_the_bot(world: World) -> None:
    await say(world, "where is my order")
    feedback = next(d for d in buttons(world.outbox.last_to(CHAT)) if d.endswith(":1"))
    await press(world, feedback, message_id=7)
    assert EditKeyboard(CHAT, 7, ()) in world.outbox.actions  # the feedback row is removed
    assert "Glad I could help" in world.outbox.last_to(CHAT).text
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(CHAT)
        assert customer is not None
        conversation = await uow.conversations.current(
            customer.id, now=world.clock.now(), idle_after_s=3600
        )
    assert conversation.resolved_by_bot
    assert await open_ticket(world) is None


async def test_didnt_help_offers_a_person(world: World) -> None:
    await say(world, "where is my order")
    feedback = next(d for d in buttons(world.outbox.last_to(CHAT)) if d.endswith(":0"))
    await press(world, feedback)
    reply = world.outbox.last_to(CHAT)
    assert "didn't help" in reply.text
    assert cb.encode(cb.Person()) in buttons(reply)
    assert await open_ticket(world) is None


async def test_didnt_help_on_a_second_line_intent_hands_off_to_line_two(world: World) -> None:
    await say(world, "the app crashes")
    feedback = next(d for d in buttons(world.outbox.last_to(CHAT)) if d.endswith(":0"))
    await press(world, feedback)
    ticket = await open_ticket(world)
    assert ticket is not None
    assert ticket.line == 2
    assert ticket.intent == "app_bug"


async def test_clarify_offers_candidates_and_a_choice_answers(world: World) -> None:
    await say(world, "delivery?")
    reply = world.outbox.last_to(CHAT)
    assert reply.text.startswith("I'm not sure")
    assert buttons(reply) == [
        cb.encode(cb.ShowIntent("delivery_time")),
        cb.encode(cb.ShowIntent("order_status")),
        cb.encode(cb.Person()),
    ]
    await press(world, cb.encode(cb.ShowIntent("order_status")))
    assert world.outbox.last_to(CHAT).text == "Your order is <b>on its way</b>."


async def test_two_misses_offer_a_person_and_a_third_hands_off(world: World) -> None:
    await say(world, "asdfgh")
    assert "didn't understand" in world.outbox.last_to(CHAT).text
    await say(world, "qwerty")
    offer = world.outbox.last_to(CHAT)
    assert "talk to a person" in offer.text
    assert cb.encode(cb.Person()) in buttons(offer)
    assert await open_ticket(world) is None
    await say(world, "zxcvb")
    ticket = await open_ticket(world)
    assert ticket is not None
    assert ticket.status is TicketStatus.WAITING


async def test_a_good_answer_resets_the_misses(world: World) -> None:
    await say(world, "asdfgh")
    await say(world, "where is my order")
    await say(world, "qwerty")
    assert "didn't understand" in world.outbox.last_to(CHAT).text


async def test_asking_for_a_person_hands_off_at_once_with_the_queue_position(
    world: World,
) -> None:
    await say(world, "operator please")
    reply = world.outbox.last_to(CHAT)
    ticket = await open_ticket(world)
    assert ticket is not None
    assert f"#{ticket.id}" in reply.text
    assert "number 1 in the queue" in reply.text


@pytest.mark.parametrize("how", ["command", "button"])
async def test_operator_command_and_button_hand_off(world: World, how: str) -> None:
    if how == "command":
        await say(world, "/operator")
    else:
        await press(world, cb.encode(cb.Person()))
    assert await open_ticket(world) is not None


async def test_an_always_handoff_intent_answers_then_opens_a_high_priority_ticket(
    world: World,
) -> None:
    await say(world, "i was charged twice")
    texts = world.outbox.texts_to(CHAT)
    assert texts[-2] == "Answer about double_charge."
    ticket = await open_ticket(world)
    assert ticket is not None
    assert ticket.priority is Priority.HIGH
    assert ticket.intent == "double_charge"


async def test_asking_twice_keeps_one_ticket(world: World) -> None:
    await say(world, "/operator")
    first = await open_ticket(world)
    await say(world, "/operator")
    assert await open_ticket(world) == first
    assert "already with our operators" in world.outbox.last_to(CHAT).text


async def test_a_redelivered_update_changes_nothing(world: World) -> None:
    event = MessageReceived(
        update_id=999_001,
        chat_id=CHAT,
        private=True,
        sender=ALICE,
        message_id=5,
        date=world.clock.now(),
        text="where is my order",
    )
    await world.core.handle(event)
    await world.core.handle(event)
    assert len(world.outbox.texts_to(CHAT)) == 1


async def test_media_is_acknowledged_with_a_way_to_a_person(world: World) -> None:
    await say(world, None, media=Media(kind="photo", file_id="F1"))
    reply = world.outbox.last_to(CHAT)
    assert "photo" in reply.text
    assert cb.encode(cb.Person()) in buttons(reply)


async def test_a_blocked_customer_is_marked_unreachable(world: World) -> None:
    world.outbox.blocked.add(CHAT)
    await say(world, "where is my order")
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(CHAT)
    assert customer is not None
    assert customer.blocked


async def test_blocking_and_restarting_the_bot_is_recorded(world: World) -> None:
    await say(world, "hi")
    for blocked in (True, False):
        await world.core.handle(
            MembershipChanged(
                update_id=next(_ids),
                chat_id=CHAT,
                sender=ALICE,
                blocked=blocked,
                date=world.clock.now(),
            )
        )
        async with world.store.unit_of_work() as uow:
            customer = await uow.customers.get_by_telegram_id(CHAT)
        assert customer is not None
        assert customer.blocked is blocked


async def test_cancel_withdraws_the_request(world: World) -> None:
    await say(world, "/cancel")
    assert "no open request" in world.outbox.last_to(CHAT).text
    await say(world, "/operator")
    ticket = await open_ticket(world)
    assert ticket is not None
    await say(world, "/cancel")
    assert await open_ticket(world) is None
    assert f"#{ticket.id} is withdrawn" in world.outbox.last_to(CHAT).text


async def test_off_hours_say_when_operators_return(world: World) -> None:
    world.clock.set(world.clock.now() + timedelta(hours=10))  # 22:00 in Moscow
    await say(world, "/operator")
    reply = world.outbox.last_to(CHAT)
    assert "tomorrow at 09:00" in reply.text


async def test_language_follows_the_message_until_the_customer_chooses(world: World) -> None:
    await say(world, "где мой заказ")
    assert world.outbox.last_to(CHAT).text.startswith("Извините")
    await press(world, cb.encode(cb.Language("en")))
    assert world.outbox.last_to(CHAT).text == "Done, I'll speak English."
    await say(world, "где мой заказ")
    assert world.outbox.last_to(CHAT).text.startswith("I can't find")


async def test_a_flood_is_throttled_with_one_notice_and_nothing_is_lost() -> None:
    world = make_world(config=CoreConfig(messages_per_minute=3, operator_group_id=GROUP))
    for n in range(6):
        await say(world, f"/help {n}")
    texts = world.outbox.texts_to(CHAT)
    assert texts[3].startswith("You're writing very fast. I've saved your messages")
    assert len(texts) == 4  # three answers, one notice, then silence
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(CHAT)
        assert customer is not None
        conversation = await uow.conversations.current(
            customer.id, now=world.clock.now(), idle_after_s=3600
        )
        stored = await uow.messages.for_conversation(conversation.id)
    assert sum(m.direction is Direction.CUSTOMER for m in stored) == 6


async def test_without_an_operator_group_the_customer_is_not_promised_a_queue() -> None:
    world = make_world(config=CoreConfig(operator_group_id=0))
    await say(world, "/operator")
    assert "a person will answer here" in world.outbox.last_to(CHAT).text
    assert "queue" not in world.outbox.last_to(CHAT).text


async def test_feedback_for_another_customers_or_a_missing_decision_is_refused(
    world: World,
) -> None:
    bob = Person(telegram_id=777, name="Bob", language_code="en")
    await say(world, "where is my order", who=bob)
    bobs = next(d for d in buttons(world.outbox.last_to(777)) if d.endswith(":1"))
    world.outbox.actions.clear()
    for data in (bobs, cb.encode(cb.Feedback(424242, True))):
        await press(world, data)  # Alice presses Bob's button (forged), then a made-up one
        answer = world.outbox.actions[-1]
        assert answer == AnswerButton(answer.callback_id, "This button is out of date.")  # type: ignore[union-attr]
    assert all(d.helped is None for d in world.store.decisions.values())
    assert world.outbox.texts_to(CHAT) == []
