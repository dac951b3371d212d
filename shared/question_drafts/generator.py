"""The question generator port: proposes quiz questions from a lesson's transcript.

Proposals are plain dicts in the JSON shape of ``shared.assessment.model.QuestionCreate``
(choice questions carry their distractors as options). They are candidates only: the
drafts service stages them in a review queue, and nothing reaches a question bank before
an Instructor approves it. Adapters: ``_local_generator`` (rule-based, offline) and
``_azure_openai`` (a chat model deployment on Azure OpenAI).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["MAX_PROPOSALS", "QuestionGenerator"]

# More candidates than this per request only lengthens the review queue (and the model call).
MAX_PROPOSALS = 20


class QuestionGenerator(ABC):
    """Proposes candidate questions from a transcript."""

    #: Recorded on each draft, so reviewers know where a candidate came from.
    name: str = "generator"

    @abstractmethod
    def propose(self, transcript: str, *, count: int, language: str) -> list[dict[str, Any]]:
        """At most ``count`` questions about ``transcript`` (written in ``language``, a BCP 47
        tag such as ``en``), as QuestionCreate-shaped dicts; an empty list when the
        transcript gives nothing to ask about. Raises ``RateLimited`` or ``Unavailable``
        when a remote generator cannot answer now."""
