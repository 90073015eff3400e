{{ config(
    enabled=bench_kpi_enabled(14),
    materialized='streaming_table',
    job_group=bench_kpi_group(14),
    connector_properties=kafka_append_topic('bench_kpis_14', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 14 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(14) }}
