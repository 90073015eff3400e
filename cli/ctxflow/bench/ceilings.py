"""Step 7: the ceilings, each a drain of the same backlog (up to the end offsets recorded when it was
produced) with nothing else running: the broker (one confluent-kafka consumer), the engine
(pass-through, `raw` format into blackhole) and parsing (`json` format with the contract's typed
fields into blackhole: the floor of any pipeline that must read each event once).

Flink's ceilings are bounded jobs timed like the pipeline: first source task start to last source end.
"""

from __future__ import annotations

import time

from confluent_kafka import Consumer, TopicPartition
from flinkclient.gateway import GatewayClient
from flinkclient.gateway import Session as GatewaySession

from ..core.contract import INPUTS
from ..core.kafka_io import reader_config
from .jobmetrics import source_window_ms
from .session import STACK_HINT, Session
from .system import CpuSampler


def typed_columns(topic: str) -> str:
    """The contract's fields of one input as Flink columns, e.g. `event_id` STRING, `ts` BIGINT."""
    return ", ".join(f"`{f.name}` {f.sql_type}" for f in INPUTS[topic])


def bounded_offsets(ends: dict[int, int]) -> str:
    """scan.bounded.specific-offsets for a topic's recorded ends, e.g. partition:0,offset:500000."""
    return ";".join(f"partition:{p},offset:{o}" for p, o in sorted(ends.items()))


def broker_ceiling(s: Session, ends: dict[str, dict[int, int]]) -> dict:
    cpu = CpuSampler(s.settings)
    consumer = Consumer(reader_config(s.settings.kafka_bootstrap, "bench-raw", {"fetch.max.bytes": 52428800}))
    todo = {(t, p): end for t, parts in ends.items() for p, end in parts.items() if end > 0}
    consumer.assign([TopicPartition(t, p, 0) for t, p in todo])
    total = sum(todo.values())
    before, started = cpu.snapshot(), time.monotonic()
    read, deadline = 0, started + 300
    while todo and time.monotonic() < deadline:
        for m in consumer.consume(10000, 1.0):
            if m.error() is not None:
                continue
            key = (m.topic(), m.partition())
            if key in todo:
                read += 1
                if m.offset() >= todo[key] - 1:
                    del todo[key]
    seconds = time.monotonic() - started
    consumer.close()
    cores, _ = CpuSampler.since(before, cpu.snapshot(), seconds)
    done = not todo
    return {
        "events_per_s": round(total / seconds) if done and seconds > 0 else None,
        "drain_s": round(seconds, 2),
        "events": read,
        "consumer_cpu_cores": round(cores.get("bench", 0), 2),
    }


def flink_ceiling(s: Session, ends: dict[str, dict[int, int]], kind: str) -> dict:
    """kind 'passthrough' (raw value) or 'parse' (json, typed contract fields), every input into blackhole."""
    statements = []
    for name in INPUTS:
        topic = s.prefix + name
        columns = "raw_value STRING" if kind == "passthrough" else typed_columns(name)
        fmt = "'format' = 'raw'" if kind == "passthrough" else "'format' = 'json', 'json.ignore-parse-errors' = 'true'"
        statements.append(
            f"CREATE TEMPORARY TABLE {kind}_{name} ({columns}) WITH ('connector' = 'kafka', 'topic' = '{topic}', "
            f"'properties.bootstrap.servers' = '{s.settings.kafka_bootstrap}', {fmt}, "
            "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'specific-offsets', "
            f"'scan.bounded.specific-offsets' = '{bounded_offsets(ends[topic])}')"
        )
        statements.append(f"CREATE TEMPORARY TABLE {kind}_{name}_sink ({columns}) WITH ('connector' = 'blackhole')")
    with GatewayClient(s.settings.gateway_url, hint=STACK_HINT) as client, GatewaySession(client) as gw:
        for statement in statements:
            gw.rows(statement)
        gw.rows(f"SET 'pipeline.name' = 'bench:{kind}'")
        inserts = "".join(f"INSERT INTO {kind}_{n}_sink SELECT * FROM {kind}_{n};\n" for n in INPUTS)
        jid = gw.rows(f"EXECUTE STATEMENT SET BEGIN\n{inserts}END")[0][0]
    detail = s.rest.wait_finished([jid], timeout_s=300)[jid]
    start, end = source_window_ms([detail])
    total = sum(sum(p.values()) for p in ends.values())
    seconds = (end - start) / 1000 if start and end else None
    return {"events_per_s": round(total / seconds) if seconds else None, "drain_s": seconds, "events": total}


def ceilings(s: Session, ends: dict[str, dict[int, int]]) -> None:
    t = time.monotonic()
    out = {"broker": broker_ceiling(s, ends)}
    s.say(f"broker ceiling: {out['broker']['events_per_s']} events/s")
    for kind in ("passthrough", "parse"):
        out[kind] = flink_ceiling(s, ends, kind)
        s.say(f"{kind} ceiling: {out[kind]['events_per_s']} events/s")
    pipeline = (s.result.get("throughput") or {}).get("events_per_s")
    for kind in ("broker", "passthrough", "parse"):
        rate = out[kind]["events_per_s"]
        out[kind]["pipeline_share"] = round(pipeline / rate, 4) if pipeline and rate else None
    s.result["ceilings"] = out
    s.timed("ceilings_s", t)
