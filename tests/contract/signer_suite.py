"""The contract of the UrlSigner port, written only against the port.

Every adapter (embedded HMAC, Azure user-delegation SAS) runs this suite by subclassing
``UrlSignerContract`` in a ``test_*.py`` file and providing:

- ``signer``: the ``UrlSigner`` under test;
- ``advance_clock``: a callable(seconds) that moves the adapter's time forward, or None
  when the adapter cannot control time (its expiry tests are then skipped).

The signed URL's query string is what a client sends back; it carries the expiry in
``se``, the permission in ``sp``, the scope in ``sr`` and the signature in ``sig``
(the names of an Azure SAS), and ``verify`` receives it parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.errors import Forbidden
from shared.platform.signer import Permission, UrlSigner
from tests.contract._hypothesis import SUITE_HEALTH_CHECKS

AdvanceClock = Callable[[float], None] | None

C = "media"
NAME = "courses/c-1/lesson 1/video.mp4"
TTL = 600
ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"


def query(url: str) -> dict[str, str]:
    """The query parameters of a signed URL, as the route that checks it receives them."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def require(advance_clock: AdvanceClock) -> Callable[[float], None]:
    if advance_clock is None:
        pytest.skip("this adapter cannot move its clock")
    return advance_clock


def an_hour_later(expiry: str) -> str:
    """``se`` an hour later, in its own format: epoch seconds (HMAC) or ISO 8601 (Azure SAS)."""
    if expiry.isdigit():
        return str(int(expiry) + 3600)
    later = datetime.strptime(expiry, ISO_SECONDS) + timedelta(hours=1)
    return later.strftime(ISO_SECONDS)


def with_value(params: dict[str, str], key: str, value: str) -> dict[str, str]:
    return {**params, key: value}


class UrlSignerContract:
    # --- happy paths --------------------------------------------------------------------------

    def test_a_signed_url_verifies_for_its_blob(self, signer: UrlSigner) -> None:
        url = signer.sign(C, NAME, ttl_seconds=TTL)
        signer.verify(C, NAME, query(url))
        assert unquote(urlsplit(url).path).endswith(f"/{C}/{NAME}")

    def test_a_write_url_verifies_for_writing(self, signer: UrlSigner) -> None:
        signer.verify(C, NAME, query(signer.sign(C, NAME, ttl_seconds=TTL, permission="w")), "w")

    def test_a_url_is_valid_until_its_ttl_and_forbidden_after(
        self, signer: UrlSigner, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        advance(TTL - 1)
        signer.verify(C, NAME, params)
        advance(2)
        with pytest.raises(Forbidden):
            signer.verify(C, NAME, params)

    # --- scope --------------------------------------------------------------------------------

    def test_a_blob_url_does_not_verify_for_another_blob(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        for other in (NAME + "x", NAME.upper(), "courses/c-1/lesson 1/other.mp4", "courses/c-1/lesson 1"):
            with pytest.raises(Forbidden):
                signer.verify(C, other, params)

    def test_a_url_does_not_verify_in_another_container(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        with pytest.raises(Forbidden):
            signer.verify("other", NAME, params)

    def test_a_prefix_url_verifies_under_the_prefix_and_nowhere_else(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, "courses/c-1/", ttl_seconds=TTL, prefix=True))
        for inside in ("courses/c-1/a.mp4", "courses/c-1/lesson 2/deep/b.vtt"):
            signer.verify(C, inside, params)
        for outside in ("courses/c-2/a.mp4", "courses/a.mp4", "courses/c-1", "other/courses/c-1/a.mp4"):
            with pytest.raises(Forbidden):
                signer.verify(C, outside, params)
        with pytest.raises(Forbidden):
            signer.verify("other", "courses/c-1/a.mp4", params)

    # --- permission ---------------------------------------------------------------------------

    def test_write_permission_does_not_grant_read(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL, permission="w"))
        with pytest.raises(Forbidden):
            signer.verify(C, NAME, params, "r")

    def test_read_permission_does_not_grant_write(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        with pytest.raises(Forbidden):
            signer.verify(C, NAME, params, "w")

    # --- tampering ----------------------------------------------------------------------------

    def test_a_later_expiry_is_refused(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        with pytest.raises(Forbidden):
            signer.verify(C, NAME, with_value(params, "se", an_hour_later(params["se"])))

    def test_an_expiry_that_is_not_a_number_is_refused(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        for bad in ("", "soon", "9" * 40, "-1", params["se"] + ".0"):
            with pytest.raises(Forbidden):
                signer.verify(C, NAME, with_value(params, "se", bad))

    @pytest.mark.parametrize(("signed", "claimed"), [("r", "w"), ("r", "rw"), ("w", "r"), ("w", "rw")])
    def test_a_changed_permission_is_refused(self, signer: UrlSigner, signed: Permission, claimed: str) -> None:
        params = with_value(query(signer.sign(C, NAME, ttl_seconds=TTL, permission=signed)), "sp", claimed)
        for wanted in ("r", "w"):
            with pytest.raises(Forbidden):
                signer.verify(C, NAME, params, wanted)  # type: ignore[arg-type]

    def test_widening_a_blob_url_to_a_prefix_is_refused(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, "courses/c-1/", ttl_seconds=TTL))
        widened = {**params, "sr": "p", "spfx": "courses/c-1/"}
        with pytest.raises(Forbidden):
            signer.verify(C, "courses/c-1/a.mp4", widened)

    def test_narrowing_a_prefix_url_to_a_blob_is_refused(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, "courses/c-1/", ttl_seconds=TTL, prefix=True))
        with pytest.raises(Forbidden):
            signer.verify(C, "courses/c-1/", with_value(params, "sr", "b"))

    def test_a_changed_prefix_is_refused(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, "courses/c-1/", ttl_seconds=TTL, prefix=True))
        for key in [k for k, v in params.items() if v == "courses/c-1/"]:
            for wider in ("courses/", "", "c"):
                with pytest.raises(Forbidden):
                    signer.verify(C, "courses/c-2/a.mp4", with_value(params, key, wider))

    def test_a_changed_or_missing_signature_is_refused(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        other = query(signer.sign(C, NAME + ".vtt", ttl_seconds=TTL))
        for forged in ("", params["sig"][:-1], params["sig"][::-1], other["sig"]):
            with pytest.raises(Forbidden):
                signer.verify(C, NAME, with_value(params, "sig", forged))
        with pytest.raises(Forbidden):
            signer.verify(C, NAME, {k: v for k, v in params.items() if k != "sig"})

    def test_an_empty_query_is_refused(self, signer: UrlSigner) -> None:
        with pytest.raises(Forbidden):
            signer.verify(C, NAME, {})

    def test_a_signature_with_non_ascii_characters_is_refused(self, signer: UrlSigner) -> None:
        params = query(signer.sign(C, NAME, ttl_seconds=TTL))
        for forged in ("é" + params["sig"][1:], "\x80" * len(params["sig"]), "🎓"):
            with pytest.raises(Forbidden):
                signer.verify(C, NAME, with_value(params, "sig", forged))

    def check_single_character_change(
        self, signer: UrlSigner, data: st.DataObject, chars: st.SearchStrategy[str]
    ) -> None:
        prefix = data.draw(st.booleans(), label="prefix")
        permission: Permission = data.draw(st.sampled_from(["r", "w"]), label="permission")
        signed_name = "courses/c-1/" if prefix else NAME
        checked_name = "courses/c-1/lesson.mp4" if prefix else NAME
        params = query(signer.sign(C, signed_name, ttl_seconds=TTL, permission=permission, prefix=prefix))
        signer.verify(C, checked_name, params, permission)
        key = data.draw(st.sampled_from(sorted(params)), label="key")
        value = params[key]
        edit = data.draw(st.sampled_from(["replace", "insert", "delete"] if value else ["insert"]), label="edit")
        position = data.draw(st.integers(0, len(value) - (0 if edit == "insert" else 1)), label="position")
        char = data.draw(chars, label="char")
        if edit == "replace":
            changed = value[:position] + char + value[position + 1 :]
        elif edit == "insert":
            changed = value[:position] + char + value[position:]
        else:
            changed = value[:position] + value[position + 1 :]
        assume(changed != value)
        with pytest.raises(Forbidden):
            signer.verify(C, checked_name, with_value(params, key, changed), permission)

    @settings(max_examples=300, deadline=None, suppress_health_check=SUITE_HEALTH_CHECKS)
    @given(data=st.data())
    def test_any_single_ascii_character_change_to_any_parameter_is_refused(
        self, signer: UrlSigner, data: st.DataObject
    ) -> None:
        self.check_single_character_change(signer, data, st.characters(codec="ascii"))

    @settings(max_examples=300, deadline=None, suppress_health_check=SUITE_HEALTH_CHECKS)
    @given(data=st.data())
    def test_any_single_character_change_to_any_parameter_is_refused(
        self, signer: UrlSigner, data: st.DataObject
    ) -> None:
        self.check_single_character_change(signer, data, st.characters(codec="utf-8"))
