"""Actual spend of a deployment, read from Cost Explorer, beside the estimate of bcce_tf/cost.py."""
