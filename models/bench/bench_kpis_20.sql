{{ config(
    enabled=bench_kpi_enabled(20),
    materialized='streaming_table',
    job_group=bench_kpi_group(20),
    connector_properties=kafka_append_topic('bench_kpis_20', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 20 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(20) }}
