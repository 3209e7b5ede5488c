"""What the load balancer and the operator ask of a running process."""
