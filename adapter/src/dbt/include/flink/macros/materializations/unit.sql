{# dbt unit tests. Flink cannot CREATE TEMPORARY TABLE ... AS SELECT, which the default
   materialization uses only to learn column types; a DESCRIBE of a temporary view does the same. #}
{%- materialization unit, adapter='flink' -%}
  {% set expected_rows = config.get('expected_rows') %}
  {% set expected_sql = config.get('expected_sql') %}
  {% set tested_expected_column_names = expected_rows[0].keys() if (expected_rows | length ) > 0 else get_columns_in_query(sql) %}
  {%- set column_name_to_data_types = {} -%}
  {%- set column_name_to_quoted = {} -%}
  {%- for column in adapter.describe_query_columns(sql) -%}
  {%-   do column_name_to_data_types.update({column.name|lower: column.data_type}) -%}
  {%-   do column_name_to_quoted.update({column.name|lower: column.quoted}) -%}
  {%- endfor -%}
  {%- set expected_column_names_quoted = [] -%}
  {%- for column_name in tested_expected_column_names -%}
  {%-   do expected_column_names_quoted.append(column_name_to_quoted[column_name|lower]) -%}
  {%- endfor -%}
  {% if not expected_sql %}
  {%   set expected_sql = get_expected_sql(expected_rows, column_name_to_data_types, column_name_to_quoted) %}
  {% endif %}
  {% set unit_test_sql = get_unit_test_sql(sql, expected_sql, expected_column_names_quoted) %}
  {% set result = adapter.execute_bounded(unit_test_sql) %}
  {% do store_result('main', response=result[0], agate_table=result[1]) %}
  {{ return({'relations': []}) }}
{%- endmaterialization -%}
