{#
  Connector options of the output topics. Where Kafka is (bootstrap servers) and how to log in to it
  come from the target's connector_defaults in profiles/profiles.yml, never from the models.
#}

{# An append-only topic: every row is one message, keyed by key_field (a STRING column). #}
{% macro kafka_append_topic(name, key_field) %}
  {{ return({
    'connector': 'kafka',
    'topic': topic(name),
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
