"""The project's Kafka topics: their names, configs and creation, and how far the contract layer typed them.

Flink's Kafka source does not auto-create topics (a job reading a missing topic fails), so the input
topics, the output topics and the seed topics exist up front, created by `ctxflow topics` (and by the
simulator, which calls the same function).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from confluent_kafka.admin import AdminClient

from ..waiting import wait_for
from .contract import INPUTS, KEYS
from .events import Event
from .kafka_io import ensure_topics, message_counts

# Every topic is prefix + short name (`ctx.plays`); a test or bench run passes a prefix of its own.
DEFAULT_PREFIX = "ctx."
# the outputs of the streaming jobs (watch tails them)
STREAMING_OUTPUTS = (
    "ad_eligibility",
    "ad_decisions",
    "personas",
    "car_intent",
    "campaign_kpis",
    "dead_letter",
    "next_best_actions",
)
# ... the streams one job publishes for another to read (ad_eligibility: each play's context; it and
# ad_decisions: the policy)
FEEDS = ("play_contexts", "ad_policy")
# ... and of the batch profiles
OUTPUTS = (*STREAMING_OUTPUTS, *FEEDS, "user_profiles", "customer_profiles")
# The contract layer's typed topics of the valid input events (models/contract/valid_*.sql).
VALID = tuple(f"valid.{name}" for name in INPUTS)
RULES = tuple(
    f"rules.{seed}" for seed in ("ad_rules", "ad_categories", "context_thresholds", "nba_offers", "nba_quiet_hours")
)
# Reference data fed as upsert topics (key: JSON of the primary key) by the systems that own it (the
# customer master: CDC); not events, so not in the contract. The simulator feeds it for its customers.
REFERENCE = ("customers",)
# Changelog topics keep the latest value per key forever.
COMPACTED = frozenset(
    {"user_profiles", "ad_eligibility", "personas", "car_intent", "customer_profiles", "next_best_actions"}
    # one message per play, keyed by user: compaction keeps each listener's latest context
    | {"play_contexts", "ad_policy"}
    | {*RULES, *REFERENCE}
)


def full_topic(short: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}{short}"


def contract_topics(prefix: str = DEFAULT_PREFIX) -> dict[str, dict[str, str]]:
    """Topic name -> topic config. Input topics keep everything (retention by time would delete
    back-filled history, which carries its own old timestamps), and so do their typed copies, which the
    batch profile reads, so that it can be rerun."""
    topics = {}
    for name in (*INPUTS, *VALID, *OUTPUTS, *RULES, *REFERENCE):
        if name in COMPACTED:
            topics[prefix + name] = {"cleanup.policy": "compact"}
        elif name in INPUTS or name in VALID:
            topics[prefix + name] = {"retention.ms": "-1"}
        else:
            topics[prefix + name] = {}
    return topics


def ensure_contract_topics(admin: AdminClient, prefix: str = DEFAULT_PREFIX, partitions: int = 1) -> list[str]:
    """Creates the contract topics that do not exist yet; returns their names."""
    return ensure_topics(admin, contract_topics(prefix), partitions)


def typed_counts(bootstrap: str, prefix: str = DEFAULT_PREFIX) -> dict[str, int]:
    """How many valid events the contract layer has written so far, by input (short name)."""
    counts = message_counts(bootstrap, [prefix + v for v in VALID])
    return {name: counts[prefix + f"valid.{name}"] for name in INPUTS}


def wait_until_typed(
    bootstrap: str,
    before: dict[str, int],
    events: Iterable[Event],
    prefix: str = DEFAULT_PREFIX,
    timeout_s: float = 120,
) -> None:
    """Waits until the contract layer has typed the valid `events` sent since the counts `before` (each
    distinct contract key once: it drops re-delivered copies), so that a batch model over the typed
    topics then reads them (e.g. the profiles over back-filled history)."""
    sent = Counter(topic for topic, _ in {(e.topic, e.value[KEYS[e.topic]]) for e in events})

    def caught_up() -> bool:
        now = typed_counts(bootstrap, prefix)
        return all(now[name] - before.get(name, 0) >= n for name, n in sent.items())

    wait_for(caught_up, f"the contract layer to type {sum(sent.values())} events", timeout_s=timeout_s, every_s=1)
