#!/usr/bin/env bash
# function.sh is azd's postdeploy hook. It deploys the OCR function and then wires Event Grid to it:
#   1. packages the function from the api image azd just pushed (package.sh), builds the function
#      image and pushes it to the registry;
#   2. provisions (azd provision): Bicep, the only owner of the apps' configuration, points the
#      Function App at the new image with all its app settings, and gives api and web the templates
#      of the images azd deploy just set (azd deploy changes only the image; from the placeholder on,
#      port, probes, settings and the Key Vault reference come with this provision);
#   3. waits until the host lists the ocr function and only then sets DOCPIPE_WIRE_EVENTS=true and
#      provisions again, which creates the Event Grid subscription (it fails validation if the
#      function does not exist yet: the ordering trap).
# Nothing here changes an app's settings or image directly (TestScriptsLeaveConfigToBicep).
# Reads the azd environment (azd exports it to hooks). Needs az, azd and docker.
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
azd env set DOCPIPE_FUNCTION_IMAGE "$image"
azd provision --no-prompt

"$here/wait-function.sh" "$AZURE_RESOURCE_GROUP" "$FUNCTION_APP_NAME" ocr

if [[ "${DOCPIPE_WIRE_EVENTS:-false}" != true ]]; then
  azd env set DOCPIPE_WIRE_EVENTS true
  azd provision --no-prompt
fi
