{# Thin wrappers: the logic is in Python (dbt/adapters/flink/impl.py) so it can be unit-tested. #}

{% macro flink__create_schema(relation) -%}
  {%- call statement('create_schema') -%}
    CREATE DATABASE IF NOT EXISTS {{ adapter.quote(relation.database) }}.{{ adapter.quote(relation.schema) }}
  {%- endcall -%}
{%- endmacro %}

{% macro flink__drop_schema(relation) -%}
  {%- call statement('drop_schema') -%}
    DROP DATABASE IF EXISTS {{ adapter.quote(relation.database) }}.{{ adapter.quote(relation.schema) }} CASCADE
  {%- endcall -%}
{%- endmacro %}

{% macro flink__drop_relation(relation) -%}
  {% do adapter.drop_any(relation) %}
{%- endmacro %}

{% macro flink__truncate_relation(relation) -%}
  {%- call statement('truncate_relation') -%}
    TRUNCATE TABLE {{ relation }}
  {%- endcall -%}
{%- endmacro %}

{% macro flink__rename_relation(from_relation, to_relation) -%}
  {%- call statement('rename_relation') -%}
    ALTER {{ 'VIEW' if from_relation.is_view else 'TABLE' }} {{ from_relation }} RENAME TO {{ to_relation }}
  {%- endcall -%}
{%- endmacro %}

{% macro flink__current_timestamp() -%}
  CURRENT_TIMESTAMP
{%- endmacro %}

{% macro flink__create_view_as(relation, sql) -%}
  CREATE VIEW {{ relation }} AS
  {{ sql }}
{%- endmacro %}

{% macro flink__get_columns_in_query(select_sql) -%}
  {{ return(adapter.describe_query_names(select_sql)) }}
{%- endmacro %}

{% macro flink__get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
  select * from (
    {{ select_sql }}
  ) as __dbt_sbq
  where false
{%- endmacro %}

{% macro flink__get_limit_subquery_sql(sql, limit) -%}
  {%- if limit is not none -%}
  select * from (
    {{ sql }}
  ) as model_limit_subq
  limit {{ limit }}
  {%- else -%}
  {{ sql }}
  {%- endif -%}
{%- endmacro %}

{% macro flink__get_catalog(information_schema, schemas) -%}
  {{ return(adapter.flink_catalog(information_schema.database, schemas)) }}
{%- endmacro %}

{% macro flink__get_catalog_relations(information_schema, relations) -%}
  {%- set schemas = [] -%}
  {%- for relation in relations -%}
    {%- if relation.schema not in schemas -%}{%- do schemas.append(relation.schema) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(adapter.flink_catalog(information_schema.database, schemas)) }}
{%- endmacro %}

{% macro flink__get_binding_char() -%}
  ?
{%- endmacro %}

{# dbt-flink-adapter projects call this from on-run-start. Sources are declared automatically in
   every session (see docs/configuration.md), so this only makes that happen early. #}
{% macro create_sources() -%}
  {%- if execute -%}{{ adapter.declare_sources() }}{%- endif -%}
{%- endmacro %}
