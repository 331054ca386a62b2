"""The one entry point in front of the matcher: a customer's message, read as they meant it.

``Reader(content, decide).understand(text, context)`` does, in order:

1. follow-ups: "ok", "👍", "спасибо" are small talk; "?" or "ну и?" after an answer re-offers
   its options (:mod:`.followups`);
2. a bare order number sent after an answer that asked for one belongs to that question;
3. slots: order numbers, amounts, times, dates, emails, phones, promo codes are taken out of
   the text and kept (:mod:`.slots`);
4. every word is read as the content's words of some language, as typed, through the other
   keyboard layout or as transliterated Russian (:mod:`.language`); the evidence decides the
   reply language (sticky: a message switches it only with clear evidence) and the matching
   language (a mixed message is matched in each and the better match wins); the unknown words of
   a product model the content knows are left out;
5. word forms and typos: unknown words are corrected against the content's words of the
   matching language, kept only when that raises the score (:mod:`.typos`);
6. framing: an opening greeting or closing thanks is taken off when that raises the score of a
   question (:mod:`.framing`).

The engine's decision is then used as is. Nothing here knows about Telegram or storage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from intents.matching.results import Decision
from intents.model import Content
from intents.text import normalize
from intents.understanding.followups import FollowUp, follow_up
from intents.understanding.framing import SMALL_TALK, Framing
from intents.understanding.language import read_words
from intents.understanding.lexicon import Lexicon
from intents.understanding.slots import Slot, extract_slots, first_values, is_bare_order_id
from intents.understanding.typos import correct_typos

__all__ = ["Context", "Decide", "Reader", "Understanding"]

Decide = Callable[[str, str], Decision]  # the matcher: (text, language) → decision

SWITCH_EVIDENCE = 1.5  # points of another language a message needs to switch the customer to it


@dataclass(frozen=True)
class Context:
    """What the conversation knows before this message."""

    language: str  # the customer's language: replies are in it unless the message switches it
    language_chosen: bool = False  # picked with /language: a message never switches it
    last_intent: str | None = None  # the intent the bot answered last in this conversation
    awaiting_order_for: str | None = None  # the intent whose answer asked for an order number


@dataclass(frozen=True)
class Understanding:
    """One message, read: the engine's decision on the text it was matched as, and why."""

    text: str  # as the customer wrote it
    decision: Decision
    language: str  # the reply language (the customer's, or the one they clearly switched to)
    switched: bool  # the customer's language changes to ``language``
    matched_text: str  # what the engine saw
    slots: tuple[Slot, ...] = ()
    follow_up: FollowUp | None = None  # small talk after an answer: acknowledge or re-offer
    via: frozenset[str] = field(default_factory=frozenset)  # layout, transliteration, typos, …

    @property
    def values(self) -> dict[str, str]:
        """The first value of each slot, for ``{order_id}`` and friends in answers."""
        return dict(first_values(self.slots))


class Reader:
    """Built once per content (a reload builds a new one); ``decide`` is the live matcher
    (``Engine.decide`` or ``ContentHolder.decide``)."""

    def __init__(self, content: Content, decide: Decide, default_lang: str = "en") -> None:
        self.content = content
        self.decide = decide  # the matcher alone
        self.default_lang = default_lang
        phrases: dict[str, list[str]] = {}
        for intent in content.intents.values():
            for lang, examples in intent.examples.items():
                phrases.setdefault(lang, []).extend(examples)
        self.lexicons = {lang: Lexicon.build(lang, texts) for lang, texts in phrases.items()}
        self.framing = Framing.build(content)

    def understand(self, text: str, context: Context) -> Understanding:
        lang = context.language if context.language in self.lexicons else self.default_lang
        kind = follow_up(text)
        if kind == "nudge" and context.last_intent is not None:
            return self._follow_up(text, lang, kind)
        order = is_bare_order_id(text)
        asked = self.content.intents.get(context.awaiting_order_for or "")
        if order is not None and asked is not None:
            decision = Decision(text, lang, "answer", asked, None, 1.0, ())
            found = (Slot("order_id", order),)
            via = frozenset({"order"})
            return Understanding(text, decision, lang, False, text, found, None, via)
        core, slots = extract_slots(text)
        reading = read_words(core, self.lexicons)
        evidence = reading.evidence()
        reply_lang, switched = self._reply_language(lang, evidence, context)
        strongest = max(evidence.values(), default=0.0)
        matching = [k for k, points in evidence.items() if points > 0 and points >= strongest / 2]
        best: tuple[Decision, str, frozenset[str]] | None = None
        mixed = len(matching) > 1
        for match_lang in sorted(matching or [lang], key=lambda k: (k != reply_lang, k)):
            text_for = reading.text_for(match_lang, mixed=mixed)
            if not slots and not reading.via and text_for == normalize(core):
                text_for = text  # nothing taken out or converted: the message as written
            candidate = self._match(text_for, match_lang, reading.via)
            if best is None or candidate[0].score > best[0].score:
                best = candidate
        assert best is not None
        decision, matched, via = best
        if kind == "ack" and not (decision.action == "answer" and decision.intent_id in SMALL_TALK):
            return self._follow_up(text, reply_lang, kind)
        return Understanding(text, decision, reply_lang, switched, matched, slots, None, via)

    def _reply_language(
        self, lang: str, evidence: dict[str, float], context: Context
    ) -> tuple[str, bool]:
        if context.language_chosen or not evidence:
            return lang, False
        other, points = max(evidence.items(), key=lambda item: (item[1], item[0] == lang))
        if other != lang and points >= SWITCH_EVIDENCE and evidence.get(lang, 0.0) * 2 < points:
            return other, True
        return lang, False

    def _match(
        self, text: str, lang: str, via: frozenset[str]
    ) -> tuple[Decision, str, frozenset[str]]:
        best = (self.decide(text, lang), text, via)
        corrected = correct_typos(text, self.lexicons[lang])
        if corrected and corrected != normalize(text):
            better = self.decide(corrected, lang)
            if better.score > best[0].score:
                best = (better, corrected, via | {"typos"})
        framed = self.framing.strip(best[1], lang)
        if framed is not None and not _small_talk_around_a_word(best[0], framed):
            inner = self.decide(framed, lang)
            if inner.score > best[0].score and inner.intent_id not in SMALL_TALK:
                best = (inner, framed, best[2] | {"framing"})
        return best

    def _follow_up(self, text: str, lang: str, kind: FollowUp) -> Understanding:
        decision = Decision(text, lang, "answer", None, None, 1.0, ())
        return Understanding(text, decision, lang, False, text, (), kind)


def _small_talk_around_a_word(decision: Decision, framed: str) -> bool:
    """A message answered as small talk whose rest is one word ("hi guys", "hello team") is
    small talk: that word alone is no question (matched alone, "guys" scored an anger intent)."""
    small_talk = decision.action == "answer" and decision.intent_id in SMALL_TALK
    return small_talk and len(framed.split()) < 2
