"""What the next-best actions cost: a step of `make bench` (on the project it deployed under its bench.
prefix, after the live latency), and `make bench-nba` alone (python -m ctxflow.bench.nba) on the project
as deployed (`dbt run`, topic prefix CTXFLOW_BENCH_NBA_PREFIX, default ctx.):

 1. udf      the PyFlink repayment_risk per call: bounded batch jobs over N and 2N generated rows, with
             and without the call; the extra time of the extra N rows with the call, divided by N (the
             jobs' fixed costs, the Python worker's start among them, cancel out)
 2. latency  declined payments abroad, each of a new customer (so each opens a situation), sent at a
             steady rate; from the send of each to its action arriving in ctx.next_best_actions
             (p50/p95/p99; the UDF, the joins and the upsert sink included). The bench customers
             have no history, so each is scored and gets `none`: the same path as an offer.

Alone it writes one JSON line on stdout and target/bench/nba.json. On a shared 2-core machine the
figures say what the stack achieved beside the other processes, not what it can do.
"""

from __future__ import annotations

import json
import os
import time
import uuid

from confluent_kafka import OFFSET_END, Consumer, TopicPartition
from flinkclient.gateway import GatewayClient, Session

from ..core.events import Event
from ..core.kafka_io import reader_config
from ..core.tally import Tally
from ..core.topics import DEFAULT_PREFIX
from ..simulate.finance import Customer, late_evening_zone, payment, reference_record
from ..simulate.ids import Ids
from ..simulate.sink import Sink
from ..stack.settings import Settings
from .config import Config
from .session import STACK_HINT, keep
from .stats import latency_summary

REGISTER = (
    "CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS repayment_risk "
    "AS 'ctxflow_pyudf.flink.repayment_risk' LANGUAGE PYTHON"
)
# datagen is throttled to 10,000 rows/s by default: unthrottled, the jobs measure the work, not the pace
GENERATED = """CREATE TEMPORARY TABLE nba_bench_rows (
    amount DECIMAL(12, 2), card_limit DECIMAL(12, 2), spend DECIMAL(12, 2), on_time DOUBLE
) WITH (
    'connector' = 'datagen', 'number-of-rows' = '{rows}', 'rows-per-second' = '1000000000',
    'fields.amount.min' = '1', 'fields.amount.max' = '5000',
    'fields.card_limit.min' = '500', 'fields.card_limit.max' = '6000',
    'fields.spend.min' = '10', 'fields.spend.max' = '200',
    'fields.on_time.min' = '0', 'fields.on_time.max' = '1'
)"""
WITH_UDF = "SELECT COUNT(*) FROM nba_bench_rows WHERE repayment_risk(amount, card_limit, spend, on_time, 'B') >= 0"
WITHOUT_UDF = "SELECT COUNT(*) FROM nba_bench_rows WHERE amount + card_limit + spend + on_time >= 0"


def udf_cost(settings: Settings, rows: int) -> dict:
    """Microseconds per repayment_risk call: the marginal time of `rows` more rows with the call, less
    the marginal time of `rows` more rows without it, divided by `rows`."""
    seconds = {}
    with GatewayClient(settings.gateway_url, hint=STACK_HINT) as client, Session(client) as gw:
        gw.rows(REGISTER)
        gw.rows("SET 'execution.runtime-mode' = 'batch'")
        for n in (rows, 2 * rows):
            gw.rows("DROP TEMPORARY TABLE IF EXISTS nba_bench_rows")
            gw.rows(GENERATED.format(rows=n))
            for name, sql in (("without_udf", WITHOUT_UDF), ("with_udf", WITH_UDF)):
                started = time.monotonic()
                (count,) = gw.rows(sql, timeout_s=900)[0]
                seconds[f"{name}_{n}_s"] = round(time.monotonic() - started, 2)
                assert count == n, f"{name}: counted {count} of {n} rows"
    with_udf = seconds[f"with_udf_{2 * rows}_s"] - seconds[f"with_udf_{rows}_s"]
    without = seconds[f"without_udf_{2 * rows}_s"] - seconds[f"without_udf_{rows}_s"]
    return {"rows": rows, **seconds, "us_per_call": round((with_udf - without) / rows * 1e6, 2)}


def decline_latency(settings: Settings, prefix: str, rate: float, count: int) -> dict:
    """Sends `count` declines abroad at `rate`/s to the `prefix` topics, each of a new customer; latency
    to each one's action."""
    run = uuid.uuid4().hex[:8]
    now = int(time.time() * 1000)
    tz = late_evening_zone(now)  # no quiet hours in the way
    customers = [Customer(f"bench-nba-{run}-{i}", "DE", tz, 2000, "A", "plus") for i in range(count)]
    topic = prefix + "next_best_actions"
    consumer = Consumer(reader_config(settings.kafka_bootstrap, f"bench-nba-{run}"))
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_END) for p in partitions])
    sent_at: dict[str, float] = {}
    decided_in: dict[str, float] = {}

    def drain(timeout_s: float) -> None:
        msg = consumer.poll(timeout_s)
        while msg is not None:
            if msg.error() is None and msg.value() is not None:
                situation = json.loads(msg.key()).get("situation_id")
                if situation in sent_at and situation not in decided_in:
                    decided_in[situation] = (time.monotonic() - sent_at[situation]) * 1000
            msg = consumer.poll(0)

    ids = Ids(int(run, 16), "bench-nba")
    with Sink(settings.kafka_bootstrap, prefix) as sink:
        tally = Tally()
        for c in customers:
            sink.send(reference_record(c, now), tally)
        sink.producer.flush()
        drain(1.0)
        started = time.monotonic()
        for i, c in enumerate(customers):
            while time.monotonic() < started + i / rate:
                drain(0.01)
            ts = int(time.time() * 1000)
            event: Event = payment(ids, c, ts, 2500, "car_rental", "IT", "declined", "limit_exceeded")
            sink.send(event, tally)  # handed to the producer (sent within its linger of a few ms)
            sent_at[event.value["event_id"]] = time.monotonic()
    deadline = time.monotonic() + 30
    while len(decided_in) < len(sent_at) and time.monotonic() < deadline:
        drain(0.1)
    consumer.close()
    return {"rate": rate, "sent": len(sent_at), **latency_summary(list(decided_in.values()))}


def nba(settings: Settings, prefix: str, cfg: Config) -> dict:
    """Both measures, on the project deployed under `prefix`."""
    return {
        "udf": udf_cost(settings, cfg.nba_udf_rows),
        "decline_to_action_ms": decline_latency(settings, prefix, cfg.nba_rate, cfg.nba_declines),
    }


def main() -> None:
    prefix = os.environ.get("CTXFLOW_BENCH_NBA_PREFIX", DEFAULT_PREFIX)
    result = {**nba(Settings.from_env(), prefix, Config()), "load_avg": [round(x, 2) for x in os.getloadavg()]}
    keep("nba.json", result, indent=2)
    print(json.dumps(result, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
