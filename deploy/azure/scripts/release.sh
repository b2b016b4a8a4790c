#!/usr/bin/env bash
# release.sh REGISTRY VERSION rolls docpipe VERSION out through Bicep (provision.sh), never by
# changing an app from the side: one deployment gives api and web a new revision with the image and,
# from the placeholder on, docpipe's port, probes, settings and Key Vault reference, and points the
# Function App at its image with every app setting Bicep owns. Then it waits until the Functions host
# lists the ocr function and, on the first release, provisions again so the Event Grid subscription
# exists (kept after). Environment as for provision.sh.
set -euo pipefail
registry=${1:?usage: release.sh REGISTRY VERSION} version=${2:?usage: release.sh REGISTRY VERSION}
here=$(cd "$(dirname "$0")" && pwd)
group="rg-${AZURE_ENV_NAME:?}"

named() {
  az resource list --resource-group "$group" --tag "azd-service-name=$1" --query '[0].name' --output tsv
}

export DOCPIPE_API_IMAGE="$registry/docpipe:$version" DOCPIPE_WEB_IMAGE="$registry/docpipe:$version"
export DOCPIPE_FUNCTION_IMAGE="$registry/docpipe-function:$version"
outputs=$("$here/provision.sh" create)
printf '%s\n' "$outputs"
"$here/wait-function.sh" "$group" "$(named function)" ocr
if ! grep -qx 'DOCPIPE_WIRE_EVENTS=true' <<<"$outputs"; then
  DOCPIPE_WIRE_EVENTS=true "$here/provision.sh" create
fi
