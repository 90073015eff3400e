{#
  Connector options of the output topics. Where Kafka is (bootstrap servers) and how to log in to it
  come from the target's connector_defaults in profiles/profiles.yml, never from the models.
#}

{#
  An append-only topic: every row is one message, keyed by key_field (a STRING column). Read back
  (data tests, dbt show) from the earliest offset: the connector's default, committed group offsets, needs a
  group.id and would skip what is already there.
#}
{% macro kafka_append_topic(name, key_field) %}
  {{ return({
    'connector': 'kafka',
    'topic': topic(name),
    'scan.startup.mode': 'earliest-offset',
    'key.format': 'raw',
    'key.fields': key_field,
    'value.format': 'json',
    'value.fields-include': 'ALL',
    'sink.delivery-guarantee': 'at-least-once',
  }) }}
{% endmacro %}


{# A changelog topic: the latest row per primary key (from the model contract); deletes are tombstones. #}
{% macro upsert_kafka_topic(name) %}
  {{ return({
    'connector': 'upsert-kafka',
    'topic': topic(name),
    'key.format': 'json',
    'value.format': 'json',
  }) }}
{% endmacro %}


{#
  Execution options of jobs whose output is a changelog: state expires after a day without updates,
  and mini-batches fold the retract/insert pairs of joins and aggregations (which would otherwise reach
  the topic as tombstones and half-built rows) at the cost of up to 100 ms of latency.
#}
{% macro changelog_job_options() %}
  {{ return({
    'table.exec.state.ttl': '1 d',
    'table.exec.mini-batch.enabled': 'true',
    'table.exec.mini-batch.allow-latency': '100 ms',
    'table.exec.mini-batch.size': '5000',
  }) }}
{% endmacro %}
