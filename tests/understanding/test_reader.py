"""The reader in front of a scripted matcher: language evidence, stickiness, slots, typos and
follow-ups decide what the matcher sees and in which language the customer is answered."""

from __future__ import annotations

from intents.matching.results import Candidate, Decision
from intents.model import Content, Intent
from intents.understanding import Context, Reader
from intents.understanding.language import read_words
from intents.understanding.lexicon import Lexicon
from intents.understanding.transliterate import to_cyrillic

EXAMPLES = {
    "order_status": {
        "ru": ("где мой заказ", "статус заказа", "привет где заказ"),
        "en": ("where is my order", "order status", "when will my order arrive"),
    },
    "greeting": {"ru": ("привет", "здравствуйте"), "en": ("hello", "hi")},
    "thanks": {"ru": ("спасибо",), "en": ("thanks",)},
    "product_availability": {"ru": ("есть ли iphone",), "en": ("is the iphone in stock",)},
}


def _intent(intent_id: str) -> Intent:
    return Intent(
        id=intent_id,
        title={"ru": intent_id, "en": intent_id},
        examples=EXAMPLES[intent_id],  # type: ignore[arg-type]
        answer={"ru": "ответ", "en": "answer"},
    )


CONTENT = Content(intents={i: _intent(i) for i in EXAMPLES}, articles={})


class Matcher:
    """Answers an example (in its own language) with score 1, anything else with 0."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, text: str, lang: str) -> Decision:
        self.seen.append((text, lang))
        for intent in CONTENT.intents.values():
            if text.lower().strip(" ?!") in intent.examples.get(lang, ()):  # type: ignore[call-overload]
                candidate = (Candidate(intent.id, 1.0, "intent"),)
                return Decision(text, lang, "answer", intent, None, 1.0, candidate)  # type: ignore[arg-type]
        return Decision(text, lang, "unknown", None, None, 0.0, ())  # type: ignore[arg-type]


def reader() -> tuple[Reader, Matcher]:
    matcher = Matcher()
    return Reader(CONTENT, matcher, "en"), matcher


def test_numbers_emails_names_and_emoji_carry_no_evidence() -> None:
    lexicons = reader()[0].lexicons
    for text in ("458812", "ivan@mail.ru", "iPhone 15 Pro Max", "👍", "?", "hello"):
        assert read_words(text, lexicons).evidence().get("en", 0) < 1.5, text


def test_a_russian_customer_stays_russian_without_clear_evidence() -> None:
    r, _ = reader()
    for text in ("458812", "iPhone 15 Pro Max", "ivan@mail.ru", "hello"):
        understood = r.understand(text, Context("ru"))
        assert (understood.language, understood.switched) == ("ru", False), text


def test_a_clear_switch_is_followed_unless_the_language_was_chosen() -> None:
    r, _ = reader()
    understood = r.understand("where is my order", Context("ru"))
    assert (understood.language, understood.switched) == ("en", True)
    assert understood.decision.intent_id == "order_status"
    chosen = r.understand("where is my order", Context("ru", language_chosen=True))
    assert (chosen.language, chosen.switched) == ("ru", False)
    assert chosen.decision.intent_id == "order_status"  # still matched in English


def test_transliteration_and_layout_are_read_as_russian() -> None:
    r, matcher = reader()
    understood = r.understand("gde moi zakaz", Context("en"))
    assert understood.language == "ru"
    assert "transliteration" in understood.via
    understood = r.understand("ghbdtn", Context("ru"))
    assert understood.decision.intent_id == "greeting"
    assert "layout" in understood.via
    assert ("привет", "ru") in matcher.seen


def test_a_word_known_both_as_typed_and_as_transliterated_russian_is_no_evidence() -> None:
    lexicons = {
        "en": Lexicon.build("en", ["delivery to omsk", "is it available"]),
        "ru": Lexicon.build("ru", ["доставка в омск", "есть в наличии"]),
    }
    # "omsk" is an English content word and "омск" a Russian one: it tells neither language,
    # so the transliterated "dostavka" decides and the whole message is read as Russian
    reading = read_words("dostavka v omsk est?", lexicons)
    assert reading.evidence() == {"ru": 1.0}
    assert reading.text_for("ru") == "доставка в омск ест"


def test_a_transliterated_message_keeps_the_latin_words_its_language_writes_in_latin() -> None:
    lexicons = {
        "en": Lexicon.build("en", ["is the iphone in stock"]),
        "ru": Lexicon.build("ru", ["есть ли iphone", "когда поступит черный"]),
    }
    reading = read_words("ischu iphone chernyj kogda postupit s", lexicons)
    # "iphone" is how the Russian content writes it; "ischu" and the one-letter "s" are read
    # as Russian with the rest
    assert reading.text_for("ru") == "ищу iphone черный когда поступит с"


def test_the_reflexive_ending_is_transliterated_whole() -> None:
    assert to_cyrillic("otkryvaetsya") == "открывается"
    assert to_cyrillic("gruzitsja") == "грузится"
    assert to_cyrillic("tsena") == "цена"


def test_layout_keys_that_give_punctuation_are_read_as_russian_letters() -> None:
    r, matcher = reader()
    # "б" is the comma key: "cgfcb,j" is "спасибо" typed with the English layout on
    understood = r.understand("cgfcb,j", Context("ru"))
    assert understood.decision.intent_id == "thanks"
    assert ("спасибо", "ru") in matcher.seen
    plain = read_words("hello, e.g. this", r.lexicons)  # ordinary punctuation stays punctuation
    assert plain.text_for("en") == "hello e g this"


def test_slots_are_kept_and_taken_out_of_what_is_matched() -> None:
    r, matcher = reader()
    understood = r.understand("где мой заказ 458812?", Context("ru"))
    assert understood.decision.intent_id == "order_status"
    assert understood.values == {"order_id": "458812"}
    assert all("458812" not in text for text, _ in matcher.seen)


def test_a_typo_correction_is_kept_only_when_it_raises_the_match() -> None:
    r, _matcher = reader()
    understood = r.understand("wher is my oder", Context("en"))
    assert understood.decision.intent_id == "order_status"
    assert "typos" in understood.via
    untouched = r.understand("hello", Context("en"))
    assert "typos" not in untouched.via


def test_a_mixed_message_is_matched_in_each_language() -> None:
    r, matcher = reader()
    r.understand("заказ where", Context("ru"))
    assert {lang for _, lang in matcher.seen} == {"ru", "en"}


def test_a_bare_order_number_answers_the_question_that_asked_for_it() -> None:
    r, _ = reader()
    understood = r.understand("458812", Context("ru", awaiting_order_for="order_status"))
    assert understood.decision.intent_id == "order_status"
    assert understood.values == {"order_id": "458812"}
    assert r.understand("458812", Context("ru")).decision.intent_id is None


def test_follow_ups() -> None:
    r, _ = reader()
    assert r.understand("ok", Context("en", last_intent="order_status")).follow_up == "ack"
    assert r.understand("?", Context("en", last_intent="order_status")).follow_up == "nudge"
    assert r.understand("?", Context("en")).follow_up is None  # nothing to re-offer
    thanks = r.understand("thanks", Context("en", last_intent="order_status"))
    assert thanks.follow_up is None
    assert thanks.decision.intent_id == "thanks"


def test_an_opening_greeting_and_closing_thanks_are_taken_off_a_question() -> None:
    r, _matcher = reader()
    understood = r.understand("hi, where is my order? thanks", Context("en"))
    assert understood.decision.intent_id == "order_status"
    assert understood.matched_text == "where is my order"
    assert "framing" in understood.via
    # "привет" also opens an order-status example, as a greeting there too
    assert r.framing.strip("привет где мой заказ", "ru") == "где мой заказ"
    assert r.framing.strip("hello", "en") is None  # nothing else: small talk as it is


def test_a_greeting_around_one_word_stays_small_talk() -> None:
    def decide(text: str, lang: str) -> Decision:
        intent = CONTENT.intents["greeting" if text.startswith("hi") else "order_status"]
        score = 0.8 if text.startswith("hi") else 0.9  # the lone word scores higher alone
        candidate = (Candidate(intent.id, score, "intent"),)
        return Decision(text, lang, "answer", intent, None, score, candidate)  # type: ignore[arg-type]

    r = Reader(CONTENT, decide, "en")
    understood = r.understand("hi guys", Context("en"))
    assert understood.decision.intent_id == "greeting"
    assert "framing" not in understood.via
    question = r.understand("hi where is my order", Context("en"))  # a question still is one
    assert question.decision.intent_id == "order_status"
    assert "framing" in question.via


def test_the_unknown_words_of_a_known_product_model_are_left_out_and_an_unknown_model_kept() -> (
    None
):
    lexicons = reader()[0].lexicons
    known = read_words("есть ли iPhone 15 Pro Max", lexicons)
    assert known.text_for("ru") == "есть ли iphone 15"
    unknown = read_words("есть ли PS4 Pro", lexicons)  # no word of the content: names stay
    assert unknown.text_for("ru") == "есть ли ps4 pro"
    harrods = read_words("when does Harrods open", lexicons)  # no number: a name, not a model
    assert harrods.text_for("en") == "when does harrods open"
