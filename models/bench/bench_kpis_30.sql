{{ config(
    enabled=bench_kpi_enabled(30),
    materialized='streaming_table',
    job_group=bench_kpi_group(30),
    connector_properties=kafka_append_topic('bench_kpis_30', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 30 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(30) }}
