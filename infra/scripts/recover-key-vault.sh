#!/bin/sh
# azd preprovision hook (azure.yaml). The Key Vault keeps purge protection: after `azd down` it stays
# soft-deleted for its retention (7 days) and no one, `azd down --purge` included, can purge it. Its
# name is derived from the subscription, environment and location (main.bicep's token), so the next
# `azd up` of this environment asks for the same name, and creating it would fail while the deleted
# one exists. This hook looks for a soft-deleted vault of this azd environment (deleted vaults keep
# their tags) and, when there is one, has the Bicep recover it (createMode 'recover'), secrets and
# signing keys included, so certificates issued before stay verifiable.
set -eu
: "${AZURE_ENV_NAME:?azd sets AZURE_ENV_NAME}"
mode=default
if command -v az >/dev/null 2>&1; then
  found=$(az keyvault list-deleted --resource-type vault \
    --query "[?properties.tags.\"azd-env-name\"=='${AZURE_ENV_NAME}'].name | [0]" -o tsv 2>/dev/null || true)
  if [ -n "$found" ]; then
    echo "a soft-deleted Key Vault of this environment exists ($found): it will be recovered"
    mode=recover
  fi
else
  echo "az is not installed: assuming no soft-deleted Key Vault (a first azd up)" >&2
fi
azd env set KEY_VAULT_CREATE_MODE "$mode"
