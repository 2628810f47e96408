# Pre-flight readiness as a data source: bcce scores the account, regions and config on every
# plan, and the postcondition stops the plan when the score is under var.min_score or a
# critical check failed. bcce writes nothing while answering (see `bcce external preflight`).
data "external" "preflight" {
  program = concat(var.bcce_command, ["external", "preflight"])

  query = {
    config       = abspath(var.config_path)
    min_score    = tostring(var.min_score)
    region       = var.region
    profile      = var.profile
    endpoint_url = var.endpoint_url
  }

  lifecycle {
    postcondition {
      condition     = tonumber(self.result.score) >= var.min_score && self.result.status == "ready"
      error_message = "bcce readiness gate: score ${self.result.score}/100 (minimum ${var.min_score}), status ${self.result.status}. ${self.result.blocked_because}. Failed checks: ${self.result.failed == "" ? "none" : self.result.failed}. Run 'bcce readiness' for the checklist and what to fix."
    }
  }
}
