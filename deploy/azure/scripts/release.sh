#!/usr/bin/env bash
# release.sh REGISTRY VERSION rolls docpipe VERSION out: a new revision of the api, then the web
# container app, then the function's image; it waits until the Functions host lists the ocr function
# and provisions again so the Event Grid subscription exists (created on the first release, kept
# after). Environment as for provision.sh.
set -euo pipefail
registry=${1:?usage: release.sh REGISTRY VERSION} version=${2:?usage: release.sh REGISTRY VERSION}
here=$(cd "$(dirname "$0")" && pwd)
group="rg-${AZURE_ENV_NAME:?}"

named() {
  az resource list --resource-group "$group" --tag "azd-service-name=$1" --query '[0].name' --output tsv
}

for service in api web; do
  az containerapp update --resource-group "$group" --name "$(named "$service")" \
    --image "$registry/docpipe:$version" \
    --revision-suffix "v${version//./-}" --output none
done
fn=$(named function)
az functionapp config container set --resource-group "$group" --name "$fn" \
  --image "$registry/docpipe-function:$version" --output none
"$here/wait-function.sh" "$group" "$fn" ocr
DOCPIPE_WIRE_EVENTS=true "$here/provision.sh" create
