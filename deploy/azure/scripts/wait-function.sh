#!/usr/bin/env bash
# wait-function.sh GROUP APP FUNCTION waits (up to 10 minutes) until the Functions host of APP has
# synced its triggers and lists FUNCTION, which Event Grid needs before a subscription to it is valid.
set -euo pipefail
group=${1:?usage: wait-function.sh GROUP APP FUNCTION} app=${2:?} fn=${3:?}
for _ in $(seq 60); do
  az functionapp function show --resource-group "$group" --name "$app" --function-name "$fn" \
    --query name --output tsv >/dev/null 2>&1 && { echo "function $fn is listed"; exit 0; }
  az resource invoke-action --action syncfunctiontriggers --resource-group "$group" \
    --name "$app" --resource-type Microsoft.Web/sites --output none >/dev/null 2>&1 || true
  sleep 10
done
echo "function $fn of $app not listed after 10 minutes" >&2
exit 1
