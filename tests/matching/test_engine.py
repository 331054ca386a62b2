from __future__ import annotations

import pytest

from intents import Content, Engine, Thresholds, detect_language


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("где мой заказ?", "ru", "order_status"),
        ("Where's my package", "en", "order_status"),
        ("как можно оплатить", "ru", "payment_methods"),
        ("hello!", "en", "greeting"),
        ("спасибо большое", "ru", "thanks"),
    ],
)
def test_answers_in_scope(engine: Engine, text: str, lang: str, intent: str) -> None:
    decision = engine.decide(text)
    assert (decision.lang, decision.action, decision.intent_id) == (lang, "answer", intent)
    assert decision.score >= engine.thresholds.answer
    assert decision.candidates[0].id == intent
    assert decision.candidates[0].kind == "intent"


def test_typo_still_matches(engine: Engine) -> None:
    decision = engine.decide("гдее мой заказз")
    assert decision.action not in ("handoff", "unknown")
    assert decision.candidates[0].id == "order_status"


def test_human_request_always_wins(engine: Engine) -> None:
    decision = engine.decide("где мой заказ, позовите оператора")
    assert decision.action == "handoff"
    assert decision.intent_id == "human_request"


def test_always_handoff_intent_hands_off_with_intent(engine: Engine) -> None:
    decision = engine.decide("верните деньги за товар")
    assert decision.action == "handoff"
    assert decision.intent is not None
    assert decision.intent.priority == "urgent"


@pytest.mark.parametrize("text", ["asdkj qweoiu zmxn", "ыволаф джлывао", "", "???"])
def test_gibberish_is_not_answered(engine: Engine, text: str) -> None:
    decision = engine.decide(text)
    assert decision.action != "answer"
    if decision.action == "unknown":  # nothing matched: no intent to answer or to hand off with
        assert (decision.intent, decision.article) == (None, None)


def test_nothing_matched_is_unknown_not_a_handoff(content: Content) -> None:
    strict = Engine.build(content, Thresholds(answer=0.999, clarify=0.999))
    for text in ["asdkj qweoiu zmxn", "ыволаф джлывао", "", "???", "где мой заказ"]:
        decision = strict.decide(text)
        assert (decision.action, decision.intent, decision.article) == ("unknown", None, None)


def test_clarify_offers_candidates_without_system_intents(content: Content) -> None:
    strict = Engine.build(content, Thresholds(answer=0.999, clarify=0.05, clarify_candidates=2))
    decision = strict.decide("заказ оплата")
    assert decision.action == "clarify"
    assert 1 <= len(decision.options) <= 2
    assert {o.id for o in decision.options} <= {
        "order_status",
        "payment_methods",
        "refund",
        "tracking",
    }
    assert decision.intent is None


def test_explicit_language_overrides_detection(engine: Engine) -> None:
    assert engine.decide("order status", lang="ru").lang == "ru"


def test_scores_are_probabilities(engine: Engine) -> None:
    decision = engine.decide("payment methods")
    assert all(0.0 <= c.score <= 1.0 for c in decision.candidates)
    assert list(decision.candidates) == sorted(decision.candidates, key=lambda c: -c.score)


def test_answer_rendering(engine: Engine) -> None:
    answer = engine.answer("order_status", "ru")
    assert "личном кабинете" in answer.text
    assert [b.title for b in answer.buttons] == ["Возврат", "Мои заказы"]
    assert answer.buttons[0].intent == "refund"
    assert answer.buttons[1].url is not None
    assert [(a.id, a.title) for a in answer.articles] == [("tracking", "Как отследить посылку")]
    html = engine.article_html("tracking", "en")
    assert html is not None
    assert "Read the full article" in html
    assert engine.article_html("missing", "en") is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Привет", "ru"),
        ("hello", "en"),
        ("где мой iPhone 15 Pro", "ru"),
        ("12345", "en"),
        ("order №5 не пришёл", "ru"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_falls_back_to_default() -> None:
    assert detect_language("👍 123", default="ru") == "ru"


def test_detection_returns_only_configured_languages() -> None:
    assert detect_language("где мой заказ", "en", ("en",)) == "en"  # no Cyrillic language
    assert detect_language("where is my order", "ru", ("ru",)) == "ru"
    assert detect_language("wo ist meine bestellung", "de", ("ru", "en", "de")) == "de"
    assert detect_language("wo ist meine bestellung", "en", ("ru", "en", "de")) == "en"
    assert detect_language("where is my order", "ru", ("ru", "de", "en")) == "de"  # first Latin
    assert detect_language("де моє замовлення", "en", ("en", "uk")) == "uk"


def test_a_language_the_content_lacks_is_the_default(engine: Engine) -> None:
    assert engine.decide("где мой заказ", "de").lang == engine.default_lang == "en"
