"""What Chalkboard costs on AWS: a price table per region, a workload, the deployment from the
Terraform variables, and the monthly bill beside the designs it replaces (docs/cost.md)."""
