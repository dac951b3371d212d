"""The offline question generator: grounded answers, real distractors, the same questions for
the same transcript, and no crash on any text. Also which generator the settings choose."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared._adapters import chosen_generator
from shared.assessment.model import parse_question
from shared.bootstrap import bootstrap
from shared.question_drafts._azure_openai import AzureOpenAIQuestionGenerator
from shared.question_drafts._local_generator import LocalQuestionGenerator
from shared.question_drafts.model import CLAIM_SECONDS, QuestionDraft, draft_id, is_reviewable
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PHOTOSYNTHESIS = """\
Photosynthesis is the process by which green plants turn light into chemical energy.
It takes place in the chloroplasts, which contain a green pigment called chlorophyll.
Chlorophyll absorbs mostly blue and red light and reflects green light.
During photosynthesis, plants take in carbon dioxide from the air and water from the soil.
The energy of light splits water molecules and releases oxygen as a by-product.
The Calvin cycle then fixes carbon dioxide into glucose, a sugar the plant uses for energy.
Glucose can be stored as starch or used to build cellulose for cell walls.
Without photosynthesis there would be almost no oxygen in the atmosphere of the Earth.
"""
WATER_CYCLE = """\
The water cycle describes how water moves between the oceans, the atmosphere and the land.
Heat from the sun causes evaporation, turning liquid water from oceans and lakes into vapour.
Plants also release vapour through their leaves in a process called transpiration.
As warm air rises it cools, and the vapour condenses into tiny droplets that form clouds.
When the droplets grow heavy enough they fall back to the ground as precipitation.
Precipitation can be rain, snow, sleet or hail, depending on the temperature of the air.
Some of the water soaks into the soil and becomes groundwater stored in aquifers.
The rest flows over the surface as runoff and collects in rivers, lakes and oceans.
Glaciers and ice caps store fresh water for thousands of years before it melts.
Aquifers supply wells and springs, and many cities depend on them for drinking water.
Deforestation reduces transpiration, which can make a region drier over time.
Climate change speeds up evaporation and makes heavy precipitation more frequent.
"""
WORDS = re.compile(r"\w+(?:[-'\u2019]\w+)*")


def propose(transcript: str = PHOTOSYNTHESIS, count: int = 8, language: str = "en") -> list[dict[str, Any]]:
    return LocalQuestionGenerator().propose(transcript, count=count, language=language)


def words_of(text: str) -> set[str]:
    return {w.lower() for w in WORDS.findall(text)}


def flat(text: str) -> str:
    return " ".join(text.split())


def answers_of(question: dict[str, Any]) -> list[str]:
    if question["type"] == "single_choice":
        return [o["text"] for o in question["options"] if o["id"] in question["correct"]]
    if question["type"] == "short_text":
        return list(question["accepted"])
    return []


def test_every_proposal_is_a_valid_question_a_bank_accepts() -> None:
    questions = propose()
    assert len(questions) == 8
    for question in questions:
        parse_question(question)


@pytest.mark.parametrize("transcript", [PHOTOSYNTHESIS, WATER_CYCLE], ids=["photosynthesis", "water-cycle"])
def test_every_answer_is_a_word_of_the_transcript_and_is_blanked_out_of_its_prompt(transcript: str) -> None:
    vocabulary = words_of(transcript)
    for question in propose(transcript, count=20):
        for answer in answers_of(question):
            assert answer.lower() in vocabulary
            assert answer.lower() not in words_of(question["prompt"])
            assert "_____" in question["prompt"]


@pytest.mark.parametrize("transcript", [PHOTOSYNTHESIS, WATER_CYCLE], ids=["photosynthesis", "water-cycle"])
def test_a_true_statement_is_a_sentence_of_the_transcript_and_a_false_one_is_not(transcript: str) -> None:
    statements = [q for q in propose(transcript, count=20) if q["type"] == "true_false"]
    assert statements
    for question in statements:
        statement = question["prompt"].removeprefix("True or false? ")
        assert (statement in flat(transcript)) is question["answer"]
        source = question["explanation"].removeprefix('The lesson says: "').removesuffix('"')
        assert source in flat(transcript)


def test_true_and_false_statements_both_occur() -> None:
    assert {q["answer"] for q in propose(WATER_CYCLE, count=20) if q["type"] == "true_false"} == {True, False}


@pytest.mark.parametrize("transcript", [PHOTOSYNTHESIS, WATER_CYCLE], ids=["photosynthesis", "water-cycle"])
def test_distractors_are_other_words_of_the_transcript_never_the_answer(transcript: str) -> None:
    choices = [q for q in propose(transcript, count=20) if q["type"] == "single_choice"]
    assert choices
    for question in choices:
        texts = [o["text"].lower() for o in question["options"]]
        (answer,) = answers_of(question)
        assert len(texts) >= 3 and len(set(texts)) == len(texts)
        assert [t for t in texts if t == answer.lower()] == [answer.lower()]
        assert set(texts) <= words_of(transcript)


def test_a_varied_set_of_question_types_comes_from_a_long_enough_transcript() -> None:
    assert {q["type"] for q in propose()} == {"single_choice", "true_false", "short_text"}


def test_no_two_questions_ask_for_the_same_term() -> None:
    answers = [a.lower() for q in propose(count=20) for a in answers_of(q)]
    assert len(answers) == len(set(answers))


def test_the_correct_option_is_not_always_in_the_same_place() -> None:
    choices = [q for q in propose(count=20) if q["type"] == "single_choice"]
    assert len({q["correct"][0] for q in choices}) > 1


def test_count_bounds_the_proposals() -> None:
    assert len(propose(count=2)) == 2
    assert propose(count=0) == []


def test_the_same_transcript_gives_the_same_questions_in_any_process() -> None:
    script = (
        "import json, sys; from shared.question_drafts._local_generator import LocalQuestionGenerator as G; "
        "print(json.dumps(G().propose(sys.stdin.read(), count=8, language='en')))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script], input=PHOTOSYNTHESIS, capture_output=True, text=True, env=env, cwd=ROOT
        )
        assert run.returncode == 0, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == propose()


@pytest.mark.parametrize(
    "transcript",
    ["", "   \n\t", "Read me.", "One two three.", "!!! ... ???", "1 2 3 4 5 6 7 8 9 10.", "word " * 5000],
)
def test_an_empty_or_thin_transcript_gives_no_questions_and_no_crash(transcript: str) -> None:
    assert propose(transcript) == []


def test_a_transcript_in_another_language_still_gives_grounded_questions() -> None:
    german = (
        "Die Photosynthese findet in den Chloroplasten der Pflanzenzellen statt. "
        "Das Chlorophyll absorbiert vor allem blaues und rotes Licht. "
        "Aus Kohlendioxid und Wasser entsteht mit Hilfe von Licht die Glukose. "
        "Dabei wird Sauerstoff als Nebenprodukt in die Luft abgegeben."
    )
    questions = propose(german, language="de")
    assert questions
    for question in questions:
        parse_question(question)
        assert all(a.lower() in words_of(german) for a in answers_of(question))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["cell", "Cells", "energy", "the", "of", "mitochondria", "ATP", "is", ".", "!", "\n", "Krebs"])
        | st.text(min_size=1, max_size=12),
        max_size=120,
    )
)
def test_any_text_gives_valid_grounded_questions_or_none(tokens: list[str]) -> None:
    transcript = " ".join(tokens)
    for question in propose(transcript, count=5):
        parse_question(question)
        assert all(a.lower() in words_of(transcript) for a in answers_of(question))


# --- the review queue's rules --------------------------------------------------------------------


def test_the_same_proposal_for_the_same_lesson_gets_the_same_draft_id() -> None:
    question = propose(count=1)[0]
    assert draft_id("c1", "l1", question) == draft_id("c1", "l1", dict(reversed(question.items())))
    assert draft_id("c1", "l1", question) != draft_id("c1", "l2", question)


def test_an_approval_left_unfinished_lets_the_draft_be_reviewed_once_its_claim_lapses() -> None:
    now = datetime(2031, 1, 1, tzinfo=UTC)
    claimed = QuestionDraft.model_construct(status="approving", claimedAt=now.isoformat())
    assert not is_reviewable(claimed, now + timedelta(seconds=CLAIM_SECONDS - 1))
    assert is_reviewable(claimed, now + timedelta(seconds=CLAIM_SECONDS))
    assert is_reviewable(QuestionDraft.model_construct(status="pending"), now)
    assert not is_reviewable(QuestionDraft.model_construct(status="approved"), now)
    assert not is_reviewable(QuestionDraft.model_construct(status="rejected"), now)


# --- which generator ---------------------------------------------------------------------------


def test_azure_openai_is_chosen_once_an_endpoint_and_a_deployment_are_configured(tmp_path: Path) -> None:
    assert chosen_generator(Settings(data_dir=tmp_path)) == "local"
    assert chosen_generator(Settings(data_dir=tmp_path, openai_endpoint="https://x.openai.azure.com")) == "local"
    configured = {"openai_endpoint": "https://x.openai.azure.com", "openai_deployment": "drafts"}
    assert chosen_generator(Settings(data_dir=tmp_path, **configured)) == "azure-openai"
    overridden = Settings(data_dir=tmp_path, question_generator_adapter="local", **configured)
    assert chosen_generator(overridden) == "local"


def test_the_platform_builds_the_azure_openai_generator_without_touching_the_network(tmp_path: Path) -> None:
    configured = {"openai_endpoint": "https://x.openai.azure.com/", "openai_deployment": "drafts"}
    generator = bootstrap(Settings(data_dir=tmp_path, **configured)).generator
    assert isinstance(generator, AzureOpenAIQuestionGenerator)
    assert generator.name == "azure-openai:drafts"


def test_the_azure_openai_override_without_an_endpoint_names_the_missing_setting(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="LMS_OPENAI_ENDPOINT"):
        bootstrap(Settings(data_dir=tmp_path, question_generator_adapter="azure-openai"))
