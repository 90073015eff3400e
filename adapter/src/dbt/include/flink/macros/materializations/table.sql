{# Batch table: sink table DDL + one bounded INSERT (Kafka inputs read up to their current offsets). #}
{% materialization table, adapter='flink' %}
  {%- set target = this.incorporate(type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {%- set status = adapter.materialize_table(target, sql, model, should_full_refresh(), selected_resources) -%}
  {% call noop_statement('main', status, 'INSERT') %}{{ sql }}{% endcall %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target]}) }}
{% endmaterialization %}
