{{ config(
    enabled=bench_kpi_enabled(47),
    materialized='streaming_table',
    job_group=bench_kpi_group(47),
    connector_properties=kafka_append_topic('bench_kpis_47', 'country', 'exactly-once'),
) }}
-- Benchmark only (make bench): model 47 of the widened KPI layer, see macros/bench_kpis.sql.
{{ bench_kpi_model(47) }}
