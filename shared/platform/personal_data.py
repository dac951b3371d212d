"""Personal data, as every context holds some: how a GDPR export finds it and an erasure removes it.

A context that holds personal data contributes a ``PersonalData``: ``export_user`` (its part of the
user's archive), ``erase_user`` (delete the user's own records, pseudonymise the ones that must stay)
and ``purge_activity_before`` (retention: drop activity detail older than the tenant keeps). The
composition root registers each context's contribution; the privacy context calls them all, so no
context imports another to find what it holds.

The contributors share the tools below. A context finds what it holds about a user with
``documents_mentioning`` (every document of one kind that names the user's id, email or display name,
in any field) and either deletes it or keeps it with the user replaced by their pseudonym
(``pseudonymise``). The pseudonym is an HMAC of the tenant and user id under a secret only the
platform holds (``gdpr-pseudonym-key`` in Key Vault): records that must stay (an order, a certificate,
who graded an essay) still read as the work of one person, but nobody can get from the pseudonym back
to the user without the key. Rotating the key makes the link unrecoverable for good.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, overload

from shared.platform.documents import SYSTEM_FIELDS, Document, Filter
from shared.platform.runtime import Platform
from shared.platform.secrets import ensure_secret
from shared.platform.stored import StoredDocument, to_document
from shared.platform.tenancy import DictDocuments, TenantContext, TenantDocuments

__all__ = [
    "ERASED",
    "PSEUDONYM_KEY_SECRET",
    "ErasedUser",
    "PersonalData",
    "PersonalDataFunctions",
    "documents_mentioning",
    "erase_mentions",
    "exported",
    "mentions",
    "pseudonym_of",
    "pseudonymise",
]

M = TypeVar("M", bound=StoredDocument)

ERASED = "(erased)"
PSEUDONYM_KEY_SECRET = "gdpr-pseudonym-key"  # noqa: S105 - the name of a secret, not its value
SCAN_PAGE = 500
# Display names shorter than this are not searched for in free text: "Al" would match every "Al".
MIN_NAME_CHARS = 3
# A user id is a run of these characters; a match must not be part of a longer run.
_ID_CHARS = r"A-Za-z0-9_@\-"
_BEFORE = rf"(?<![{_ID_CHARS}.])"
_AFTER = rf"(?![{_ID_CHARS}])(?!\.[A-Za-z0-9])"


@dataclass(frozen=True)
class ErasedUser:
    """Who is being exported or erased: the identifiers to look for, and what replaces them."""

    user_id: str
    pseudonym: str
    email: str | None = None
    display_name: str | None = None

    def _replacements(self) -> list[tuple[re.Pattern[str], str]]:
        found = [(re.compile(_BEFORE + re.escape(self.user_id) + _AFTER), self.pseudonym)]
        if self.email:
            found.append((re.compile(_BEFORE + re.escape(self.email) + _AFTER, re.IGNORECASE), ERASED))
        if self.display_name and len(self.display_name) >= MIN_NAME_CHARS:
            found.append((re.compile(r"(?<!\w)" + re.escape(self.display_name) + r"(?!\w)"), ERASED))
        return found

    def mentioned_in(self, value: Any) -> bool:
        """Whether any identifier of the user occurs anywhere in ``value`` (keys included)."""
        patterns = [pattern for pattern, _ in self._replacements()]
        return any(pattern.search(text) for text in _strings(value) for pattern in patterns)

    def scrub(self, value: Any) -> Any:
        """``value`` with the user's id replaced by the pseudonym and their email and name by ERASED."""
        replacements = self._replacements()

        def text(s: str) -> str:
            for pattern, replacement in replacements:
                s = pattern.sub(replacement, s)
            return s

        def walk(v: Any) -> Any:
            if isinstance(v, str):
                return text(v)
            if isinstance(v, dict):
                return {text(k): walk(item) for k, item in v.items()}
            if isinstance(v, list):
                return [walk(item) for item in v]
            return v

        return walk(value)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class PersonalData(Protocol):
    """What a context contributes to GDPR export and erasure and to retention. ``activity`` names the
    activity detail ``purge_activity_before`` removes (as the retention entry reports it), or is None
    for a context that keeps none."""

    @property
    def activity(self) -> str | None: ...

    @property
    def section(self) -> str | None:
        """The section of the export archive its part goes to (None: the context's name)."""
        ...

    def export_user(self, platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
        """The context's part of the user's archive: their own records in full, and mentions of them."""
        ...

    def erase_user(self, platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
        """Delete the user's own records; keep what must stay with the user replaced by ``who.pseudonym``.
        Idempotent: a retried erasure finishes what a failed one began."""
        ...

    def purge_activity_before(self, platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
        """Remove activity detail recorded before ``cutoff``; return how many documents changed."""
        ...


def _nothing_to_purge(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
    return 0


@dataclass(frozen=True)
class PersonalDataFunctions:
    """A ``PersonalData`` made of a context's service functions."""

    export_user: Callable[[Platform, TenantContext, ErasedUser], dict[str, Any]]
    erase_user: Callable[[Platform, TenantContext, ErasedUser], None]
    purge_activity_before: Callable[[Platform, TenantContext, datetime], int] = _nothing_to_purge
    activity: str | None = None
    section: str | None = None


def pseudonym_of(platform: Platform, tenant_id: str, user_id: str) -> str:
    """The user's pseudonym: the same on every call (so a retried erasure agrees with itself), and
    not derivable from the user id without the platform's secret key."""
    key = ensure_secret(platform.secrets, PSEUDONYM_KEY_SECRET, lambda: secrets.token_urlsafe(32))
    digest = hmac.new(key.encode(), f"{tenant_id}\x1f{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"erased-{digest[:24]}"


# The helpers take a typed collection (``TenantDocuments[M]``, whose documents are models) or, where a
# context scans raw JSON, a ``DictDocuments`` (whose documents are dicts).


def _body(doc: StoredDocument | Document) -> Document:
    if isinstance(doc, StoredDocument):
        return to_document(doc)
    return {k: v for k, v in doc.items() if k not in SYSTEM_FIELDS}


@overload
def documents_mentioning(docs: TenantDocuments[M], who: ErasedUser, filters: Sequence[Filter] = ()) -> list[M]: ...
@overload
def documents_mentioning(docs: DictDocuments, who: ErasedUser, filters: Sequence[Filter] = ()) -> list[Document]: ...
def documents_mentioning(docs: Any, who: ErasedUser, filters: Sequence[Filter] = ()) -> list[Any]:
    """Every document (of the collection, within the tenant) that mentions the user, read to the end
    before the caller changes any, so deleting or re-keying them cannot disturb the paging. An erasure
    is rare and must miss nothing, so this reads all the tenant's documents of the collection."""
    return [doc for doc in _all(docs, filters) if who.mentioned_in(_body(doc))]


def _all(docs: Any, filters: Sequence[Filter]) -> Iterator[Any]:
    continuation: str | None = None
    while True:
        page = docs.query(filters, limit=SCAN_PAGE, continuation=continuation)
        yield from page.items
        continuation = page.continuation
        if not continuation:
            return


def exported(doc: StoredDocument | Document) -> Document:
    """A stored document as an export shows it: without the store's system properties."""
    return _body(doc)


def mentions(doc: StoredDocument | Document, who: ErasedUser) -> dict[str, Any]:
    """What an export shows of a document that is not the user's own but names them (a course they
    wrote, an essay they graded): its id and type, and each top-level field that names them."""
    body = _body(doc)
    fields = {k: v for k, v in body.items() if who.mentioned_in(v)}
    return {"id": body["id"], "type": body.get("type"), "fields": fields}


@overload
def pseudonymise(docs: TenantDocuments[M], who: ErasedUser, doc: M) -> M: ...
@overload
def pseudonymise(docs: DictDocuments, who: ErasedUser, doc: Document) -> Document: ...
def pseudonymise(docs: Any, who: ErasedUser, doc: Any) -> Any:
    """Keep a document that names the user with the user replaced by their pseudonym; one whose id
    named them is stored under the pseudonymous id and the old one deleted."""
    body = _body(doc)
    scrubbed = who.scrub(body)
    etag = doc.etag if isinstance(doc, StoredDocument) else doc["_etag"]
    replacement = docs.model.model_validate(scrubbed) if isinstance(docs, TenantDocuments) else scrubbed
    if scrubbed["id"] == body["id"]:
        return docs.replace(replacement, if_match=etag)
    stored = docs.upsert(replacement)
    docs.delete(body["id"])
    return stored


def erase_mentions(
    docs: TenantDocuments[M],
    who: ErasedUser,
    *,
    own: Callable[[M], bool] | None = None,
    erase: Callable[[M], object] | None = None,
    keep: Callable[[M], bool] | None = None,
) -> None:
    """The erasure of one kind of document: each document that is the user's ``own`` is erased
    (deleted, or handed to ``erase``), each one to ``keep`` is left as it is, and every other
    document that names the user is pseudonymised."""
    for doc in documents_mentioning(docs, who):
        if keep is not None and keep(doc):
            continue
        if own is not None and own(doc):
            if erase is not None:
                erase(doc)
            else:
                docs.delete(doc.id)
        else:
            pseudonymise(docs, who, doc)
