"""The rules that find and replace a user's identifiers in stored documents (GDPR erasure)."""

from __future__ import annotations

from pathlib import Path

from shared.bootstrap import bootstrap
from shared.platform.personal_data import ERASED, ErasedUser, pseudonym_of
from shared.settings import Settings

ANN = ErasedUser(user_id="ann", pseudonym="erased-1234", email="ann.lee@example.com", display_name="Ann Lee")


def test_the_user_id_is_replaced_wherever_it_stands_alone_and_only_there() -> None:
    doc = {"userId": "ann", "id": "course-1:ann", "enrolledBy": "anna", "note": "by ann.", "other": "joanne"}
    assert ANN.scrub(doc) == {
        "userId": "erased-1234",
        "id": "course-1:erased-1234",
        "enrolledBy": "anna",
        "note": "by erased-1234.",
        "other": "joanne",
    }


def test_email_and_name_become_erased_in_nested_values_and_keys() -> None:
    doc = {"after": {"email": "ANN.LEE@example.com", "people": ["Ann Lee", "Ann Leeds"]}, "ann": 1}
    assert ANN.scrub(doc) == {"after": {"email": ERASED, "people": [ERASED, "Ann Leeds"]}, "erased-1234": 1}


def test_a_document_is_found_only_when_it_names_the_user() -> None:
    assert ANN.mentioned_in({"lessons": {"intro": {"manual": {"by": "ann"}}}})
    assert not ANN.mentioned_in({"createdBy": "annabel", "title": "Planning"})


def test_the_pseudonym_is_stable_under_one_key_and_unrelated_under_another(tmp_path: Path) -> None:
    first = bootstrap(Settings(data_dir=tmp_path / "a"))
    second = bootstrap(Settings(data_dir=tmp_path / "b"))
    assert pseudonym_of(first, "t1", "ann") == pseudonym_of(first, "t1", "ann")
    assert pseudonym_of(first, "t1", "ann") != pseudonym_of(first, "t2", "ann")
    assert pseudonym_of(first, "t1", "ann") != pseudonym_of(second, "t1", "ann")
    assert "ann" not in pseudonym_of(first, "t1", "ann")
