"""The adapter's version, as `dbt --version` lists it (plugin flink)."""

version = "0.1.0"
