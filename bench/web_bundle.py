"""Web bundle sizes: every built chunk of the web app, raw and gzipped, and a learner's first load.

Reads the build (``web/dist``, its ``.vite/manifest.json``): prints each JS and CSS file with its raw
and gzip (level 9) bytes and the area that loads it, then the JavaScript a learner's first page load
fetches (the entry and its static imports; the staff areas, the Entra sign-in and the video player
are lazy chunks) against the aim of 150 KB gzipped. ``python -m bench.web_bundle [--dist web/dist]``;
``make bench`` builds the app first.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

AIM_FIRST_LOAD_GZIP = 150 * 1024


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def closure(manifest: dict[str, Any], roots: Iterable[str]) -> set[str]:
    """The manifest keys ``roots`` load statically (their imports, transitively)."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        key = stack.pop()
        if key in seen or key not in manifest:
            continue
        seen.add(key)
        stack.extend(manifest[key].get("imports", []))
    return seen


def area_of(key: str) -> str:
    if key == "index.html":
        return "learner (entry)"
    for prefix, area in (
        ("src/instructor/", "instructor"),
        ("src/admin/", "admin"),
        ("src/auth/entra", "entra sign-in"),
        ("src/learner/VideoLesson", "video player"),
        ("node_modules/hls.js", "video player"),
    ):
        if key.startswith(prefix):
            return area
    return "shared"


STAFF = {"instructor", "admin"}


def areas(manifest: dict[str, Any]) -> dict[str, str]:
    """Each built file's area: the entry's, or that of the lazy entries that load it (a chunk only the
    instructor and admin areas load, such as their charts, is "staff areas")."""
    roots = [key for key, chunk in manifest.items() if chunk.get("isEntry") or chunk.get("isDynamicEntry")]
    loaded_by: dict[str, set[str]] = {}
    for root in roots:
        for key in closure(manifest, [root]):
            loaded_by.setdefault(key, set()).add(area_of(root))
    out: dict[str, str] = {}
    for key, chunk in manifest.items():
        found = loaded_by.get(key, {area_of(key)})
        if "learner (entry)" in found:
            area = "learner (entry)"
        elif len(found) == 1:
            area = next(iter(found))
        else:
            area = "staff areas" if found <= STAFF else "lazy, shared"
        for file in [chunk["file"], *chunk.get("css", [])]:
            out.setdefault(file, area)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_bundle")
    parser.add_argument("--dist", type=Path, default=Path("web/dist"))
    args = parser.parse_args(argv)
    manifest_path = args.dist / ".vite" / "manifest.json"
    if not manifest_path.exists():
        print(f"{manifest_path} not found: build the web app first (make web)", file=sys.stderr)
        return 2
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    area_by_file = areas(manifest)
    sizes: dict[str, tuple[int, int]] = {}
    print(f"{'file':<44} {'area':<16} {'raw':>10} {'gzip':>10}")
    for path in sorted((args.dist / "assets").iterdir()):
        if path.suffix not in {".js", ".css"}:
            continue
        data = path.read_bytes()
        name = f"assets/{path.name}"
        sizes[name] = (len(data), gzipped(data))
        area = area_by_file.get(name, "css" if path.suffix == ".css" else "shared")
        print(f"{name:<44} {area:<16} {sizes[name][0]:>10,} {sizes[name][1]:>10,}")

    def js_of(keys: Iterable[str]) -> tuple[int, int]:
        files = {manifest[k]["file"] for k in keys}
        return sum(sizes[f][0] for f in files), sum(sizes[f][1] for f in files)

    first = closure(manifest, ["index.html"])
    raw, gz = js_of(first)
    print(f"\nlearner first load JS: {len(first)} file(s), {raw:,} B raw, {gz:,} B gzip ({gz / 1024:.1f} KB)")
    verdict = "within" if gz <= AIM_FIRST_LOAD_GZIP else "OVER"
    print(f"aim: < {AIM_FIRST_LOAD_GZIP // 1024} KB gzip: {verdict}")
    entra = [key for key in manifest if area_of(key) == "entra sign-in"]
    eraw, egz = js_of(closure(manifest, ["index.html", *entra]))
    print(f"first load with VITE_AUTH_MODE=entra (+ MSAL): {eraw:,} B raw, {egz:,} B gzip ({egz / 1024:.1f} KB)")
    player = [key for key in manifest if area_of(key) == "video player"]
    vraw, vgz = js_of(closure(manifest, ["index.html", *player]))
    print(f"learner on a video lesson (+ player, hls.js): {vraw:,} B raw, {vgz:,} B gzip ({vgz / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
