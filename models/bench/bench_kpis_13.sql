{{ config(
    enabled=bench_kpi_enabled(13),
    materialized='streaming_table',
    job_group=bench_kpi_group(13),
    connector_properties=kafka_append_topic('bench_kpis_13', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 13 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(13) }}
