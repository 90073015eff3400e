{{ config(
    enabled=bench_kpi_enabled(11),
    materialized='streaming_table',
    job_group=bench_kpi_group(11),
    connector_properties=kafka_append_topic('bench_kpis_11', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 11 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(11) }}
