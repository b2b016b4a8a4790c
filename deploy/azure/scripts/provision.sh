#!/usr/bin/env bash
# provision.sh what-if|create runs main.bicep at subscription scope, the pipeline's counterpart of
# `azd provision`. Bicep is the only owner of the apps' configuration, images included: this is also
# how release.sh rolls a version out. Each image is DOCPIPE_API_IMAGE, DOCPIPE_WEB_IMAGE or
# DOCPIPE_FUNCTION_IMAGE if set, else whatever the app runs now, else the placeholder (a fresh
# environment). It creates the Event Grid subscription only once the ocr function is listed
# (DOCPIPE_WIRE_EVENTS=true forces it). In a pipeline it publishes the outputs as output variables.
# Environment: AZURE_ENV_NAME, AZURE_LOCATION, DOCPIPE_API_CLIENT_ID, DOCPIPE_WEB_CLIENT_ID,
# DOCPIPE_WEB_CLIENT_SECRET; az must be signed in (the pipeline's workload identity).
set -euo pipefail
mode=${1:?usage: provision.sh what-if|create}
here=$(cd "$(dirname "$0")/.." && pwd)
: "${AZURE_ENV_NAME:?}" "${AZURE_LOCATION:?}" "${DOCPIPE_API_CLIENT_ID:?}" "${DOCPIPE_WEB_CLIENT_ID:?}"
: "${DOCPIPE_WEB_CLIENT_SECRET:?}"
group="rg-$AZURE_ENV_NAME"
placeholder=mcr.microsoft.com/k8se/quickstart:latest

# named NAME prints the name of the resource tagged azd-service-name=NAME, if the group has one.
named() {
  az resource list --resource-group "$group" --tag "azd-service-name=$1" --query '[0].name' \
    --output tsv 2>/dev/null || true
}

# image NAME prints the image the container app NAME runs now, or the placeholder.
image() {
  local app
  app=$(named "$1")
  [[ -n "$app" ]] && az containerapp show --resource-group "$group" --name "$app" \
    --query 'properties.template.containers[0].image' --output tsv 2>/dev/null || echo "$placeholder"
}

api_image=${DOCPIPE_API_IMAGE:-$(image api)}
web_image=${DOCPIPE_WEB_IMAGE:-$(image web)}
function_image=mcr.microsoft.com/azure-functions/base:4
wire=${DOCPIPE_WIRE_EVENTS:-false}
if fn=$(named function) && [[ -n "$fn" ]]; then
  current=$(az functionapp config show --resource-group "$group" --name "$fn" \
    --query linuxFxVersion --output tsv 2>/dev/null || true)
  [[ "$current" == DOCKER\|* ]] && function_image=${current#DOCKER|}
  if az functionapp function show --resource-group "$group" --name "$fn" --function-name ocr \
    --output none 2>/dev/null; then
    wire=true
  fi
fi
function_image=${DOCPIPE_FUNCTION_IMAGE:-$function_image}

args=(
  --name "docpipe-$AZURE_ENV_NAME" --location "$AZURE_LOCATION"
  --template-file "$here/main.bicep"
  --parameters environmentName="$AZURE_ENV_NAME" location="$AZURE_LOCATION"
  apiClientId="$DOCPIPE_API_CLIENT_ID" webClientId="$DOCPIPE_WEB_CLIENT_ID"
  webClientSecret="$DOCPIPE_WEB_CLIENT_SECRET"
  apiImage="$api_image" webImage="$web_image" functionImage="$function_image"
  wireEvents="$wire" principalType=ServicePrincipal
)
if [[ "$mode" == what-if ]]; then
  az deployment sub what-if "${args[@]}"
  exit
fi
outputs=$(az deployment sub create "${args[@]}" --query properties.outputs --output json)
for name in $(jq -r 'keys[]' <<<"$outputs"); do
  value=$(jq -r --arg n "$name" '.[$n].value' <<<"$outputs")
  echo "$name=$value"
  echo "##vso[task.setvariable variable=$name;isOutput=true]$value"
done
