{{ config(
    enabled=bench_kpi_enabled(23),
    materialized='streaming_table',
    job_group=bench_kpi_group(23),
    connector_properties=kafka_append_topic('bench_kpis_23', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 23 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(23) }}
