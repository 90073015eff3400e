{{ config(
    enabled=bench_kpi_enabled(21),
    materialized='streaming_table',
    job_group=bench_kpi_group(21),
    connector_properties=kafka_append_topic('bench_kpis_21', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 21 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(21) }}
