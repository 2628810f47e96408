"""What bcce measures: the one table of metrics, CloudWatch publishing with its on-disk queue, and
the Prometheus exposition of `bcce metrics`."""
