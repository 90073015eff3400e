{% materialization view, adapter='flink' %}
  {%- set target = this.incorporate(type='view') -%}
  {{ run_hooks(pre_hooks) }}
  {%- set status = adapter.materialize_view(target, sql, model) -%}
  {% call noop_statement('main', status, 'CREATE VIEW') %}{{ sql }}{% endcall %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target]}) }}
{% endmaterialization %}
