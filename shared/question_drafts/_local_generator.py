"""The offline question generator: cloze questions from a transcript's key sentences.

No model, no network, no randomness. The transcript is split into sentences; each term
(a word that is not a stop word) is weighted by how often the transcript uses it; the
sentences dense in weighty terms are the key sentences. In each, the weightiest term
not yet asked about is blanked out and becomes the answer, so every answer is a word of
the transcript. Choice questions take their distractors from other salient terms of the
same transcript; true/false questions state the sentence as it is, or with its key term
swapped for a distractor. The same transcript always gives the same questions.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from shared.kernel import without_controls
from shared.question_drafts.generator import QuestionGenerator

__all__ = ["LocalQuestionGenerator"]

MAX_TRANSCRIPT_CHARS = 200_000  # bounds the work per request; lesson texts are far shorter
MIN_WORDS, MAX_WORDS, MAX_SENTENCE_CHARS = 6, 45, 400
MIN_TERM_CHARS = 4
DISTRACTORS = 3
BLANK = "_____"

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")
_WORD = re.compile(r"(?<![\w'\u2019-])[^\W\d_](?:[\w'\u2019-]*[^\W_])?(?![\w'\u2019-])")
_ENGLISH_STOP_LIST = """
    about above after again against also although among another anyone anything around
    because been before being below between both cannot could does doing done down during
    each either else enough even ever every first from further have having here hers herself
    himself however into itself just last later least less like made make makes many more
    most much must myself never next none often once only other others otherwise ours
    ourselves over own rather really same several shall should since some something still
    such than that their theirs them themselves then there therefore these they thing things
    this those though through thus together under until upon used uses using very want was
    well were what whatever when where whether which while whom whose will with within
    without would your yours yourself yourselves always called means mean example instance
    number part take takes taken know knows call lets let's it's that's there's what's
    almost mostly perhaps quite usually often simply certain certainly
"""
_ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP_LIST.split())


@dataclass(frozen=True)
class _Sentence:
    index: int
    text: str
    terms: tuple[str, ...]  # distinct candidate terms (lower case), in order of appearance


@dataclass(frozen=True)
class _Terms:
    """What the transcript says about its terms (all keyed in lower case)."""

    counts: dict[str, int]
    weights: dict[str, float]
    surface: dict[str, str]  # each term as the transcript most often writes it


@dataclass(frozen=True)
class _Cloze:
    sentence: _Sentence
    term: str  # lower case
    answer: str  # the term as the transcript most often writes it
    distractors: tuple[str, ...]  # other terms of the transcript, as it writes them


class LocalQuestionGenerator(QuestionGenerator):
    """Rule-based cloze questions that need nothing but the transcript."""

    name = "local"

    def propose(self, transcript: str, *, count: int, language: str) -> list[dict[str, Any]]:
        """Up to ``count`` questions whose answers are words of ``transcript``."""
        if count < 1:
            return []
        text = transcript[:MAX_TRANSCRIPT_CHARS]
        stop_words = _ENGLISH_STOP_WORDS if language.lower().startswith("en") else frozenset()
        terms = _read_terms(text, stop_words)
        clozes = _pick_clozes(_sentences(text, stop_words), terms, count)
        return [_question(cloze, rank, terms) for rank, cloze in enumerate(clozes)]


# --- reading the transcript ----------------------------------------------------------------


def _is_term(word: str, stop_words: frozenset[str]) -> bool:
    return len(word) >= MIN_TERM_CHARS and word.lower() not in stop_words


def _sentences(text: str, stop_words: frozenset[str]) -> list[_Sentence]:
    """The sentences worth asking about: not too short, not too long, each once."""
    found: list[_Sentence] = []
    seen: set[str] = set()
    for raw in _SENTENCE_BREAK.split(text):
        sentence = " ".join(without_controls(raw).split())  # a question's text holds no control character
        words = _WORD.findall(sentence)
        if not (MIN_WORDS <= len(words) <= MAX_WORDS) or len(sentence) > MAX_SENTENCE_CHARS:
            continue
        if sentence.lower() in seen:
            continue
        seen.add(sentence.lower())
        terms = tuple(dict.fromkeys(w.lower() for w in words if _is_term(w, stop_words)))
        if terms:
            found.append(_Sentence(len(found), sentence, terms))
    return found


def _read_terms(text: str, stop_words: frozenset[str]) -> _Terms:
    """Counts and surface forms of the transcript's terms. A term weighs its frequency, a
    little more when it is long (long words tend to be the subject's vocabulary)."""
    forms: dict[str, Counter[str]] = {}
    for word in _WORD.findall(text):
        if _is_term(word, stop_words):
            forms.setdefault(word.lower(), Counter())[word] += 1
    counts = {term: sum(c.values()) for term, c in forms.items()}
    return _Terms(
        counts=counts,
        weights={term: n * (1.0 + min(len(term), 12) / 12) for term, n in counts.items()},
        surface={term: c.most_common(1)[0][0] for term, c in forms.items()},
    )


# --- choosing what to ask ------------------------------------------------------------------


def _sentence_score(sentence: _Sentence, terms: _Terms) -> float:
    words = len(_WORD.findall(sentence.text))
    return sum(terms.weights[t] for t in sentence.terms) / math.sqrt(words)


def _related(a: str, b: str) -> bool:
    """Variants of one word (``cell``/``cells``) make a poor distractor for each other."""
    shorter, longer = sorted((a, b), key=len)
    return longer.startswith(shorter[: max(MIN_TERM_CHARS, len(shorter) - 2)])


def _distractors(answer: str, sentence: _Sentence, terms: _Terms) -> tuple[str, ...]:
    """Salient terms of the transcript outside the sentence, shaped like the answer:
    written with the same capitalisation, of a similar length, used often."""
    capitalised = terms.surface[answer][:1].isupper()
    ranked = sorted(
        (t for t in terms.weights if t not in sentence.terms and not _related(t, answer)),
        key=lambda t: (terms.surface[t][:1].isupper() != capitalised, abs(len(t) - len(answer)), -terms.weights[t], t),
    )
    chosen: list[str] = []
    for term in ranked:
        if len(chosen) == DISTRACTORS:
            break
        if not any(_related(term, other) for other in chosen):
            chosen.append(term)
    return tuple(terms.surface[t] for t in chosen)


def _answer_in(sentence: _Sentence, terms: _Terms, used: list[str]) -> str | None:
    """The sentence's weightiest term that no other question asks about."""
    fresh = [t for t in sentence.terms if not any(_related(t, u) for u in used)]
    return min(fresh, key=lambda t: (-terms.weights[t], -len(t), t), default=None)


def _pick_clozes(sentences: list[_Sentence], terms: _Terms, count: int) -> list[_Cloze]:
    """The key sentences, each with a term no other question asks about, in transcript order."""
    ranked = sorted(sentences, key=lambda s: (-_sentence_score(s, terms), s.index))
    picked: list[_Cloze] = []
    used: list[str] = []
    for sentence in ranked:
        if len(picked) == count:
            break
        term = _answer_in(sentence, terms, used)
        if term is None:
            continue
        used.append(term)
        picked.append(_Cloze(sentence, term, terms.surface[term], _distractors(term, sentence, terms)))
    return sorted(picked, key=lambda c: c.sentence.index)


# --- writing the questions -----------------------------------------------------------------


def _occurrences(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'\u2019-]){re.escape(term)}(?![\w'\u2019-])", re.IGNORECASE)


def _fingerprint(text: str) -> int:
    """A stable number per sentence (``hash()`` changes between processes)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _common(cloze: _Cloze, terms: _Terms) -> dict[str, Any]:
    """Points, tags, difficulty (a term the lesson repeats is easier to recall) and the
    source sentence, so a reviewer sees what the question rests on."""
    used = terms.counts[cloze.term]
    difficulty = "easy" if used >= 3 else "medium" if used == 2 else "hard"
    explanation = f'The lesson says: "{cloze.sentence.text}"'
    return {"points": 1, "tags": [], "difficulty": difficulty, "explanation": explanation}


def _single_choice(cloze: _Cloze, cloze_text: str, common: dict[str, Any]) -> dict[str, Any]:
    texts = list(cloze.distractors)
    texts.insert(_fingerprint(cloze.sentence.text) % (len(texts) + 1), cloze.answer)
    options = [{"id": chr(ord("a") + i), "text": text} for i, text in enumerate(texts)]
    correct = options[texts.index(cloze.answer)]["id"]
    prompt = f"Which term completes the sentence? {cloze_text}"
    return {"type": "single_choice", "prompt": prompt, "options": options, "correct": [correct], **common}


def _true_false(cloze: _Cloze, common: dict[str, Any]) -> dict[str, Any]:
    """The sentence as the lesson states it (true), or with its key term swapped (false)."""
    is_true = _fingerprint(cloze.sentence.text) % 2 == 0
    statement = cloze.sentence.text
    if not is_true:
        statement = _occurrences(cloze.term).sub(lambda _: cloze.distractors[0], statement)
    return {"type": "true_false", "prompt": f"True or false? {statement}", "answer": is_true, **common}


def _short_text(cloze: _Cloze, cloze_text: str, common: dict[str, Any]) -> dict[str, Any]:
    prompt = f"Fill in the blank: {cloze_text}"
    return {
        "type": "short_text",
        "prompt": prompt,
        "accepted": [cloze.answer],
        "caseSensitive": False,
        "normalizeWhitespace": True,
        **common,
    }


def _question(cloze: _Cloze, rank: int, terms: _Terms) -> dict[str, Any]:
    """Mostly single choice; the third of every four true/false, the fourth short text, and
    short text whenever the transcript offers too few distractors for a choice."""
    cloze_text = _occurrences(cloze.term).sub(BLANK, cloze.sentence.text)
    common = _common(cloze, terms)
    if rank % 4 == 3 or len(cloze.distractors) < 2:
        return _short_text(cloze, cloze_text, common)
    if rank % 4 == 2:
        return _true_false(cloze, common)
    return _single_choice(cloze, cloze_text, common)
