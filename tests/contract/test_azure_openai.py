"""The question generator port on the Azure OpenAI adapter, at the SDK boundary.

No model runs here, so the adapter's real ``azure.core`` pipeline talks to ``FakeOpenAI``:
an HTTP transport that answers the chat completions REST call the way the service does
(bearer token required, a chat completion with the model's text in
``choices[0].message.content``) and records every request it receives.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.transport import RequestsTransport
from requests.structures import CaseInsensitiveDict

from shared.assessment.model import parse_question
from shared.errors import InvalidInput, RateLimited, Unavailable
from shared.question_drafts._azure_openai import API_VERSION, SCOPE, AzureOpenAIQuestionGenerator, openai_client

ENDPOINT = "https://oai-lms-test.openai.azure.com/"
DEPLOYMENT = "question-drafts"
TOKEN = "openai-token"
TRANSCRIPT = "Mitochondria make ATP, the energy currency of the cell, through cellular respiration."

SINGLE = {
    "type": "single_choice",
    "prompt": "What do mitochondria make?",
    "options": [{"id": "a", "text": "ATP"}, {"id": "b", "text": "DNA"}, {"id": "c", "text": "Glucose"}],
    "correct": ["a"],
    "difficulty": "easy",
    "explanation": "Mitochondria make ATP.",
}
TRUE_FALSE = {"type": "true_false", "prompt": "ATP is the energy currency of the cell.", "answer": True}


class FakeCredential:
    """A TokenCredential that records the scopes it was asked for."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)


class BrokenCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise ClientAuthenticationError("no managed identity here")


def completion(content: Any) -> dict[str, Any]:
    """A chat completions response whose first choice says ``content``."""
    message = {"role": "assistant", "content": content}
    return {"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0, "message": message}]}


def model_says(*questions: Any) -> dict[str, Any]:
    return completion(json.dumps({"questions": list(questions)}))


class FakeOpenAI(requests.adapters.BaseAdapter):
    """Azure OpenAI's chat completions endpoint, mounted in the pipeline's requests session.
    ``replies`` are answered in order (status, body, headers); the last one repeats."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: list[tuple[int, Any, dict[str, str]]] = [(200, model_says(SINGLE), {})]
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.requests.append(request)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(request, 401, {"error": {"code": "401", "message": "Unauthorized"}}, {})
        status, body, headers = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return self._answer(request, status, body, headers)

    @staticmethod
    def _answer(
        request: requests.PreparedRequest, status: int, body: Any, headers: dict[str, str]
    ) -> requests.Response:
        answer = requests.Response()
        answer.status_code = status
        answer.reason = "fake"
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        answer.raw = io.BytesIO(raw)
        answer.headers = CaseInsensitiveDict({"Content-Type": "application/json", **headers})
        answer.url = request.url or ""
        answer.request = request
        return answer

    def close(self) -> None:
        pass

    def body_of(self, index: int = -1) -> dict[str, Any]:
        return dict(json.loads(self.requests[index].body or b"{}"))


@pytest.fixture
def service() -> FakeOpenAI:
    return FakeOpenAI()


@pytest.fixture
def credential() -> FakeCredential:
    return FakeCredential()


def make_generator(service: FakeOpenAI, credential: Any, **options: Any) -> AzureOpenAIQuestionGenerator:
    session = requests.Session()
    session.mount("https://", service)
    client = openai_client(ENDPOINT, credential, transport=RequestsTransport(session=session), **options)
    return AzureOpenAIQuestionGenerator(client, DEPLOYMENT)


def test_the_request_goes_to_the_deployments_chat_completions_with_the_transcript_in_the_prompt(
    service: FakeOpenAI, credential: FakeCredential
) -> None:
    make_generator(service, credential).propose(TRANSCRIPT, count=3, language="fr")
    request = service.requests[-1]
    url = urlsplit(request.url or "")
    assert (request.method, url.netloc, url.path) == (
        "POST",
        "oai-lms-test.openai.azure.com",
        f"/openai/deployments/{DEPLOYMENT}/chat/completions",
    )
    assert parse_qs(url.query) == {"api-version": [API_VERSION]}
    body = service.body_of()
    assert body["response_format"] == {"type": "json_object"}
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    assert TRANSCRIPT in user and "3 questions" in user and "'fr'" in user


def test_the_request_carries_a_bearer_token_of_the_app_identity_for_cognitive_services(
    service: FakeOpenAI, credential: FakeCredential
) -> None:
    make_generator(service, credential).propose(TRANSCRIPT, count=1, language="en")
    assert service.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "api-key" not in service.requests[-1].headers
    assert credential.scopes == [SCOPE]


def test_valid_questions_come_back_in_the_shape_a_bank_accepts(service: FakeOpenAI, credential: FakeCredential) -> None:
    service.replies = [(200, model_says(SINGLE, TRUE_FALSE), {})]
    questions = make_generator(service, credential).propose(TRANSCRIPT, count=5, language="en")
    assert [q["type"] for q in questions] == ["single_choice", "true_false"]
    assert questions[0]["options"] == SINGLE["options"] and questions[0]["correct"] == ["a"]
    assert all(parse_question(q).model_dump(mode="json") == q for q in questions)


def test_invalid_items_of_the_reply_are_dropped_and_the_valid_ones_kept(
    service: FakeOpenAI, credential: FakeCredential
) -> None:
    no_key = {k: v for k, v in SINGLE.items() if k != "correct"}
    unknown_option = {**SINGLE, "correct": ["z"]}
    extra_field = {**TRUE_FALSE, "confidence": 0.9}
    unknown_type = {"type": "matching", "prompt": "Match them"}
    service.replies = [(200, model_says(no_key, "ATP", unknown_option, extra_field, unknown_type, TRUE_FALSE, 7), {})]
    questions = make_generator(service, credential).propose(TRANSCRIPT, count=5, language="en")
    assert questions == [parse_question(TRUE_FALSE).model_dump(mode="json")]


@pytest.mark.parametrize(
    "reply",
    [
        completion("Sure! Here are some questions: 1. What is ATP?"),
        completion('{"questions": [{"type": "single_choice", "prompt": "What'),  # cut off by max_tokens
        completion(json.dumps([SINGLE])),
        completion(json.dumps({"questions": "none"})),
        completion(json.dumps({"items": [SINGLE]})),
        completion(None),
        {"choices": []},
        {"error": "unexpected"},
        b"<html>gateway</html>",
    ],
    ids=["prose", "truncated", "bare-list", "not-a-list", "wrong-key", "no-content", "no-choices", "odd", "not-json"],
)
def test_a_malformed_reply_yields_no_questions_and_no_crash(
    service: FakeOpenAI, credential: FakeCredential, reply: Any
) -> None:
    service.replies = [(200, reply, {})]
    assert make_generator(service, credential).propose(TRANSCRIPT, count=3, language="en") == []


def test_no_more_than_the_requested_count_is_returned(service: FakeOpenAI, credential: FakeCredential) -> None:
    service.replies = [(200, model_says(*[{**TRUE_FALSE, "prompt": f"Statement {n}"} for n in range(6)]), {})]
    assert len(make_generator(service, credential).propose(TRANSCRIPT, count=2, language="en")) == 2


def test_an_empty_transcript_is_never_sent(service: FakeOpenAI, credential: FakeCredential) -> None:
    assert make_generator(service, credential).propose("  \n", count=3, language="en") == []
    assert service.requests == []


def test_a_brief_throttle_is_retried_by_the_pipeline_and_the_questions_arrive(
    service: FakeOpenAI, credential: FakeCredential
) -> None:
    service.replies = [(429, {"error": {"code": "429"}}, {"Retry-After": "0"}), (200, model_says(SINGLE), {})]
    assert len(make_generator(service, credential).propose(TRANSCRIPT, count=1, language="en")) == 1
    assert len(service.requests) == 2


def test_a_service_still_throttling_is_rate_limited_with_its_retry_after(
    service: FakeOpenAI, credential: FakeCredential
) -> None:
    service.replies = [(429, {"error": {"code": "429", "message": "Rate limit"}}, {"retry-after-ms": "7000"})]
    with pytest.raises(RateLimited) as caught:
        make_generator(service, credential, retry_total=0).propose(TRANSCRIPT, count=1, language="en")
    assert caught.value.retry_after_seconds == 7.0


@pytest.mark.parametrize("status", [401, 403, 404, 500, 503])
def test_a_service_that_refuses_the_identity_or_fails_is_unavailable(
    service: FakeOpenAI, credential: FakeCredential, status: int
) -> None:
    service.replies = [(status, {"error": {"code": str(status), "message": "no"}}, {})]
    with pytest.raises(Unavailable):
        make_generator(service, credential, retry_total=0).propose(TRANSCRIPT, count=1, language="en")


def test_a_transcript_the_content_filter_refuses_is_invalid_input_not_an_outage(
    service: FakeOpenAI, credential: FakeCredential
) -> None:
    refusal = {"error": {"code": "content_filter", "message": "The prompt was filtered"}}
    service.replies = [(400, refusal, {})]
    with pytest.raises(InvalidInput, match="content_filter"):
        make_generator(service, credential).propose(TRANSCRIPT, count=1, language="en")


def test_any_other_bad_request_is_a_configuration_problem(service: FakeOpenAI, credential: FakeCredential) -> None:
    service.replies = [(400, {"error": {"code": "OperationNotSupported", "message": "api-version"}}, {})]
    with pytest.raises(Unavailable):
        make_generator(service, credential).propose(TRANSCRIPT, count=1, language="en")


def test_an_identity_that_cannot_get_a_token_is_unavailable(service: FakeOpenAI) -> None:
    with pytest.raises(Unavailable):
        make_generator(service, BrokenCredential()).propose(TRANSCRIPT, count=1, language="en")
    assert service.requests == []


def test_an_unreachable_service_is_unavailable(credential: FakeCredential) -> None:
    class Unreachable(FakeOpenAI):
        def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
            raise requests.ConnectionError("name does not resolve")

    with pytest.raises(Unavailable):
        make_generator(Unreachable(), credential, retry_total=0).propose(TRANSCRIPT, count=1, language="en")
