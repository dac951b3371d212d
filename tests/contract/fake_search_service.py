"""A small in-memory Azure AI Search service behind a fake azure-core transport, for SDK-boundary tests.

``FakeSearchTransport`` records every request the real ``SearchClient``/``SearchIndexClient`` send and
answers either a canned response (queued in ``canned``) or what ``FakeSearchService`` computes. The
service evaluates only the subset the adapter emits, strictly, and answers 400 to anything else:

- filters: ``tenantId eq '<lit>'`` and ``field/any(t: t eq '<lit>' or ...)`` joined by ``and``;
- queries (simple syntax, searchMode all): backslash-escaped words, ``(word | word*)`` groups, ``*``;
  an unescaped operator character anywhere else is a syntax error, as user text must never be syntax;
- analysis like ``standard.lucene`` for the test data: lower-cased runs of letters and digits; a
  word that analyzes to several tokens is a phrase. Scores: BM25 for whole words, a constant for prefixes.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import requests
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._requests_basic import RestRequestsTransportResponse

Answer = tuple[int, Any, dict[str, str]]
_KEY = re.compile(r"[A-Za-z0-9_\-=]{1,1024}")
_FILTER_TOKEN = re.compile(r"\s*(?:(?P<lit>'(?:[^']|'')*')|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[/():]))")


class SyntaxRefused(ValueError):
    """The request uses syntax the fake (and the adapter's contract) does not allow."""


def _word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "Co"


def analyze(text: str) -> list[str]:
    """Lower-cased runs of letters and digits."""
    return [m.group().lower() for m in re.finditer(r"[^\W_]+", text)]


def parse_filter(text: str) -> list[tuple[str, list[str]]]:
    """The (field, accepted values) conjuncts of a filter in the adapter's OData subset."""
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        m = _FILTER_TOKEN.match(text, pos)
        if m is None:
            raise SyntaxRefused(f"unexpected filter text at {pos}: {text[pos : pos + 20]!r}")
        tokens.append(m.group().strip())
        pos = m.end()
    conjuncts, i = [], 0

    def take(expected: str | None = None) -> str:
        nonlocal i
        if i >= len(tokens) or (expected is not None and tokens[i] != expected):
            raise SyntaxRefused(f"expected {expected!r} at token {i} of {tokens}")
        i += 1
        return tokens[i - 1]

    def literal() -> str:
        token = take()
        if not token.startswith("'"):
            raise SyntaxRefused(f"expected a string literal, got {token!r}")
        return token[1:-1].replace("''", "'")

    while True:
        name = take()
        if tokens[i : i + 1] == ["eq"]:
            take("eq")
            conjuncts.append((name, [literal()]))
        else:
            take("/"), take("any"), take("("), take("t"), take(":")
            values = []
            while True:
                take("t"), take("eq")
                values.append(literal())
                if tokens[i : i + 1] != ["or"]:
                    break
                take("or")
            take(")")
            conjuncts.append((name, values))
        if i == len(tokens):
            return conjuncts
        take("and")


def parse_query(text: str) -> list[list[tuple[str, bool]]]:
    """Clauses (all required) of alternatives (word, is_prefix) in the adapter's simple-syntax subset."""
    clauses: list[list[tuple[str, bool]]] = []
    group: list[tuple[str, bool]] | None = None
    word = ""

    def flush(prefix: bool = False) -> None:
        nonlocal word
        if prefix and not word:
            raise SyntaxRefused(f"a '*' without a word in {text!r}")
        if word:
            (group if group is not None else clauses.append([]) or clauses[-1]).append((word, prefix))
        word = ""

    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            word, i = word + text[i + 1], i + 2
            continue
        if c == " ":
            flush()
        elif c == "*" and text[i + 1 : i + 2] in ("", " ", ")"):
            flush(prefix=True)
        elif c == "(" and group is None and not word:
            group = []
        elif c in "|)" and group is not None:
            flush()
            if c == ")":
                clauses.append(group)
                group = None
        elif _word_char(c):
            word += c
        else:
            raise SyntaxRefused(f"unescaped {c!r} at {i} in {text!r}")
        i += 1
    flush()
    if group is not None:
        raise SyntaxRefused(f"unclosed group in {text!r}")
    return [c for c in clauses if c]


@dataclass
class FakeIndex:
    definition: dict[str, Any]
    etag: int = 1
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fields(self) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.definition["fields"]}


class FakeSearchService:
    def __init__(self) -> None:
        self.indexes: dict[str, FakeIndex] = {}

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        """Route one request; SyntaxRefused and bad documents become 400s."""
        m = re.fullmatch(r"/indexes\('([^']*)'\)(/docs/search\.(index|post\.search))?", path)
        try:
            if path == "/servicestats" and method == "GET":
                return 200, {"counters": {}, "limits": {}}, {}
            if m is None:
                return 404, {"error": {"code": "NotFound", "message": path}}, {}
            name, action = m.group(1), m.group(3)
            if action is None:
                return self._index(method, name, headers, body)
            if name not in self.indexes:
                return 404, {"error": {"code": "IndexNotFound", "message": name}}, {}
            index = self.indexes[name]
            return self._write(index, body) if action == "index" else self._search(index, body)
        except SyntaxRefused as exc:
            return 400, {"error": {"code": "InvalidRequest", "message": str(exc)}}, {}

    def _index(self, method: str, name: str, headers: dict[str, str], body: Any) -> Answer:
        index = self.indexes.get(name)
        if method == "GET":
            if index is None:
                return 404, {"error": {"code": "IndexNotFound", "message": name}}, {}
            return 200, {**index.definition, "@odata.etag": f'"{index.etag}"'}, {}
        if headers.get("If-None-Match") == "*" and index is not None:
            return 412, {"error": {"code": "PreconditionFailed", "message": "exists"}}, {}
        if index is not None and headers.get("If-Match") not in (None, f'"{index.etag}"'):
            return 412, {"error": {"code": "PreconditionFailed", "message": "changed"}}, {}
        new = {f["name"]: f for f in body["fields"]}
        if index is not None and any(new.get(n) != f for n, f in index.fields().items()):
            raise SyntaxRefused("existing fields cannot be changed or removed")
        definition = {"name": name, "fields": body["fields"]}
        if index is None:
            self.indexes[name] = FakeIndex(definition)
            return 201, definition, {}
        index.definition, index.etag = definition, index.etag + 1
        return 200, definition, {}

    def _write(self, index: FakeIndex, body: Any) -> Answer:
        fields, key = index.fields(), next(n for n, f in index.fields().items() if f["key"])
        results = []
        for action in body["value"]:
            doc = {k: v for k, v in action.items() if k != "@search.action"}
            if any(k not in fields for k in doc):
                raise SyntaxRefused(f"unknown fields in {sorted(doc)}")
            for n, v in doc.items():
                if fields[n]["type"].startswith("Collection") != isinstance(v, list) and v is not None:
                    raise SyntaxRefused(f"{n} has the wrong type")
            if not _KEY.fullmatch(str(doc.get(key))):
                results.append({"key": doc.get(key), "status": False, "statusCode": 400, "errorMessage": "bad key"})
                continue
            kind = action["@search.action"]
            if kind == "delete":
                index.docs.pop(doc[key], None)
            else:  # upload replaces; merge and mergeOrUpload keep the fields the action leaves out
                index.docs[doc[key]] = doc if kind == "upload" else {**index.docs.get(doc[key], {}), **doc}
            results.append({"key": doc[key], "status": True, "statusCode": 201, "errorMessage": None})
        return (207 if any(not r["status"] for r in results) else 200), {"value": results}, {}

    def _search(self, index: FakeIndex, body: dict[str, Any]) -> Answer:
        fields = index.fields()
        conjuncts = parse_filter(body["filter"]) if body.get("filter") else []
        for name, _ in conjuncts:
            if not fields.get(name, {}).get("filterable"):
                raise SyntaxRefused(f"{name} is not filterable")
        text = body.get("search") or "*"
        clauses = [] if text == "*" else parse_query(text)
        searchable = [n for n, f in fields.items() if f["searchable"]]
        docs = [d for d in index.docs.values() if all(_accepts(d.get(n), values) for n, values in conjuncts)]
        stats = _Stats(list(index.docs.values()), searchable)
        scored = [(stats.score(d, clauses), d) for d in docs]
        matched = [(s, d) for s, d in scored if s is not None]
        if body.get("orderby") != "search.score() desc,id asc":
            raise SyntaxRefused(f"unexpected orderby {body.get('orderby')}")
        matched.sort(key=lambda pair: (-pair[0], pair[1]["id"]))
        page = matched[body.get("skip", 0) :][: body.get("top", 50)]
        select = body["select"].split(",") if body.get("select") else list(fields)
        wanted = body["highlight"].split(",") if body.get("highlight") else []
        value = []
        for score, doc in page:
            row = {n: doc.get(n) for n in select}
            row["@search.score"] = score
            if wanted:
                row["@search.highlights"] = {n: h for n in wanted if (h := _highlights(doc.get(n), clauses))}
            value.append(row)
        return 200, {"@odata.count": len(matched), "value": value} if body.get("count") else {"value": value}, {}


def _accepts(stored: Any, values: list[str]) -> bool:
    return any(v in (stored if isinstance(stored, list) else [stored]) for v in values)


def _values(value: Any) -> list[str]:
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


class _Stats:
    """BM25 over every document of the index (the service's statistics span tenants, too)."""

    def __init__(self, docs: list[dict[str, Any]], searchable: list[str]) -> None:
        self.searchable = searchable
        self.tokens = [{n: [analyze(v) for v in _values(d.get(n))] for n in searchable} for d in docs]
        self.count = max(1, len(docs))
        self.avg = {n: max(1.0, sum(sum(map(len, t[n])) for t in self.tokens) / self.count) for n in searchable}

    def score(self, doc: dict[str, Any], clauses: list[list[tuple[str, bool]]]) -> float | None:
        if not clauses:
            return 1.0
        fields = {n: [analyze(v) for v in _values(doc.get(n))] for n in self.searchable}
        total = 0.0
        for alternatives in clauses:
            scores = [s for word, prefix in alternatives if (s := self._term(fields, word, prefix)) is not None]
            if not scores:
                return None
            total += sum(scores)
        return total

    def _term(self, fields: dict[str, list[list[str]]], word: str, prefix: bool) -> float | None:
        terms = analyze(word)
        if prefix:
            hit = any(t.startswith(word.lower()) for values in fields.values() for v in values for t in v)
            return 1.0 if hit else None
        found = None
        for name, values in fields.items():
            tf = sum(_phrase_count(v, terms) for v in values)
            if tf:
                df = sum(1 for t in self.tokens if any(_phrase_count(v, terms) for v in t[name]))
                idf = math.log(1 + (self.count - df + 0.5) / (df + 0.5))
                norm = 1.2 * (0.25 + 0.75 * sum(map(len, values)) / self.avg[name])
                found = (found or 0.0) + idf * tf * 2.2 / (tf + norm)
        return found


def _phrase_count(tokens: list[str], phrase: list[str]) -> int:
    n = len(phrase)
    return sum(1 for i in range(len(tokens) - n + 1) if n and tokens[i : i + n] == phrase)


def _highlights(value: Any, clauses: list[list[tuple[str, bool]]]) -> list[str]:
    words = [(analyze(w), p) for alternatives in clauses for w, p in alternatives]

    def hit(token: str) -> bool:
        return any((p and token.startswith(t[0])) or (not p and token in t) for t, p in words if t)

    fragments = []
    for text in _values(value):
        marked = re.sub(r"[^\W_]+", lambda m: f"<em>{m.group()}</em>" if hit(m.group().lower()) else m.group(), text)
        if marked != text:
            fragments.append(marked)
    return fragments


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeSearchTransport(HttpTransport):  # type: ignore[misc]
    """Records each request; answers from ``canned`` first (status, JSON, headers), else from the service."""

    def __init__(self, service: FakeSearchService | None = None) -> None:
        self.service = service or FakeSearchService()
        self.requests: list[Recorded] = []
        self.canned: list[Answer] = []

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __exit__(self, *args: object) -> None:
        pass

    def send(self, request: Any, **kwargs: Any) -> RestRequestsTransportResponse:
        raw = request.content
        body = json.loads(raw) if raw else None
        path = requests.utils.urlparse(request.url).path
        self.requests.append(Recorded(request.method, path, dict(request.headers), body))
        if self.canned:
            status, payload, headers = self.canned.pop(0)
        else:
            status, payload, headers = self.service.handle(request.method, path, dict(request.headers), body)
        response = requests.Response()
        response.status_code, response.url = status, request.url
        response.headers.update({"Content-Type": "application/json", **headers})
        response.raw = io.BytesIO(json.dumps(payload).encode())
        answer = RestRequestsTransportResponse(request=request, internal_response=response)
        answer.read()
        return answer
