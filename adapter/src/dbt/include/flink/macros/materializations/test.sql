{# Tests read a bounded snapshot of the topics (deterministic) instead of watching a stream. #}
{%- materialization test, adapter='flink' -%}
  {% set limit = config.get('limit') %}
  {#- Flink's SQL conformance rejects '!=' (dbt's default warn_if/error_if); '<>' is equivalent. -#}
  {% set warn_if = config.get('warn_if') | replace('!=', '<>') %}
  {% set error_if = config.get('error_if') | replace('!=', '<>') %}
  {% set main_sql = get_test_sql(get_limit_subquery_sql(sql, limit), config.get('fail_calc'),
                                 warn_if, error_if, limit=none) %}
  {% set result = adapter.execute_test(main_sql) %}
  {% do store_result('main', response=result[0], agate_table=result[1]) %}
  {{ return({'relations': []}) }}
{%- endmaterialization -%}
