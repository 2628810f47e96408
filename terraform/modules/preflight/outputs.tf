output "score" {
  description = "Readiness score, 0-100."
  value       = tonumber(data.external.preflight.result.score)
}

output "status" {
  description = "ready or blocked."
  value       = data.external.preflight.result.status
}

output "failed" {
  description = "Ids of the checks that failed."
  value       = compact(split(",", data.external.preflight.result.failed))
}

output "not_checked" {
  description = "Ids of the checks that could not run (each says why in 'bcce readiness')."
  value       = compact(split(",", data.external.preflight.result.not_checked))
}

output "digest" {
  description = "sha256 of the config content and the query: changes when the inputs of the check change."
  value       = data.external.preflight.result.digest
}

output "result" {
  description = "Everything bcce answered, as strings."
  value       = data.external.preflight.result
}
