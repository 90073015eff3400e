"""`make bench`: throughput, latency and deploy time of the deployed pipeline beside its ceilings."""
