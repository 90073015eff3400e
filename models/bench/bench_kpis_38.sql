{{ config(
    enabled=bench_kpi_enabled(38),
    materialized='streaming_table',
    job_group=bench_kpi_group(38),
    connector_properties=kafka_append_topic('bench_kpis_38', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 38 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(38) }}
