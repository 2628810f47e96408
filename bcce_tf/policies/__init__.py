"""IAM policies checked against AWS's own catalogue of actions, resource types and condition keys."""
