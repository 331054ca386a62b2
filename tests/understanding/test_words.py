"""Transliteration, keyboard layouts, slots, follow-ups and typo correction, each on its own."""

from __future__ import annotations

import pytest

from intents.model import Content, Intent
from intents.understanding import morphology
from intents.understanding.dictionary import MIN_COUNT, is_english_word
from intents.understanding.followups import follow_up
from intents.understanding.framing import Framing
from intents.understanding.language import unmix_scripts
from intents.understanding.layout import en_keys_to_ru, ru_keys_to_en
from intents.understanding.lexicon import Lexicon
from intents.understanding.slots import extract_slots, is_bare_order_id
from intents.understanding.transliterate import to_cyrillic
from intents.understanding.typos import correct_typos


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("gde moi zakaz", "где мои заказ"),
        ("skol'ko stoit", "сколько стоит"),
        ("zhurnal", "журнал"),
        ("shchuka schuka", "щука щука"),
        ("yabloko jabloko", "яблоко яблоко"),
        ("khorosho horosho", "хорошо хорошо"),
        ("tsena cena", "цена цена"),
        ("kakoy vy", "какой вы"),
        ("chto", "что"),
        ("yest", "ест"),
        ("novyi krasnyi", "новый красный"),
        ("vyigrysh", "выигрыш"),
    ],
)
def test_transliteration_reads_the_common_schemes(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_keyboard_layouts_both_ways() -> None:
    assert en_keys_to_ru("ghbdtn") == "привет"
    assert en_keys_to_ru("ult vjq pfrfp") == "где мой заказ"
    assert ru_keys_to_en("цруку шы ьн щквук") == "where is my order"


@pytest.mark.parametrize(
    ("text", "left", "slots"),
    [
        ("When will order 458812 arrive?", "When will order arrive?", [("order_id", "458812")]),
        ("где мой заказ №458812", "где мой заказ", [("order_id", "458812")]),
        ("order #458812 pls", "order pls", [("order_id", "458812")]),
        ("списали дважды 2 990 ₽", "списали дважды", [("amount", "2 990 ₽")]),
        ("charged $129.99 twice", "charged twice", [("amount", "$129.99")]),
        ("промокод SALE20 не работает", "промокод не работает", [("promo_code", "SALE20")]),
        ("пишите на ivan.petrov@mail.ru", "пишите на", [("email", "ivan.petrov@mail.ru")]),
        ("call +44 7700 900123", "call", [("phone", "+44 7700 900123")]),
        ("позвоните 8 912 345 67 89", "позвоните", [("phone", "8 912 345 67 89")]),
        ("доставка 12.11 или 5 ноября", "доставка или", [("date", "12.11"), ("date", "5 ноября")]),
        ("see https://shop.example/o/1", "see", [("url", "https://shop.example/o/1")]),
        ("перезвоните после 18:00", "перезвоните после", [("time", "18:00")]),
        ("call me at 6pm or 9:30 a.m.", "call me at or", [("time", "6pm"), ("time", "9:30 a.m.")]),
        ("order 458812 from 12/03", "order from", [("date", "12/03"), ("order_id", "458812")]),
        ("is the PS5 or iPhone 15 in stock", "is the PS5 or iPhone 15 in stock", []),
        ("any update on order VM-552210?", "any update on order ?", [("order_id", "VM-552210")]),
        ("cancelled on the 21st", "cancelled on the", [("date", "21st")]),
        (
            "вернула 21-го, где мои 35 тыс",
            "вернула , где мои",
            [("amount", "35 тыс"), ("date", "21-го")],
        ),
        ("is it extra on a 60k order", "is it extra on a order", [("amount", "60k")]),
        ("ноутбук за 70 тыщ", "ноутбук за", [("amount", "70 тыщ")]),
        ("a 4k tv in stock?", "a 4k tv in stock?", []),
    ],
)
def test_slots_are_taken_out_and_kept(text: str, left: str, slots: list[tuple[str, str]]) -> None:
    rest, found = extract_slots(text)
    assert rest == left
    assert [(slot.name, slot.value) for slot in found] == slots


def test_a_bare_order_number() -> None:
    assert is_bare_order_id("458812") == "458812"
    assert is_bare_order_id(" #458812. ") == "458812"
    assert is_bare_order_id("заказ № 458812") == "458812"
    assert is_bare_order_id("VM-458812") == "VM-458812"
    assert is_bare_order_id("458812 where is it") is None
    assert is_bare_order_id("12") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ok", "ack"),
        ("ок", "ack"),
        ("понятно, спасибо", "ack"),
        ("👍", "ack"),
        ("👍🏻👍🏻", "ack"),
        ("?", "nudge"),
        ("??", "nudge"),
        ("ну и?", "nudge"),
        ("and?", "nudge"),
        ("где мой заказ?", None),
        ("ok where is my order", None),
        ("...", None),
    ],
)
def test_follow_ups(text: str, kind: str | None) -> None:
    assert follow_up(text) == kind


def test_typos_are_corrected_against_the_languages_own_words() -> None:
    en = Lexicon.build("en", ["where is my order", "order status", "when will it arrive"])
    ru = Lexicon.build("ru", ["где мой заказ", "статус заказа"])
    assert correct_typos("wher is my oder", en) == "where is my order"
    assert correct_typos("гдк мой заказх", ru) == "где мой заказ"
    assert correct_typos("гдк мой заказх", en) == "гдк мой заказх"  # other language: untouched
    assert correct_typos("xyzzy status", en) == "xyzzy status"  # nothing near: kept


def test_an_unknown_russian_form_becomes_the_contents_word_of_the_same_lemma() -> None:
    ru = Lexicon.build("ru", ["я ошибся адресом", "поменять чехол", "заказ вручен"])
    assert correct_typos("ошиблась адресом", ru) == "ошибся адресом"
    assert correct_typos("размер чехла", ru) == "размер чехол"
    assert correct_typos("врученный заказ", ru) == "вручен заказ"
    # no analyzer for English: its forms are left to the stems and the spelling
    en = Lexicon.build("en", ["i was wrong"])
    assert correct_typos("mistaken", en) == "mistaken"


def test_an_unknown_function_word_is_left_out_and_a_known_one_kept() -> None:
    ru = Lexicon.build("ru", ["где скачать чек", "пункт выдачи у метро"])
    assert correct_typos("где скачать чек об оплате", ru) == "где скачать чек оплате"
    assert correct_typos("пвз около метро", ru) == "пвз метро"
    assert correct_typos("пункт выдачи у метро", ru) == "пункт выдачи у метро"


def test_look_alike_letters_count_as_neighbours() -> None:
    ru = Lexicon.build("ru", ["не могу войти", "съемка"])
    assert correct_typos("не могу воити", ru) == "не могу войти"
    assert correct_typos("сьемка", ru) == "съемка"
    assert correct_typos("не могу воюти", ru) == "не могу воюти"  # ю is neither: kept


def test_a_cognate_of_a_content_word_stands_for_it_and_an_unlikely_reading_does_not() -> None:
    ru = Lexicon.build("ru", ["приложение не запускается", "мои данные"])
    assert correct_typos("вылетает при запуске", ru) == "вылетает запускается"
    # "данные" is a participle of "дать" in only a third of its readings
    assert correct_typos("сколько дадите", ru) == "сколько дадите"


def test_a_word_the_dictionary_does_not_know_is_a_typo_even_when_it_shares_a_stem() -> None:
    ru = Lexicon.build("ru", ["какой телефон поддержки", "в каком городе"])
    assert correct_typos("телефон поддержки какои", ru) == "телефон поддержки какой"
    # a dictionary word sharing the stem is an inflection the matcher's stems already read
    assert correct_typos("какую", ru) == "какую"


def test_a_dictionary_word_is_no_typo_of_a_content_word_one_edit_away() -> None:
    en = Lexicon.build("en", ["how many items", "it ran out", "where do you live", "card payment"])
    assert correct_typos("man", en) == "man"
    assert correct_typos("will it rain tomorrow", en) == "will it rain tomorrow"
    assert correct_typos("do you love me", en) == "do you love me"
    assert correct_typos("do you sell cars", en) == "do you sell cars"
    assert correct_typos("how mamy ittems", en) == "how many items"  # not words: still typos
    ru = Lexicon.build("ru", ["отзывы за полгода", "не могу понять", "есть в наличии"])
    assert correct_typos("какая погода", ru) == "какая погода"
    assert correct_typos("поднять", ru) == "поднять"
    assert correct_typos("полгда", ru) == "полгода"


def test_the_english_words_are_the_common_words_of_the_packages_list() -> None:
    from spellchecker import SpellChecker

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    common = {word for word, count in counts.items() if count >= MIN_COUNT}
    assert len(common) > 10_000
    assert {w for w in common if is_english_word(w)} == common
    assert not is_english_word("wher")
    assert not is_english_word("oder")  # in the list, but rare: a misspelling as often as not


def test_chat_shorthand_reads_as_the_words_it_stands_for_unless_the_content_uses_it() -> None:
    en = Lexicon.build("en", ["when are your agents online", "give me the number", "thank u"])
    assert correct_typos("when r ur agents online", en) == "when are your agents online"
    assert correct_typos("gimme the number", en) == "give me the number"
    assert correct_typos("thank u", en) == "thank u"  # the content writes "u" itself
    ru = Lexicon.build("ru", ["где мой заказ"])
    assert correct_typos("ur", ru) == "ur"  # English shorthand only


def test_a_dictionary_word_may_become_the_same_word_written_another_way() -> None:
    en = Lexicon.build("en", ["installment plans", "my employee"])
    assert correct_typos("installment plan", en) == "installment plans"  # one stem
    assert correct_typos("my employer", en) == "my employer"  # another stem: another word
    ru = Lexicon.build("ru", ["есть в наличии"])
    assert correct_typos("ест в наличии", ru) == "есть в наличии"  # a soft sign dropped


def test_a_word_mixing_look_alike_latin_and_cyrillic_letters_is_written_in_one_script() -> None:
    assert unmix_scripts("отменитe") == "отмените"  # a Latin e
    assert unmix_scripts("оrder") == "order"  # a Cyrillic о
    assert unmix_scripts("заказ") == "заказ"
    assert unmix_scripts("iPhone") == "iPhone"


def test_a_small_talk_word_that_is_also_a_topic_word_frames_nothing() -> None:
    def intent(intent_id: str, examples: tuple[str, ...]) -> Intent:
        return Intent(
            id=intent_id,
            title={"en": intent_id},
            examples={"en": examples},
            answer={"en": "answer"},
        )

    intents = {
        "greeting": intent("greeting", ("hi", "evening", "good evening")),
        "thanks": intent("thanks", ("thanks",)),
        "delivery_time": intent(
            "delivery_time", ("hi when will it arrive", "is there delivery in the evening")
        ),
    }
    framing = Framing.build(Content(intents=intents, articles={}, languages=("en",)))
    assert framing.strip("hi when will it arrive thanks", "en") == "when will it arrive"
    assert framing.strip("evening delivery please", "en") is None  # "evening" is a topic word


def test_a_town_the_content_does_not_name_reads_as_the_one_it_names_most() -> None:
    ru = Lexicon.build("ru", ["доставка в москве", "доставка по москве", "в казань"])
    assert ru.place == "москве"
    assert correct_typos("доставка в томск", ru) == "доставка в москве"
    assert correct_typos("я сейчас в туле", ru) == "я сейчас в москве"
    assert correct_typos("томск", ru) == "москве"
    assert correct_typos("доставка в чулан", ru) == "доставка в чулан"  # a word, not a town
    assert Lexicon.build("ru", ["доставка"]).place is None


def test_a_place_abroad_reads_only_as_a_place_abroad_the_content_names() -> None:
    ru = Lexicon.build(
        "ru", ["доставка по россии", "заказ из россии", "доставляете в казахстан", "в москве"]
    )
    assert (ru.place, ru.place_abroad) == ("россии", "казахстан")
    assert correct_typos("отправляете в китай", ru) == "отправляете в казахстан"
    assert correct_typos("позвонить из турции", ru) == "позвонить из казахстан"
    assert correct_typos("доставка в минске", ru) == "доставка в казахстан"
    assert correct_typos("доставка в туле", ru) == "доставка в россии"  # in Russia: as before
    # no place abroad in the content: it stays as typed, never "россии"
    home = Lexicon.build("ru", ["доставка по россии", "заказ из россии", "доставка в москве"])
    assert home.place_abroad is None
    assert correct_typos("позвонить из турции", home) == "позвонить из турции"
    assert correct_typos("доставка в сша", home) == "доставка в сша"


def test_words_beyond_the_kept_readings_are_still_read_and_remembered_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the table of readings kept for good is full (after weeks of typos and spam): a new word is
    # read from the dictionary all the same, and a repeat of it comes from the recent ones
    monkeypatch.setattr(morphology, "_KEPT", len(morphology._table))
    word = "отключившемуся"
    assert word not in morphology._table
    first = morphology.lemmas(word, "ru")
    assert first == {"отключиться"}
    assert word not in morphology._table
    hits = morphology._read_recent.cache_info().hits
    assert morphology.lemmas(word, "ru") == first
    assert morphology._read_recent.cache_info().hits == hits + 1
