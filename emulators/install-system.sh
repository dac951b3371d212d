#!/usr/bin/env bash
# System programs the tests run locally (redis-server for the Redis cache contract, ffmpeg and
# ffprobe for the media pipeline; without them the media tests fall back to imageio-ffmpeg's binary).
# chromium (Debian's) for the web app's browser tests: Playwright drives /usr/bin/chromium, since its own
# browser download cannot run here.
# Installs the missing ones with apt-get when it can (CI runs as root on Debian);
# otherwise says which tests will be skipped and why, and carries on.
set -u
programs=(redis-server ffmpeg chromium)
packages=(redis-server ffmpeg chromium)
missing=()
for i in "${!programs[@]}"; do
  command -v "${programs[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } \
    || echo "could not install ${missing[*]} with apt-get: their contract tests will be skipped"
  # The tests start their own redis-server on a free port and stop it (tests/contract/emulators.py),
  # so a system-wide one does not disturb them. If installing the package just started its service,
  # stop that service only (never any other redis on the host); where none was started, nothing runs.
  if [[ " ${missing[*]} " == *" redis-server "* ]] && command -v service >/dev/null 2>&1; then
    service redis-server stop >/dev/null 2>&1 || true
  fi
else
  echo "not root or no apt-get: ${missing[*]} not installed, their contract tests will be skipped"
fi
exit 0
