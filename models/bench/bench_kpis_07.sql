{{ config(
    enabled=bench_kpi_enabled(7),
    materialized='streaming_table',
    job_group=bench_kpi_group(7),
    connector_properties=kafka_append_topic('bench_kpis_07', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 7 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(7) }}
