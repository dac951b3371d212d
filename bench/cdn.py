"""CDN benchmark: the cache hit ratio an audience of one lesson gets from Front Door.

1,000 learners watch one video lesson, arriving over an hour (seeded, so every run is the same
audience), each at a rendition and for a length of their own, each served by one of a few Front
Door points of presence (POPs). Each learner does what the web app does: the lesson's video view
(a grant), the master and the variant playlist and, for an encrypted ladder, the key, all from
the API; then the segments through a model of Front Door's cache. The model's caching rules are
read from the tree's own ``infra/modules/frontdoor.bicep`` (the route's query-string behaviour and
each rule overriding it for a file name prefix and extension); a miss is fetched from the origin
(the embedded profile's signed blob route), which must answer 200.

What is measured is a count, not a speed, so the requests run in process on the platform's manual
clock (the hour passes in a few seconds). ``--before REF`` runs the same audience against another
commit (checked out in a temporary git worktree) and prints both side by side.

``python -m bench.cdn [--viewers 1000] [--pops 4] [--seconds 40] [--before REF]``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULT_MARK = "CDN-RESULT "


@dataclass(frozen=True)
class CacheRule:
    """Front Door's cache key for requests whose file name starts with ``prefix`` and ends in ``.ext``."""

    prefix: str
    extension: str
    ignore_query: bool


@dataclass
class FrontDoorModel:
    """The cache of each POP, keyed as the Bicep's route and rules key it."""

    default_ignores_query: bool
    rules: list[CacheRule]
    caches: dict[int, set[str]] = field(default_factory=dict)

    def key(self, url: str) -> str:
        parts = urlsplit(url)
        name = parts.path.rsplit("/", 1)[-1]
        ignore = self.default_ignores_query
        for rule in self.rules:
            if name.startswith(rule.prefix) and name.lower().endswith(f".{rule.extension}"):
                ignore = rule.ignore_query
                break
        return parts.path if ignore else f"{parts.path}?{parts.query}"

    def lookup(self, pop: int, url: str) -> bool:
        """A hit, or a miss that the POP now caches."""
        cache, key = self.caches.setdefault(pop, set()), self.key(url)
        if key in cache:
            return True
        cache.add(key)
        return False


def _resolve(value: Any, parameters: dict[str, Any]) -> Any:
    """A Bicep value, with a bare parameter name replaced by the parameter's default."""
    if isinstance(value, str) and value in parameters:
        return parameters[value].get("default", value)
    return value


def front_door_model(bicep: Path) -> FrontDoorModel:
    """The cache rules of ``frontdoor.bicep``: the route's default and each RouteConfigurationOverride."""
    from pycep import BicepParser

    parsed = BicepParser().parse(file_path=bicep)
    parameters = parsed.get("parameters", {})
    default_ignores = False
    rules: list[CacheRule] = []
    for resource in parsed["resources"].values():
        config = resource["config"]
        if resource["type"] == "Microsoft.Cdn/profiles/afdEndpoints/routes":
            behaviour = config["properties"]["cacheConfiguration"]["queryStringCachingBehavior"]
            default_ignores = behaviour == "IgnoreQueryString"
        if resource["type"] == "Microsoft.Cdn/profiles/ruleSets/rules":
            conditions = {c["name"]: c["parameters"] for c in config["properties"]["conditions"]}
            for action in config["properties"]["actions"]:
                cache = action["parameters"].get("cacheConfiguration")
                if action["name"] != "RouteConfigurationOverride" or not cache:
                    continue
                prefixes = [_resolve(v, parameters) for v in conditions.get("UrlFileName", {}).get("matchValues", [""])]
                extensions = conditions.get("UrlFileExtension", {}).get("matchValues", [""])
                ignore = cache["queryStringCachingBehavior"] == "IgnoreQueryString"
                rules += [CacheRule(p, e, ignore) for p in prefixes for e in extensions]
    return FrontDoorModel(default_ignores, rules)


@dataclass
class Result:
    viewers: int
    pops: int
    renditions: list[str]
    segment_requests: int = 0
    hits: int = 0
    origin_bytes: int = 0
    served_bytes: int = 0
    distinct_segment_urls: int = 0
    api_requests: Counter[str] = field(default_factory=Counter)

    @property
    def hit_ratio(self) -> float:
        return self.hits / self.segment_requests if self.segment_requests else 0.0


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def simulate(viewers: int, pops: int, seconds: float, minutes: float, seed: int) -> Result:
    """The audience against the platform of the tree this runs in (see the module's docstring)."""
    from fastapi.testclient import TestClient

    from shared.bootstrap import bootstrap
    from shared.http.app import create_api
    from shared.platform.clock import ManualClock
    from shared.roles import Role
    from shared.settings import Settings
    from shared.worker import LocalWorker, default_jobs
    from tests.conftest import TenantHandle, Tokens
    from tests.factories import published_course
    from tests.media_clips import make_clip

    model = front_door_model(Path("infra/modules/frontdoor.bicep"))
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="lms-bench-cdn-") as folder:
        work = Path(folder)
        clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
        settings = Settings(data_dir=work / "data", rate_limit_user_per_minute=0, rate_limit_tenant_per_minute=0)
        platform = bootstrap(settings, clock=clock)
        with TestClient(create_api(platform), raise_server_exceptions=False) as client:
            tokens = Tokens(platform)
            created = client.post("/api/v1/tenants", json={"id": "cdn", "name": "CDN"}, headers=tokens.super_admin())
            assert created.status_code == 201, created.text
            tenant = TenantHandle("cdn", tokens)
            course = published_course(client, tenant)["id"]
            lesson = f"/api/v1/courses/{course}/lessons/intro"
            clip = make_clip(work / "lesson.mp4", seconds=seconds, width=1280, height=720)
            ticket = client.post(
                f"{lesson}/video/upload-url", json={"filename": "lesson.mp4"}, headers=tenant.as_(Role.INSTRUCTOR)
            ).json()
            put = client.put(_local(ticket["uploadUrl"]), content=clip.read_bytes(), headers=ticket["headers"])
            assert put.status_code == 201, put.text
            LocalWorker(platform, default_jobs()).run_until_idle()

            arrivals = sorted(rng.uniform(0, minutes * 60) for _ in range(viewers))
            result: Result | None = None
            distinct: set[str] = set()
            sizes: dict[str, int] = {}  # what each cache entry holds, for the bytes served from the cache
            elapsed = 0.0
            for n, at in enumerate(arrivals):
                clock.advance(at - elapsed)
                elapsed = at
                learner = tenant.as_(Role.LEARNER, f"viewer-{n}")
                assert client.post(f"/api/v1/courses/{course}/enrollments", json={}, headers=learner).status_code == 201
                video = client.get(f"{lesson}/video", headers=learner).json()
                assert video["status"] == "ready", video
                if result is None:
                    result = Result(viewers, pops, [r["name"] for r in video["renditions"]])
                result.api_requests["video view"] += 1
                master = client.get(_local(video["manifestUrl"]))
                result.api_requests["playlist"] += 1
                variants = [line for line in master.text.splitlines() if line and not line.startswith("#")]
                # Most watch the middle rungs; a few the lowest or the highest (the player's bandwidth guess).
                weights = [1, 3, 2][: len(variants)] if len(variants) <= 3 else [1] * len(variants)
                variant_url = urljoin(video["manifestUrl"], rng.choices(variants, weights=weights)[0])
                variant = client.get(_local(variant_url)).text
                result.api_requests["playlist"] += 1
                if "#EXT-X-KEY:" in variant:
                    key_uri = variant.split("#EXT-X-KEY:", 1)[1].split('URI="', 1)[1].split('"', 1)[0]
                    key = client.get(_local(urljoin(variant_url, key_uri)))
                    assert key.status_code == 200 and len(key.content) == 16, key.text
                    result.api_requests["key"] += 1
                segments = [line for line in variant.splitlines() if line and not line.startswith("#")]
                # Six in ten watch to the end; the others stop somewhere.
                watched = len(segments) if rng.random() < 0.6 else rng.randint(1, len(segments))
                pop = rng.randrange(pops)
                for url in segments[:watched]:
                    result.segment_requests += 1
                    distinct.add(url)
                    if model.lookup(pop, url):
                        result.hits += 1
                    else:
                        fetched = client.get(_local(url))
                        assert fetched.status_code == 200, fetched.text
                        sizes[model.key(url)] = len(fetched.content)
                        result.origin_bytes += len(fetched.content)
                    result.served_bytes += sizes[model.key(url)]
            assert result is not None
            result.distinct_segment_urls = len(distinct)
            return result


def _report(label: str, result: Result) -> list[str]:
    api = ", ".join(f"{count} {what}" for what, count in sorted(result.api_requests.items()))
    return [
        f"{label}: {result.viewers} viewers, {result.pops} POPs, ladder {'/'.join(result.renditions)}",
        f"  segment requests        {result.segment_requests:>10}",
        f"  distinct segment URLs   {result.distinct_segment_urls:>10}",
        f"  CDN hits                {result.hits:>10}   hit ratio {result.hit_ratio:6.1%}",
        f"  origin egress           {result.origin_bytes / 1e6:>10.1f} MB of {result.served_bytes / 1e6:.1f} MB served",
        f"  API requests            {api}",
    ]


def _run_before(ref: str, args: argparse.Namespace) -> Result:
    """This benchmark against ``ref``: a temporary worktree, this file copied into it, run there."""
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-cdn-before-"))
    tree = folder / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref], check=True)
    try:
        shutil.copy(Path(__file__), tree / "bench" / "cdn.py")
        command = [sys.executable, "-m", "bench.cdn", "--json", *_common_args(args)]
        done = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the run at {ref} failed:\n{done.stderr[-4000:]}")
        line = next(x for x in done.stdout.splitlines() if x.startswith(RESULT_MARK))
        data = json.loads(line[len(RESULT_MARK) :])
        data["api_requests"] = Counter(data["api_requests"])
        return Result(**data)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _common_args(args: argparse.Namespace) -> list[str]:
    return [
        *("--viewers", str(args.viewers), "--pops", str(args.pops), "--seconds", str(args.seconds)),
        *("--minutes", str(args.minutes), "--seed", str(args.seed)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cdn")
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--pops", type=int, default=4, help="Front Door points of presence the audience spreads over")
    parser.add_argument("--seconds", type=float, default=40.0, help="length of the lesson's video")
    parser.add_argument("--minutes", type=float, default=60.0, help="the audience arrives over this long")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", help="a git ref to measure too, side by side (e.g. the commit before a change)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from tests.media_clips import FFMPEG

    if FFMPEG is None:
        print("no ffmpeg: install it or imageio-ffmpeg", file=sys.stderr)
        return 2
    after = simulate(args.viewers, args.pops, args.seconds, args.minutes, args.seed)
    if args.json:
        print(RESULT_MARK + json.dumps({**asdict(after), "api_requests": dict(after.api_requests)}))
        return 0
    lines = []
    if args.before:
        before = _run_before(args.before, args)
        lines += _report(f"before ({args.before})", before)
    lines += _report("this tree", after)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
