"""Deployment helpers: start with nginx.conf (the example load balancer with sticky sessions), then
run_replicas.py, which starts replicas of the app behind it on one machine."""
