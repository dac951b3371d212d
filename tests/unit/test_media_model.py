"""Pure media rules: the ladder never upscales, upload names parse back, captions become a transcript."""

from __future__ import annotations

import pytest

from shared.errors import InvalidInput
from shared.media.model import asset_id_of, ladder_for, parse_upload_name, safe_filename, transcript_of_vtt
from shared.media.playback import _master


@pytest.mark.parametrize(
    ("height", "expected"),
    [(2160, [360, 720, 1080]), (1080, [360, 720, 1080]), (720, [360, 720]), (480, [360]), (360, [360]), (241, [240])],
)
def test_the_ladder_holds_every_rung_up_to_the_source_and_never_above(height: int, expected: list[int]) -> None:
    assert [rung.height for rung in ladder_for(height)] == expected


def test_an_upload_name_parses_back_and_names_one_asset() -> None:
    upload = parse_upload_name("acme/intro/u-1/clip.mp4")
    assert upload is not None and (upload.tenant_id, upload.lesson_id, upload.upload_id) == ("acme", "intro", "u-1")
    assert asset_id_of(upload.name) == asset_id_of("acme/intro/u-1/clip.mp4") != asset_id_of("acme/intro/u-2/clip.mp4")
    assert parse_upload_name("acme/intro/clip.mp4") is None
    assert parse_upload_name("acme/intro/u-1/../clip.mp4") is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("My Lesson (final).MP4", "My-Lesson-final.MP4"),
        ("../../x.mov", "x.mov"),
        ("école.mp4", "ecole.mp4"),
        ("???", "video"),
    ],
)
def test_filenames_are_reduced_to_safe_characters(given: str, expected: str) -> None:
    assert safe_filename(given) == expected


def test_a_caption_file_yields_its_cue_text_without_timings_or_markup() -> None:
    vtt = (
        "\ufeffWEBVTT - lesson\r\n\r\nNOTE a comment\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.000 align:start\r\n"
        "<v Ann>Hi &lt;there&gt;</v>\r\n\r\n00:02.000 --> 00:03.000\r\nBye\r\n"
    ).encode()
    assert transcript_of_vtt(vtt) == "Hi <there>\nBye"


@pytest.mark.parametrize(
    "bad",
    [b"", b"WEBVTTX\n\n00:01.000 --> 00:02.000\nx", b"WEBVTT\n\n00:03.000 --> 00:02.000\nx", b"WEBVTT\n", b"\xff\xfe"],
)
def test_a_file_that_is_not_well_formed_webvtt_is_refused(bad: bytes) -> None:
    with pytest.raises(InvalidInput):
        transcript_of_vtt(bad)


def test_the_master_playlist_points_its_variants_back_at_the_playlist_route_with_the_grant() -> None:
    master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n"
    assert _master(master, "a.b+c").splitlines()[-1] == "360p.m3u8?token=a.b%2Bc"
