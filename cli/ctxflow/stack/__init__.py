"""`ctxflow stack`: the local Kafka + Flink + SQL Gateway stack as plain JVM processes (no Docker)."""
