{{ config(
    enabled=bench_kpi_enabled(15),
    materialized='streaming_table',
    job_group=bench_kpi_group(15),
    connector_properties=kafka_append_topic('bench_kpis_15', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 15 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(15) }}
