"""The engine: one scorer and one article index per language, and the decision rule."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from intents.answers import Answer, render_intent_answer, render_kb_article
from intents.matching.articles import ArticleIndex
from intents.matching.background import BACKGROUND
from intents.matching.cache import MatcherCache, Trained
from intents.matching.classifier import TextClassifier
from intents.matching.lang import detect_language
from intents.matching.memory import trim_heap
from intents.matching.results import Action, Candidate, Decision, Thresholds
from intents.matching.scorer import IntentScorer, ScorerConfig
from intents.matching.vague import VagueDetector
from intents.model import SYSTEM_INTENTS, Content, Lang
from intents.text import normalize

if TYPE_CHECKING:
    from intents.matching.encoder import SentenceEncoder
    from intents.matching.ensemble import EnsembleConfig

__all__ = ["HUMAN_REQUEST", "Engine", "Ranker", "train"]

HUMAN_REQUEST = "human_request"
_TOP = 5


class Ranker(Protocol):
    """What the engine needs of a language's scorer (:class:`IntentScorer` or the ensemble)."""

    @property
    def classifier(self) -> TextClassifier: ...

    def rank(self, text: str, top: int = 5) -> list[tuple[str, float]]: ...


class Engine:
    """Ranks intents and KB articles together and decides: answer, clarify, hand off or unknown.

    Build it with :meth:`build` (seconds; do it off the event loop), then call :meth:`decide`
    (about a millisecond) as often as needed; an engine is immutable after building.
    """

    def __init__(
        self,
        content: Content,
        thresholds: Thresholds,
        scorers: Mapping[Lang, Ranker],
        articles: Mapping[Lang, ArticleIndex],
        default_lang: Lang = "en",
        vague: Mapping[Lang, VagueDetector] | None = None,
    ) -> None:
        self.content = content
        self.thresholds = thresholds
        # the configured default; an engine without it answers in its first language
        self.default_lang = default_lang if default_lang in scorers else next(iter(scorers), "en")
        self._scorers = dict(scorers)
        self._articles = dict(articles)
        self._vague = dict(vague or {})

    @classmethod
    def build(
        cls,
        content: Content,
        thresholds: Thresholds | None = None,
        *,
        default_lang: Lang = "en",
        config: ScorerConfig = ScorerConfig(),  # noqa: B008 - frozen, safe as default
        background: Mapping[Lang, Sequence[str]] = BACKGROUND,
        encoder: SentenceEncoder | None = None,
        ensemble: EnsembleConfig | None = None,
        cache: MatcherCache | None = None,
    ) -> Engine:
        """Train every language's scorer; with ``encoder``, each is an :class:`EnsembleScorer`
        (the examples' vectors come from the encoder, through its cache when it has one).

        With ``cache`` (n-gram matcher only), a matcher trained earlier on the same content and
        settings is loaded instead; a new one is trained in a process of its own, stored there and
        loaded (see :mod:`.cache`), or trained here when that fails."""
        key = None
        trained = None
        if cache is not None and encoder is None:
            key = cache.key(content, background, config)
            trained = cache.load(key) or cache.train_apart(key, content, background, config)
        if trained is None:
            trained = train(content, config, background, encoder, ensemble)
            if cache is not None:
                cache.trained += 1
                if key is not None:
                    cache.store(key, trained)
        trim_heap()  # the training's (or the file's) temporary arrays leave the resident memory
        return cls(
            content,
            thresholds or Thresholds(),
            trained.scorers,
            trained.articles,
            default_lang,
            trained.vague,
        )

    @property
    def uses_encoder(self) -> bool:
        ensemble = sys.modules.get("intents.matching.ensemble")  # imported by any ensemble
        if ensemble is None:
            return False
        return any(isinstance(s, ensemble.EnsembleScorer) for s in self._scorers.values())

    @property
    def encoder(self) -> SentenceEncoder | None:
        """The sentence encoder the scorers mix in (the content-gaps report groups with it)."""
        ensemble = sys.modules.get("intents.matching.ensemble")  # imported by any ensemble
        if ensemble is None:
            return None
        scorers = self._scorers.values()
        return next((s.encoder for s in scorers if isinstance(s, ensemble.EnsembleScorer)), None)

    def scorer(self, lang: Lang) -> Ranker:
        return self._scorers[lang]

    def rank(self, text: str, lang: Lang) -> tuple[Candidate, ...]:
        """Intents and articles together, best first (at most five)."""
        ranked = [
            Candidate(label, score, "intent") for label, score in self._scorers[lang].rank(text)
        ]
        ranked += [
            Candidate(article_id, score, "article")
            for article_id, score in self._articles[lang].scores(text).items()
        ]
        # stable: intents with equal scores (0 once the reject penalty took them all) keep the
        # scorer's order, i.e. of their probabilities
        ranked.sort(key=lambda c: (-c.score, c.kind != "intent"))
        return tuple(ranked[:_TOP])

    def decide(self, text: str, lang: Lang | None = None) -> Decision:
        """``lang`` forces the language (one the content lacks means the default language);
        without it the message's script decides among the content's languages."""
        if lang is None:
            lang = detect_language(text, self.default_lang, tuple(self._scorers))
        elif lang not in self._scorers:
            lang = self.default_lang
        if not normalize(text):
            return Decision(text, lang, "unknown", None, None, 0.0, ())
        candidates = self.rank(text, lang)
        t = self.thresholds
        human = next((c for c in candidates if c.kind == "intent" and c.id == HUMAN_REQUEST), None)
        if human is not None and human.score >= t.clarify:
            intent = self.content.intents[HUMAN_REQUEST]
            return Decision(text, lang, "handoff", intent, None, human.score, candidates)
        top = candidates[0] if candidates else Candidate("", 0.0, "intent")
        vague = self._vague_options(text, lang, candidates)
        if vague:
            return Decision(text, lang, "clarify", None, None, top.score, candidates, vague)
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if top.score >= t.answer and top.score - runner_up >= t.ambiguity_gap:
            if top.kind == "article":
                return Decision(text, lang, "answer", None, top.id, top.score, candidates)
            intent = self.content.intents[top.id]
            action: Action = "handoff" if intent.always_handoff else "answer"
            return Decision(text, lang, action, intent, None, top.score, candidates)
        if top.score >= t.clarify:
            floor = t.clarify / 2
            options = tuple(
                c for c in candidates if c.score >= floor and c.id not in SYSTEM_INTENTS
            )[: t.clarify_candidates]
            if options:
                return Decision(text, lang, "clarify", None, None, top.score, candidates, options)
        return Decision(text, lang, "unknown", None, None, top.score, candidates)

    def _vague_options(
        self, text: str, lang: Lang, candidates: tuple[Candidate, ...]
    ) -> tuple[Candidate, ...]:
        """For a vague message ("delivery", "мой аккаунт"): the intents it may mean, best first."""
        detector = self._vague.get(lang)
        shared = detector.candidates(text) if detector is not None else ()
        shared = tuple(i for i in shared if i not in SYSTEM_INTENTS)
        if len(shared) < 2:
            return ()
        scores = {c.id: c.score for c in candidates if c.kind == "intent"}
        ranked = sorted(shared, key=lambda i: (-scores.get(i, 0.0), shared.index(i)))
        return tuple(
            Candidate(i, scores.get(i, 0.0), "intent")
            for i in ranked[: self.thresholds.clarify_candidates]
        )

    def answer(self, intent_id: str, lang: Lang) -> Answer:
        """The intent's answer text, buttons and linked articles in ``lang``."""
        return render_intent_answer(self.content, self.content.intents[intent_id], lang)

    def article_html(
        self, article_id: str, lang: Lang, *, read_more_url: str | None = None
    ) -> str | None:
        """The article as Telegram HTML within 4096 characters, with a read-more link if cut."""
        return render_kb_article(self.content, article_id, lang, read_more_url=read_more_url)

    def title(self, candidate: Candidate, lang: Lang) -> str:
        """A button label for a "did you mean" option."""
        if candidate.kind == "intent":
            return self.content.intents[candidate.id].title[lang]
        article = self.content.article(candidate.id, lang)
        return article.title if article is not None else candidate.id


def train(
    content: Content,
    config: ScorerConfig,
    background: Mapping[Lang, Sequence[str]],
    encoder: SentenceEncoder | None = None,
    ensemble: EnsembleConfig | None = None,
) -> Trained:
    """Every language's scorer, article index and vague-message detector."""
    trained = Trained()
    for lang in content.languages:
        examples = {
            intent.id: intent.examples[lang]
            for intent in content.intents.values()
            if intent.examples.get(lang)
        }
        reject = background.get(lang, ())
        if encoder is None:
            scorer = IntentScorer.train(examples, reject, config)
            scorer.oof = None  # kept for an ensemble only: the calibration is done
            trained.scorers[lang] = scorer
        else:
            from intents.matching.ensemble import EnsembleConfig, EnsembleScorer

            trained.scorers[lang] = EnsembleScorer.train(
                examples, reject, encoder, config, ensemble or EnsembleConfig()
            )
        trained.vague[lang] = VagueDetector(examples)
        articles = sorted(
            (a for (_, article_lang), a in content.articles.items() if article_lang == lang),
            key=lambda a: a.id,
        )
        phrases = [text for texts in examples.values() for text in texts]
        trained.articles[lang] = ArticleIndex(articles, phrases)
    return trained
