#!/usr/bin/env bash
# The whole bcce cycle against the embedded AWS emulator: nothing leaves this machine.
# First the readiness gate refuses the emulated account as it starts (no CloudTrail trail logs),
# then `bcce local up --ready` prepares it and the same plan goes through.
# BCCE_DEMO_UNTIL=plan stops after that plan (the gate alone, without apply and destroy).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${BCCE_DEMO_DIR:-$here/../../.bcce-demo}"
until_step="${BCCE_DEMO_UNTIL:-all}"
case "$until_step" in
  all|plan) ;;
  *) echo "error: BCCE_DEMO_UNTIL must be 'all' or 'plan', got '$until_step'" >&2; exit 2 ;;
esac
mkdir -p "$work"
cp "$here/bcce.json" "$work/bcce.json"
cd "$work"

step() { printf '\n==> %s\n' "$*"; }

step "bcce local up (the emulated account as it starts: no trail, no Config recorder)"
url="$(bcce local up)"
trap 'step "bcce local down"; bcce local down' EXIT

step "bcce --endpoint-url $url plan --component all (the readiness gate must refuse: exit 6)"
set +e
bcce --endpoint-url "$url" plan --component all
refused=$?
set -e
if [ "$refused" -ne 6 ]; then
  echo "error: expected the readiness gate to refuse with exit 6, got exit $refused" >&2
  exit 1
fi
echo "refused with exit 6, as it should be"

step "bcce local up --ready (a logging trail, a recording AWS Config recorder)"
bcce local up --ready >/dev/null

step "bcce --endpoint-url $url plan --component all (the gate passes now)"
bcce --endpoint-url "$url" plan --component all
if [ "$until_step" = plan ]; then
  exit 0
fi
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
