"""Programs for Terraform's `data "external"`: `account` (who and where am I) and `preflight`
(the readiness score as data, for a postcondition). Each runs as `bcce external NAME` or as
`python -m bcce_tf.external.NAME`."""
