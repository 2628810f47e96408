#!/usr/bin/env bash
# The CI readiness gate: the same commands the workflow runs, to try them locally.
#
#   gate.sh check   readiness only: reports in $BCCE_REPORT_DIR, exit 6 when the gate fails
#   gate.sh plan    readiness, then plan (pull requests)
#   gate.sh apply   readiness, then plan and apply (main branch)
#
# Writes $BCCE_REPORT_DIR (default: bcce-reports) /readiness.md (PR comment, also appended to
# $GITHUB_STEP_SUMMARY when set), /readiness.xml (JUnit), /readiness.json, and with plan or apply
# /plan.json (the plan summaries). Exits with bcce's exit code: 0 ok, 6 readiness gate, others
# as listed in the README. The threshold comes from BCCE_MIN_SCORE, else the config
# (BCCE_CONFIG, default ./bcce.json); BCCE names the bcce command (default: bcce on PATH).
set -euo pipefail

mode="${1:-check}"
case "$mode" in
  check|plan|apply) ;;
  *) echo "usage: $0 [check|plan|apply]" >&2; exit 3 ;;
esac

bcce=("${BCCE:-bcce}")
if [ -n "${BCCE_CONFIG:-}" ]; then
  bcce+=(--config "$BCCE_CONFIG")
fi
reports="${BCCE_REPORT_DIR:-bcce-reports}"
mkdir -p "$reports"

status=0
"${bcce[@]}" readiness --format markdown --output "$reports/readiness.md" \
  --output "junit:$reports/readiness.xml" --output "json:$reports/readiness.json" || status=$?
if [ "$status" -ne 0 ]; then
  echo "readiness gate failed (exit $status): see $reports/readiness.md" >&2
  exit "$status"
fi

if [ "$mode" = "check" ]; then
  exit 0
fi

"${bcce[@]}" plan --json > "$reports/plan.json"

if [ "$mode" = "apply" ]; then
  "${bcce[@]}" apply
fi
