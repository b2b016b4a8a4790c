#!/usr/bin/env bash
# function.sh is azd's postdeploy hook. It deploys the OCR function and then wires Event Grid to it:
#   1. packages the function from the api image azd just pushed (package.sh), builds the function
#      image and pushes it to the registry;
#   2. points the Function App at the image and waits until the host lists the ocr function;
#   3. only then sets DOCPIPE_WIRE_EVENTS=true and provisions again, which creates the Event Grid
#      subscription (it fails validation if the function does not exist yet: the ordering trap).
# Reads the azd environment (azd exports it to hooks). Needs az and docker.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${SERVICE_API_IMAGE_NAME:?azd deploy sets it}" "${AZURE_CONTAINER_REGISTRY_ENDPOINT:?}"
: "${AZURE_RESOURCE_GROUP:?}" "${FUNCTION_APP_NAME:?}"

tag=${SERVICE_API_IMAGE_NAME##*:}
image="$AZURE_CONTAINER_REGISTRY_ENDPOINT/docpipe-function:$tag"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

az acr login --name "${AZURE_CONTAINER_REGISTRY_ENDPOINT%%.*}"
"$here/package.sh" "$SERVICE_API_IMAGE_NAME" "$work"
docker build --tag "$image" "$work"
docker push "$image"
az functionapp config container set --resource-group "$AZURE_RESOURCE_GROUP" \
  --name "$FUNCTION_APP_NAME" --image "$image" --output none
azd env set DOCPIPE_FUNCTION_IMAGE "$image"

"$here/wait-function.sh" "$AZURE_RESOURCE_GROUP" "$FUNCTION_APP_NAME" ocr

if [[ "${DOCPIPE_WIRE_EVENTS:-false}" != true ]]; then
  azd env set DOCPIPE_WIRE_EVENTS true
  azd provision --no-prompt
fi
