"""hashicorp/aws provider schemas (where they come from, their cache) and the check of a Terraform
root's HCL against them, which `bcce validate` runs."""
