"""Real customers' messages on real aiogram against the emulator: the language stays the
customer's whatever numbers, links and names they send; follow-ups are small talk."""

from __future__ import annotations

from bot.demo.stack import LocalStack
from tests.e2e.helpers import ask, customer_of, open_ticket_of


async def test_a_russian_customer_stays_russian_after_a_number_and_a_product_name(
    stack: LocalStack,
) -> None:
    olga = stack.tg.add_user("Ольга", language_code="ru")
    [answer] = await ask(stack, olga, "где мой заказ")
    assert "Статус заказа" in answer.content
    [by_number] = await ask(stack, olga, "458812")  # the answer asked for the order number
    assert "Заказ 458812" in by_number.content
    [_] = await ask(stack, olga, "iPhone 15 Pro Max")
    [again] = await ask(stack, olga, "где мой заказ")
    assert "Статус заказа" in again.content
    assert (await customer_of(stack, olga)).language == "ru"


async def test_transliterated_russian_is_answered_in_russian(stack: LocalStack) -> None:
    dima = stack.tg.add_user("Dima", language_code="en")
    [answer] = await ask(stack, dima, "gde moi zakaz")
    assert "Статус заказа" in answer.content
    [cost] = await ask(stack, dima, "skolko stoit dostavka")
    assert "Доставка" in cost.content or "доставка" in cost.content


async def test_follow_ups_are_small_talk_and_question_mark_re_offers_the_options(
    stack: LocalStack,
) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    [answer] = await ask(stack, alice, "where is my order")
    assert "Delivery time" in answer.button_texts
    [ok] = await ask(stack, alice, "ok")
    assert ok.content == "👍 Anything else I can help with?"
    [thumb] = await ask(stack, alice, "👍")
    assert thumb.content == "👍 Anything else I can help with?"
    [again] = await ask(stack, alice, "?")
    assert again.content == "About «Order status», here is what I can offer:"
    assert "Delivery time" in again.button_texts
    [ok_again] = await ask(stack, alice, "ok")
    assert ok_again.content.startswith("👍")
    assert await open_ticket_of(stack, alice) is None  # no miss, no hand-off offer, no ticket
