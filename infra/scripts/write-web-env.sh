#!/bin/sh
# azd prebuild hook of the `web` service (azure.yaml): writes the web app's build-time settings,
# which main.bicep outputs and azd keeps in its environment (and passes to hooks as variables),
# to web/.env.production.local, where `vite build` reads them. That file is git-ignored: it is
# derived from the azd environment on every build. The API base is the Functions app's origin
# (routes start with /api); the sign-in is Entra ID.
set -eu
: "${VITE_API_BASE_URL:?run azd provision first: the Bicep outputs VITE_API_BASE_URL}"
: "${VITE_ENTRA_AUTHORITY:?}" "${VITE_ENTRA_API_SCOPE:?}"
if [ -z "${VITE_ENTRA_CLIENT_ID:-}" ]; then
  echo "set the web app's Entra ID client id: azd env set LMS_WEB_ENTRA_CLIENT_ID <id>; azd provision" >&2
  exit 1
fi
target="$(cd "$(dirname "$0")/../../web" && pwd)/.env.production.local"
{
  echo "# Written by infra/scripts/write-web-env.sh from the azd environment; do not edit or commit."
  echo "VITE_API_BASE_URL=${VITE_API_BASE_URL}"
  echo "VITE_AUTH_MODE=${VITE_AUTH_MODE:-entra}"
  echo "VITE_ENTRA_AUTHORITY=${VITE_ENTRA_AUTHORITY}"
  echo "VITE_ENTRA_CLIENT_ID=${VITE_ENTRA_CLIENT_ID}"
  echo "VITE_ENTRA_API_SCOPE=${VITE_ENTRA_API_SCOPE}"
} > "$target"
echo "wrote $target"
