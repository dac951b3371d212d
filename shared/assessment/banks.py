"""Question banks and their versioned questions.

A question is a head document (the current version, queried when quizzes draw) plus one
immutable document per version. Editing writes the next version; attempts keep a snapshot
of the version they drew, so an edit never changes a started attempt.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Sequence
from typing import Any, NamedTuple

from shared.assessment.documents import BankDoc, QuestionHead, QuestionVersion
from shared.assessment.model import BANKS, BY_ID, BankCreate, BankView, Pool, QuestionCreate, QuestionView
from shared.errors import Conflict, NotFound
from shared.kernel import Paged
from shared.platform.documents import Filter
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = [
    "Candidate",
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
# A pool's candidates are cached under the bank's generation, which every question added or edited
# replaces: an exam burst reads the bank once, and a start after an edit draws from the edited bank.
CANDIDATES_CACHE_SECONDS = 300.0


class Candidate(NamedTuple):
    """What a draw needs of a question head: its id, current version and content (no authors)."""

    questionId: str
    version: int
    question: dict[str, Any]


def _generation_key(ctx: TenantContext, bank_id: str) -> str:
    return f"assessment:{ctx.tenant_id}:bank:{bank_id}:generation"


def _bank_changed(platform: Platform, ctx: TenantContext, bank_id: str) -> None:
    platform.cache.delete(_generation_key(ctx, bank_id))


def _generation(platform: Platform, ctx: TenantContext, bank_id: str) -> str:
    key = _generation_key(ctx, bank_id)
    generation = platform.cache.get(key)
    if not isinstance(generation, str):
        generation = secrets.token_hex(8)
        platform.cache.set(key, generation, CANDIDATES_CACHE_SECONDS * 10)
    return generation


def _banks(platform: Platform, ctx: TenantContext) -> TenantDocuments[BankDoc]:
    return TenantDocuments(platform.documents, BANKS, ctx, BankDoc)


def _heads(platform: Platform, ctx: TenantContext) -> TenantDocuments[QuestionHead]:
    return TenantDocuments(platform.documents, BANKS, ctx, QuestionHead)


def _versions(platform: Platform, ctx: TenantContext) -> TenantDocuments[QuestionVersion]:
    return TenantDocuments(platform.documents, BANKS, ctx, QuestionVersion)


# Ids of the kinds of document this container holds; resource ids have no '.', so they never meet.
def _bank_doc_id(bank_id: str) -> str:
    return f"bank.{bank_id}"


def _question_doc_id(question_id: str) -> str:
    return f"question.{question_id}"


def _bank_view(doc: BankDoc) -> BankView:
    return BankView(
        id=doc.bankId, title=doc.title, description=doc.description, createdAt=doc.createdAt, updatedAt=doc.updatedAt
    )


def _question_view(doc: QuestionHead) -> QuestionView:
    # The question's own fields (its ``type`` is the question type: single_choice, essay, ...), then the
    # head's bookkeeping; the head's document kind ("question") is never the question's type.
    return QuestionView.model_validate(
        {
            **doc.question,
            "id": doc.questionId,
            "bankId": doc.bankId,
            "version": doc.version,
            "tags": doc.tags,
            "difficulty": doc.difficulty,
            "createdAt": doc.createdAt,
            "updatedAt": doc.updatedAt,
        }
    )


def create_bank(platform: Platform, ctx: TenantContext, body: BankCreate) -> BankView:
    """Start an empty question bank of the tenant."""
    bank_id, now = platform.ids.new_id(), platform.clock.now().isoformat()
    doc = BankDoc(
        id=_bank_doc_id(bank_id),
        bankId=bank_id,
        title=body.title,
        description=body.description,
        createdBy=ctx.user_id,
        createdAt=now,
        updatedAt=now,
    )
    return _bank_view(_banks(platform, ctx).create(doc))


def get_bank(platform: Platform, ctx: TenantContext, bank_id: str) -> BankView:
    """One bank of the tenant."""
    return _bank_view(_banks(platform, ctx).read(_bank_doc_id(bank_id)))


def require_bank(platform: Platform, ctx: TenantContext, bank_id: str) -> None:
    """``NotFound`` unless the tenant has this bank."""
    _banks(platform, ctx).read(_bank_doc_id(bank_id))


def list_banks(platform: Platform, ctx: TenantContext, *, limit: int, continuation: str | None) -> Paged[BankView]:
    """A page of the tenant's banks, oldest first."""
    page = _banks(platform, ctx).query(order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[BankView](items=[_bank_view(d) for d in page.items], continuation=page.continuation)


def _store_version(platform: Platform, ctx: TenantContext, head: QuestionHead) -> None:
    # Versions are immutable: if this one was stored already (a retried edit), it is this one.
    version = QuestionVersion(
        id=f"{head.id}.v{head.version}",
        questionId=head.questionId,
        bankId=head.bankId,
        version=head.version,
        question=head.question,
        tags=head.tags,
        difficulty=head.difficulty,
        updatedAt=head.updatedAt,
        updatedBy=head.updatedBy,
    )
    with contextlib.suppress(Conflict):
        _versions(platform, ctx).create(version)


def _question_json(body: QuestionCreate) -> dict[str, Any]:
    return body.model_dump()


def add_question(platform: Platform, ctx: TenantContext, bank_id: str, body: QuestionCreate) -> QuestionView:
    """Add a question (version 1) to a bank of the tenant; ``NotFound`` for an unknown bank."""
    require_bank(platform, ctx, bank_id)
    question_id, now = platform.ids.new_id(), platform.clock.now().isoformat()
    question = _question_json(body)
    head = QuestionHead(
        id=_question_doc_id(question_id),
        questionId=question_id,
        bankId=bank_id,
        version=1,
        question=question,
        tags=question["tags"],
        difficulty=question["difficulty"],
        createdAt=now,
        updatedAt=now,
        updatedBy=ctx.user_id,
    )
    _store_version(platform, ctx, head)
    created = _heads(platform, ctx).create(head)
    _bank_changed(platform, ctx, bank_id)
    return _question_view(created)


def update_question(
    platform: Platform, ctx: TenantContext, bank_id: str, question_id: str, body: QuestionCreate
) -> QuestionView:
    """Edit a question: the edit becomes its next version (the same content again changes nothing)."""
    heads = _heads(platform, ctx)
    head = heads.read(_question_doc_id(question_id))
    if head.bankId != bank_id:
        raise NotFound()
    question = _question_json(body)
    if question == head.question:
        return _question_view(head)
    updated = head.model_copy(
        update={
            "question": question,
            "tags": question["tags"],
            "difficulty": question["difficulty"],
            "version": head.version + 1,
            "updatedAt": platform.clock.now().isoformat(),
            "updatedBy": ctx.user_id,
        }
    )
    _store_version(platform, ctx, updated)
    replaced = heads.replace(updated, if_match=head.etag)
    _bank_changed(platform, ctx, bank_id)
    return _question_view(replaced)


def list_questions(
    platform: Platform, ctx: TenantContext, bank_id: str, *, limit: int, continuation: str | None
) -> Paged[QuestionView]:
    """A page of a bank's questions (current versions, with their keys), oldest first."""
    require_bank(platform, ctx, bank_id)
    filters = [Filter("bankId", "eq", bank_id)]
    page = _heads(platform, ctx).query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[QuestionView](items=[_question_view(d) for d in page.items], continuation=page.continuation)


def draw_candidates(platform: Platform, ctx: TenantContext, pools: Sequence[Pool]) -> list[list[Candidate]]:
    """For each pool, the current questions it may draw from (from the cache while the bank is
    unchanged, else from its head documents)."""
    found = []
    for pool in pools:
        # The generation first: a question added while this pool loads makes a new one, so what
        # is stored below under the old generation is never read again.
        generation = _generation(platform, ctx, pool.bankId)
        shape = json.dumps([pool.tags, pool.difficulty], separators=(",", ":"))
        key = f"assessment:{ctx.tenant_id}:draw:{pool.bankId}:{generation}:{shape}"
        cached = platform.cache.get(key)
        if isinstance(cached, list):
            found.append([Candidate(*item) for item in cached])
            continue
        candidates = [Candidate(h.questionId, h.version, h.question) for h in _pool_heads(platform, ctx, pool)]
        platform.cache.set(key, [list(c) for c in candidates], CANDIDATES_CACHE_SECONDS)
        found.append(candidates)
    return found


def _pool_heads(platform: Platform, ctx: TenantContext, pool: Pool) -> list[QuestionHead]:
    heads = _heads(platform, ctx)
    filters = [Filter("bankId", "eq", pool.bankId)]
    filters += [Filter("tags", "contains", tag) for tag in pool.tags]
    if pool.difficulty:
        filters.append(Filter("difficulty", "eq", pool.difficulty))
    items: list[QuestionHead] = []
    continuation: str | None = None
    while True:
        page = heads.query(filters, order_by=BY_ID, limit=1000, continuation=continuation)
        items += page.items
        continuation = page.continuation
        if not continuation or len(items) >= MAX_POOL_CANDIDATES:
            return items
