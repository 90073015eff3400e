{{ config(
    enabled=bench_kpi_enabled(39),
    materialized='streaming_table',
    job_group=bench_kpi_group(39),
    connector_properties=kafka_append_topic('bench_kpis_39', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 39 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(39) }}
