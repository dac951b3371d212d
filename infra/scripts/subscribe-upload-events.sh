#!/usr/bin/env bash
# azd postdeploy hook: subscribe the media blob trigger (functions/media.py, `validate_upload`) to the
# BlobCreated events of the uploads container, as Microsoft documents for blob triggers on Flex
# Consumption (source=EventGrid). It runs after deployment because the webhook URL needs the app's
# `blobs_extension` system key, which exists only once the host has indexed the blob trigger.
# Idempotent: `create` updates an existing subscription of the same name.
set -euo pipefail
: "${AZURE_RESOURCE_GROUP:?}" "${AZURE_FUNCTION_APP_NAME:?}" "${UPLOADS_EVENT_TOPIC:?}"
# On the first `azd up` the host may not have indexed the blob trigger yet when this runs: wait for the
# key, a bounded number of times (LMS_HOOK_ATTEMPTS, LMS_HOOK_WAIT_SECONDS), then give up with a hint.
attempts=${LMS_HOOK_ATTEMPTS:-30}
wait_seconds=${LMS_HOOK_WAIT_SECONDS:-10}
key=""
for attempt in $(seq 1 "$attempts"); do
  key=$(az functionapp keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  echo "no blobs_extension key yet (attempt ${attempt}/${attempts}); waiting ${wait_seconds}s for the host to index the blob trigger"
  sleep "$wait_seconds"
done
if [ -z "$key" ]; then
  echo "no blobs_extension key after ${attempts} attempts: is functions/media.py deployed? re-run: azd hooks run postdeploy" >&2
  exit 1
fi
host=$(az functionapp show --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
  --query defaultHostName --output tsv)
az eventgrid system-topic event-subscription create \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$UPLOADS_EVENT_TOPIC" \
  --name media-uploads \
  --endpoint-type webhook \
  --endpoint "https://${host}/runtime/webhooks/blobs?functionName=Host.Functions.validate_upload&code=${key}" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with /blobServices/default/containers/uploads/ \
  --event-delivery-schema eventgridschema \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --output none
echo "Event Grid delivers BlobCreated of the uploads container to ${AZURE_FUNCTION_APP_NAME}"
