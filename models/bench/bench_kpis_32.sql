{{ config(
    enabled=bench_kpi_enabled(32),
    materialized='streaming_table',
    job_group=bench_kpi_group(32),
    connector_properties=kafka_append_topic('bench_kpis_32', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 32 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(32) }}
