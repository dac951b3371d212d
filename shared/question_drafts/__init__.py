"""Question drafts: candidate quiz questions generated from a lesson's transcript (an offline cloze
generator, or Azure OpenAI), which reach a bank only when an Instructor approves them."""

from shared.platform.contexts import ContextSpec
from shared.question_drafts.api import router
from shared.question_drafts.model import QUESTION_DRAFTS_CONTAINER
from shared.question_drafts.service import PERSONAL_DATA

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "question_drafts", router=router, containers=(QUESTION_DRAFTS_CONTAINER,), personal_data=PERSONAL_DATA
)
