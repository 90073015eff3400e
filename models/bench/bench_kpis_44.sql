{{ config(
    enabled=bench_kpi_enabled(44),
    materialized='streaming_table',
    job_group=bench_kpi_group(44),
    connector_properties=kafka_append_topic('bench_kpis_44', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 44 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(44) }}
