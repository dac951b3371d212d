#!/bin/sh
# azd preprovision hook (azure.yaml). The Key Vaults keep purge protection: after `azd down` they stay
# soft-deleted for their retention (7 days) and no one, `azd down --purge` included, can purge them.
# Their names are derived from the subscription, environment and location (main.bicep's token), so
# the next `azd up` of this environment asks for the same names, and creating one would fail while
# the deleted one exists. This hook looks for soft-deleted vaults of this azd environment (deleted
# vaults keep their tags), one name prefix per vault, and has the Bicep recover each one found
# (createMode 'recover'), secrets included: the platform's vault (kv-lms-: signing keys, so
# certificates issued before stay verifiable) and the media keys vault (kvm-lms-: the AES-128 keys
# of every HLS ladder, without which no encrypted video plays).
set -eu
: "${AZURE_ENV_NAME:?azd sets AZURE_ENV_NAME}"

mode_of() {
  # $1: the vault's name prefix. Prints 'recover' when a deleted vault of this environment has it.
  if ! command -v az >/dev/null 2>&1; then
    echo "az is not installed: assuming no soft-deleted $1 vault (a first azd up)" >&2
    echo default
    return
  fi
  found=$(az keyvault list-deleted --resource-type vault \
    --query "[?properties.tags.\"azd-env-name\"=='${AZURE_ENV_NAME}' && starts_with(name, '$1')].name | [0]" \
    -o tsv 2>/dev/null || true)
  if [ -n "$found" ]; then
    echo "a soft-deleted Key Vault of this environment exists ($found): it will be recovered" >&2
    echo recover
  else
    echo default
  fi
}

azd env set KEY_VAULT_CREATE_MODE "$(mode_of kv-lms-)"
azd env set MEDIA_KEY_VAULT_CREATE_MODE "$(mode_of kvm-lms-)"
