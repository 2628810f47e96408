#!/usr/bin/env bash
# The whole bcce cycle against the embedded AWS emulator: nothing leaves this machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${BCCE_DEMO_DIR:-$here/../../.bcce-demo}"
mkdir -p "$work"
cp "$here/bcce.json" "$work/bcce.json"
cd "$work"

step() { printf '\n==> %s\n' "$*"; }

step "bcce local up"
url="$(bcce local up)"
trap 'step "bcce local down"; bcce local down' EXIT

step "bcce --endpoint-url $url plan --component all"
bcce --endpoint-url "$url" plan --component all
step "bcce --endpoint-url $url apply --component all"
bcce --endpoint-url "$url" apply --component all
step "bcce --endpoint-url $url output"
bcce --endpoint-url "$url" output
step "bcce --endpoint-url $url plan --detailed-exitcode (a second plan has nothing to do)"
bcce --endpoint-url "$url" plan --detailed-exitcode
step "bcce --endpoint-url $url destroy --component all --auto-approve (keeps what holds data, and lists it)"
bcce --endpoint-url "$url" destroy --component all --auto-approve
step "bcce --endpoint-url $url destroy --component all --auto-approve --delete-data (the data too, the key last)"
bcce --endpoint-url "$url" destroy --component all --auto-approve --delete-data
