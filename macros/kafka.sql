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
  The options of the `eligibility` group (ad_policy, ad_eligibility), one definition for its members.
  Its state never expires: the policy is a few dozen seed rows (with a TTL, a rule unchanged for a day
  would drop out of it), and per user it keeps their latest play context and its join row, growing with
  the number of users.
#}
{% macro eligibility_job_options() %}
  {%- set options = changelog_job_options(mini_batch_latency='20 ms', state_ttl='0 ms') -%}
  {%- do options.update(heap_state_options()) -%}
  {{ return(options) }}
{% endmacro %}


{#
  The state options of the job groups whose state is on the heap (`ads`, `eligibility`): the hashmap
  backend, checkpointed every minute instead of the cluster's 10 s. A heap checkpoint is a full copy of
  the group's state (about 50 and 65 MB after the bench's drain), serialized by one thread flat out for
  0.4-1.7 s; on 2 cores that burst starves the contract group, and the ad requests of the moment wait
  behind it: make bench's slowest decisions at 5,000 events/s came in stalls of 0.2-0.7 s, and 6 of 13
  and 7 of 18 of them began at one of these checkpoints. Every minute: decision p99 249 and 193 ms in
  two runs, against 261 and 317 every 10 s (README, "Where state lives"). Neither group writes
  exactly-once, so nothing waits for their checkpoints; after a fault they replay up to a minute of
  their input, into outputs that are idempotent by key.
#}
{% macro heap_state_options() %}
  {{ return({'state.backend.type': 'hashmap', 'execution.checkpointing.interval': '60 s'}) }}
{% endmacro %}


{#
  Execution options of jobs whose output is a changelog: state expires after `state_ttl` without
  updates (a day; '0 ms' never), and mini-batches fold the retract/insert pairs of aggregations (which
  would otherwise reach the topic as tombstones and half-built rows) at the cost of up to
  `mini_batch_latency` of latency. `state_backend` sets the group's own (`rocksdb` or `hashmap`)
  instead of the cluster's default; all members of a group must agree (README, "Where state lives").
  Records between the job's tasks wait in a network buffer for up to as long as a mini-batch (the
  profile's 10 ms is for the jobs an ad request waits on): each edge between tasks has a thread that
  wakes every buffer timeout, and at 10 ms the project's 76 of them took 0.12 of the 2 cores of an idle
  TaskManager (make bench's thread profile). `buffer_timeout=false` keeps the profile's instead.
#}
{% macro changelog_job_options(mini_batch_latency='100 ms', state_backend=none, state_ttl='1 d', buffer_timeout=true) %}
  {%- set options = {
    'table.exec.state.ttl': state_ttl,
    'table.exec.mini-batch.enabled': 'true',
    'table.exec.mini-batch.allow-latency': mini_batch_latency,
    'table.exec.mini-batch.size': '5000',
  } -%}
  {%- if buffer_timeout -%}
    {%- do options.update({'execution.buffer-timeout': mini_batch_latency}) -%}
  {%- endif -%}
  {%- if state_backend is not none -%}
    {%- do options.update({'state.backend.type': state_backend}) -%}
  {%- endif -%}
  {{ return(options) }}
{% endmacro %}


{#
  A versioned table (for an event-time temporal join, FOR SYSTEM_TIME AS OF) over an append stream of
  versions: the newest row per key by its event time, a later row winning on equal times. Flink reads
  this ROW_NUMBER pattern as a versioned view. Reading a topic's versions as an append stream, a
  tombstone carries no version and is skipped: the version before it stays in effect.
#}
{% macro versioned_table(relation, key, time) -%}
  select *
  from (
    select
      *,
      row_number() over (partition by {{ key }} order by {{ time }} desc) as recency
    from {{ relation }}
  ) as newest_first
  where recency = 1
{%- endmacro %}


{#
  The options of the `ads` group (play_contexts, ad_decisions), one definition for its members. Both
  read the listening contexts of one OVER window over the plays (int_user_recent_listening), which the
  group computes once (see play_contexts). Its state is on the heap without a TTL, as ad_decisions
  needs (README, "Where state lives"): per user the plays of two context windows, a context version and
  the last request ids.
#}
{% macro ads_job_options() %}
  {{ return(heap_state_options()) }}
{% endmacro %}
