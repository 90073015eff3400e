{{ config(
    enabled=bench_kpi_enabled(50),
    materialized='streaming_table',
    job_group=bench_kpi_group(50),
    connector_properties=kafka_append_topic('bench_kpis_50', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 50 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(50) }}
