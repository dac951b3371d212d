"""Assessment: question banks, quiz settings, server-side attempts and their grading."""

from shared.assessment.model import QuestionCreate, QuestionView, parse_question

__all__ = ["QuestionCreate", "QuestionView", "parse_question"]
