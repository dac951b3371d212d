"""Question banks and their versioned questions.

A question is a head document (the current version, queried when quizzes draw) plus one
immutable document per version. Editing writes the next version; attempts keep a snapshot
of the version they drew, so an edit never changes a started attempt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from shared.assessment.model import BANKS, BY_ID, BankCreate, BankView, Pool, QuestionCreate, QuestionView
from shared.errors import Conflict, NotFound
from shared.kernel import Paged
from shared.platform.documents import Document, Filter
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext

__all__ = [
    "add_question",
    "create_bank",
    "draw_candidates",
    "get_bank",
    "list_banks",
    "list_questions",
    "require_bank",
    "update_question",
]

MAX_POOL_CANDIDATES = 5000  # a pool draws from at most this many questions of a bank


def _docs(platform: Platform, ctx: TenantContext) -> DictDocuments:
    return DictDocuments(platform.documents, BANKS, ctx)


# Ids of the kinds of document this container holds; resource ids have no '.', so they never meet.
def _bank_doc_id(bank_id: str) -> str:
    return f"bank.{bank_id}"


def _question_doc_id(question_id: str) -> str:
    return f"question.{question_id}"


def _bank_view(doc: Document) -> BankView:
    return BankView.model_validate({**doc, "id": doc["bankId"]})


def _question_view(doc: Document) -> QuestionView:
    return QuestionView.model_validate({**doc["question"], **doc, "id": doc["questionId"]})


def create_bank(platform: Platform, ctx: TenantContext, body: BankCreate) -> BankView:
    """Start an empty question bank of the tenant."""
    bank_id, now = platform.ids.new_id(), platform.clock.now().isoformat()
    doc = {
        **body.model_dump(),
        "id": _bank_doc_id(bank_id),
        "type": "bank",
        "bankId": bank_id,
        "createdBy": ctx.user_id,
        "createdAt": now,
        "updatedAt": now,
    }
    return _bank_view(_docs(platform, ctx).create(doc))


def _bank_doc(platform: Platform, ctx: TenantContext, bank_id: str) -> Document:
    doc = _docs(platform, ctx).read(_bank_doc_id(bank_id))
    if doc.get("type") != "bank":
        raise NotFound()
    return doc


def get_bank(platform: Platform, ctx: TenantContext, bank_id: str) -> BankView:
    """One bank of the tenant."""
    return _bank_view(_bank_doc(platform, ctx, bank_id))


def require_bank(platform: Platform, ctx: TenantContext, bank_id: str) -> None:
    """``NotFound`` unless the tenant has this bank."""
    _bank_doc(platform, ctx, bank_id)


def list_banks(platform: Platform, ctx: TenantContext, *, limit: int, continuation: str | None) -> Paged[BankView]:
    """A page of the tenant's banks, oldest first."""
    page = _docs(platform, ctx).query(
        [Filter("type", "eq", "bank")], order_by=BY_ID, limit=limit, continuation=continuation
    )
    return Paged[BankView](items=[_bank_view(d) for d in page.items], continuation=page.continuation)


def _version_doc(head: Document) -> Document:
    keep = ("questionId", "bankId", "version", "question", "tags", "difficulty", "updatedAt", "updatedBy")
    version = {k: head[k] for k in keep}
    return {**version, "id": f"{head['id']}.v{head['version']}", "type": "question_version"}


def _store_version(docs: DictDocuments, head: Document) -> None:
    # Versions are immutable: if this one was stored already (a retried edit), it is this one.
    with contextlib.suppress(Conflict):
        docs.create(_version_doc(head))


def _question_fields(body: QuestionCreate) -> dict[str, Any]:
    question = body.model_dump()
    # Copies the draw filters on: a pool selects by tag and difficulty without reading the body.
    return {"question": question, "tags": question["tags"], "difficulty": question["difficulty"]}


def add_question(platform: Platform, ctx: TenantContext, bank_id: str, body: QuestionCreate) -> QuestionView:
    """Add a question (version 1) to a bank of the tenant; ``NotFound`` for an unknown bank."""
    require_bank(platform, ctx, bank_id)
    question_id, now = platform.ids.new_id(), platform.clock.now().isoformat()
    head = {
        **_question_fields(body),
        "id": _question_doc_id(question_id),
        "type": "question",
        "questionId": question_id,
        "bankId": bank_id,
        "version": 1,
        "createdAt": now,
        "updatedAt": now,
        "updatedBy": ctx.user_id,
    }
    docs = _docs(platform, ctx)
    _store_version(docs, head)
    return _question_view(docs.create(head))


def update_question(
    platform: Platform, ctx: TenantContext, bank_id: str, question_id: str, body: QuestionCreate
) -> QuestionView:
    """Edit a question: the edit becomes its next version (the same content again changes nothing)."""
    docs = _docs(platform, ctx)
    head = docs.read(_question_doc_id(question_id))
    if head.get("type") != "question" or head["bankId"] != bank_id:
        raise NotFound()
    fields = _question_fields(body)
    if fields["question"] == head["question"]:
        return _question_view(head)
    updated = {
        **head,
        **fields,
        "version": head["version"] + 1,
        "updatedAt": platform.clock.now().isoformat(),
        "updatedBy": ctx.user_id,
    }
    _store_version(docs, updated)
    return _question_view(docs.replace(updated, if_match=head["_etag"]))


def list_questions(
    platform: Platform, ctx: TenantContext, bank_id: str, *, limit: int, continuation: str | None
) -> Paged[QuestionView]:
    """A page of a bank's questions (current versions, with their keys), oldest first."""
    require_bank(platform, ctx, bank_id)
    filters = [Filter("type", "eq", "question"), Filter("bankId", "eq", bank_id)]
    page = _docs(platform, ctx).query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[QuestionView](items=[_question_view(d) for d in page.items], continuation=page.continuation)


def draw_candidates(platform: Platform, ctx: TenantContext, pools: Sequence[Pool]) -> list[list[Document]]:
    """For each pool, the current questions it may draw from (their head documents)."""
    docs, found = _docs(platform, ctx), []
    for pool in pools:
        filters = [Filter("type", "eq", "question"), Filter("bankId", "eq", pool.bankId)]
        filters += [Filter("tags", "contains", tag) for tag in pool.tags]
        if pool.difficulty:
            filters.append(Filter("difficulty", "eq", pool.difficulty))
        items: list[Document] = []
        continuation: str | None = None
        while True:
            page = docs.query(filters, order_by=BY_ID, limit=1000, continuation=continuation)
            items += page.items
            continuation = page.continuation
            if not continuation or len(items) >= MAX_POOL_CANDIDATES:
                break
        found.append(items)
    return found
