{{ config(
    enabled=bench_kpi_enabled(16),
    materialized='streaming_table',
    job_group=bench_kpi_group(16),
    connector_properties=kafka_append_topic('bench_kpis_16', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 16 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(16) }}
