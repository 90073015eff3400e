{# Batch incremental; the model's SQL sees is_incremental() = true once the table exists. #}
{% materialization incremental, adapter='flink' %}
  {%- set target = this.incorporate(type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {%- set status = adapter.materialize_incremental(target, sql, model, should_full_refresh()) -%}
  {% call noop_statement('main', status, 'INSERT') %}{{ sql }}{% endcall %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target]}) }}
{% endmaterialization %}
