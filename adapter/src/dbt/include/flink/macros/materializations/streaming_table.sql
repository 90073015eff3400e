{# Sink table + one continuously running, named INSERT job (see lifecycle.py for change detection).
   selected_resources: a job_group member deploys its group once the last selected member ran. #}
{% materialization streaming_table, adapter='flink' %}
  {%- set target = this.incorporate(type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {%- set status = adapter.materialize_streaming_table(target, sql, model, should_full_refresh(), selected_resources) -%}
  {% call noop_statement('main', status, 'STREAMING') %}{{ sql }}{% endcall %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target]}) }}
{% endmaterialization %}
