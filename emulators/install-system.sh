#!/usr/bin/env bash
# System programs the tests run locally (redis-server for the Redis cache contract, ffmpeg and
# ffprobe for the media pipeline; without them the media tests fall back to imageio-ffmpeg's binary).
# Installs the missing ones with apt-get when it can (CI runs as root on Debian);
# otherwise says which tests will be skipped and why, and carries on.
set -u
programs=(redis-server ffmpeg)
packages=(redis-server ffmpeg)
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
  # A package's post-install script may start a system-wide server; the tests start their own.
  pkill -x redis-server >/dev/null 2>&1 || true
else
  echo "not root or no apt-get: ${missing[*]} not installed, their contract tests will be skipped"
fi
exit 0
