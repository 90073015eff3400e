{#
  Connector options of the output topics. Where Kafka is (bootstrap servers) and how to log in to it
  come from the target's connector_defaults in profiles/profiles.yml, never from the models.
#}

{#
  An append-only topic: every row is one message, keyed by key_field (a STRING column). Read back
  (data tests, dbt show) from the earliest offset: the connector's default, committed group offsets, needs a
  group.id and would skip what is already there; and read_committed, like every reader of ours.

  guarantee says what a reader sees after a process dies (README, "Delivery guarantees"):
  - 'exactly-once': Kafka transactions committed with each Flink checkpoint, so a read_committed reader
    sees each row once, but only after the checkpoint that covers it (execution.checkpointing.interval).
    The transactional id prefix is the topic: unique per sink and stable across restarts and upgrades,
    so a new incarnation of the job aborts what the old one left open. The transaction timeout must stay
    under the broker's transaction.max.timeout.ms (15 min by default; Flink's own default, 1 h, is refused).
  - 'at-least-once': rows are visible as soon as they are written, and a restart from the last checkpoint
    writes again what came after it: for outputs whose readers key on key_field and whose replayed rows
    are the same (idempotent by key), where a checkpoint's delay would cost the latency goal.
#}
{% macro kafka_append_topic(name, key_field, guarantee) %}
  {% set options = {
    'connector': 'kafka',
    'topic': topic(name),
    'scan.startup.mode': 'earliest-offset',
    'properties.isolation.level': 'read_committed',
    'key.format': 'raw',
    'key.fields': key_field,
    'value.format': 'json',
    'value.fields-include': 'ALL',
    'sink.delivery-guarantee': guarantee,
  } %}
  {% if guarantee == 'exactly-once' %}
    {% do options.update({
      'sink.transactional-id-prefix': 'ctxflow-' ~ topic(name),
      'properties.transaction.timeout.ms': '600000',
    }) %}
  {% elif guarantee != 'at-least-once' %}
    {{ exceptions.raise_compiler_error(
      "kafka_append_topic('" ~ name ~ "'): guarantee must be 'exactly-once' or 'at-least-once', not '" ~ guarantee ~ "'"
    ) }}
  {% endif %}
  {{ return(options) }}
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
  the topic as tombstones and half-built rows) at the cost of up to `mini_batch_latency` of latency.
  ad_eligibility takes 20 ms: every ad decision waits for the version published after its request
  (an event-time temporal join), so this latency is the decisions' too (measured: make bench).
  `state_backend` sets the group's own (`rocksdb` or `hashmap`) instead of the cluster's default; all
  members of a group must agree (README, "Where state lives").
#}
{% macro changelog_job_options(mini_batch_latency='100 ms', state_backend=none) %}
  {%- set options = {
    'table.exec.state.ttl': '1 d',
    'table.exec.mini-batch.enabled': 'true',
    'table.exec.mini-batch.allow-latency': mini_batch_latency,
    'table.exec.mini-batch.size': '5000',
  } -%}
  {%- if state_backend is not none -%}
    {%- do options.update({'state.backend.type': state_backend}) -%}
  {%- endif -%}
  {{ return(options) }}
{% endmacro %}
