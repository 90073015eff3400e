"""Load for the benchmark: the simulator's realistic mix, sent fast enough to find the pipeline's limit.

The simulator generates about 8k events/s on one core, less than the pipeline may take beside it, so
the bench generates a pool of realistic events once and re-sends them as templates: each copy gets a
fresh event id (or it would be deduplicated) and ts = the send time (or it would be late), and each
round through the pool its own users and sessions: the pool's ~860 users re-sent 2M times would each
play several songs a second, which no listener does, and would make every per-user state (the
30-minute context window above all) thousands of rows deep instead of the few a real user has. Latency
probes ride along: ad requests are timed by request id, and each probe user sends three family plays,
the third completing a family context, which must show up in ad_eligibility.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

from confluent_kafka import OFFSET_END, Consumer, TopicPartition

from ..core.contract import KEYS, validate
from ..core.events import encode, to_epoch_ms
from ..core.kafka_io import CountingProducer, reader_config
from ..core.pacing import Pacer
from ..core.tally import Tally
from ..simulate.campaigns import make_campaigns
from ..simulate.population import make_users
from ..simulate.traffic import live_events

ID_MARK = "@@bench-id@@"
TS_MARK = 1111111111111
ROUND_MARK = "@@bench-round@@"
PER_ROUND = ("user_id", "session_id")  # the fields whose values are new in each round of the pool


@dataclass(frozen=True)
class Template:
    topic: str
    key: str  # str.format template with {round}
    text: str  # str.format template with {id}, {ts} and {round}

    def key_in(self, round_: int) -> str:
        return self.key.format(round=round_)

    def value_in(self, round_: int, ident: str, ts: int) -> bytes:
        return self.text.format(id=ident, ts=ts, round=round_).encode()


def valid_plays(pool: list[Template]) -> list[Template]:
    """The plays of the pool that keep the contract (the typed topic the KPI layer reads holds only those)."""
    return [
        tpl
        for tpl in pool
        if tpl.topic == "plays" and not validate("plays", json.loads(tpl.value_in(0, "x", 1), parse_float=Decimal))
    ]


def pool_users(pool: list[Template]) -> int:
    """The distinct users of one round through the pool (every event of the mix is keyed by its user)."""
    return len({tpl.key for tpl in pool})


def population_round(n: int, pool_size: int, user_rounds: int = 0) -> int:
    """The round whose users and sessions the `n`th event sent has (Loader's `user_rounds`)."""
    round_ = n // pool_size
    return round_ % user_rounds if user_rounds else round_


def _literal(text: str) -> str:
    """`text` as a str.format template that yields it unchanged."""
    return text.replace("{", "{{").replace("}", "}}")


def make_pool(size: int, users: int = 1000, seed: int = 42) -> list[Template]:
    """`size` events of the simulator's live mix (plays, page views, ad requests, campaign events)."""
    now = int(time.time() * 1000)
    stream = live_events(make_users(seed, users), make_campaigns(seed), seed, now, 1000.0)
    pool = []
    for event in itertools.islice(stream, size):
        value = {**event.value, KEYS[event.topic]: ID_MARK, "ts": TS_MARK}
        value.update({f: f"{value[f]}{ROUND_MARK}" for f in PER_ROUND if isinstance(value.get(f), str)})
        text = _literal(encode(value).decode())
        text = text.replace(f'"{ID_MARK}"', '"{id}"').replace(str(TS_MARK), "{ts}").replace(ROUND_MARK, ".r{round}")
        # every event of the mix is keyed by its user (sessions.py, campaigns.py)
        key = _literal(event.key) + ".r{round}"
        pool.append(Template(event.topic, key, text))
    return pool


class Loader:
    """Sends the pool round-robin at a paced rate into `prefix` topics, optionally timing probes."""

    def __init__(self, bootstrap: str, prefix: str, pool: list[Template], run_id: str, user_rounds: int = 0) -> None:
        """`user_rounds` 0: every round through the pool brings users and sessions of its own, a
        population that grows with the events sent (a drain's backlog); n: the users and sessions of
        round r are those of round r mod n, a fixed population of n times the pool's (the soak's)."""
        self.producer = CountingProducer(bootstrap)
        self.prefix, self.pool, self.run_id, self.user_rounds = prefix, pool, run_id, user_rounds
        self.topics = {t: prefix + t for t in {tpl.topic for tpl in pool}}
        self._n = 0  # events sent so far: the unique part of every id
        self.request_sent_ms: dict[str, float] = {}  # request id -> produce time (while timing)
        self.probe_sent_ms: dict[str, float] = {}  # probe user -> produce time of the completing play
        self._probes = 0

    def _next(self, pool_size: int) -> tuple[str, int]:
        """The next event's id and the round whose users it carries."""
        ident, round_ = f"{self.run_id}-{self._n}", population_round(self._n, pool_size, self.user_rounds)
        self._n += 1
        return ident, round_

    def _send(self, tpl: Template, now_ms: float, track: bool) -> None:
        ident, round_ = self._next(len(self.pool))
        value = tpl.value_in(round_, ident, int(now_ms))
        if track and tpl.topic == "ad_requests":
            self.request_sent_ms[ident] = time.time() * 1000
        self.producer.send(self.topics[tpl.topic], tpl.key_in(round_), value)

    def _probe_play(self, user: str, n: int) -> None:
        now = int(time.time() * 1000)
        value = {
            "event_id": f"{self.run_id}-probe-{user}-{n}",
            "user_id": user,
            "ts": now,
            "content_id": f"bench-kids-{n}",
            "genre": "kids_songs",
            "audience": "kids",
            "country": "SE",
            "device": "smart_speaker",
        }
        self.producer.send(self.prefix + "plays", user, json.dumps(value).encode())

    def send(self, rate: float, seconds: float, probes_every_s: float | None = None, catch_up_s: float = 0.25) -> Tally:
        """Sends at `rate` events/s for `seconds`; with probes, times ad requests and family contexts.
        After a stall (this thread without a core) it catches up on at most `catch_up_s` of events."""
        stats, pacer = Tally(), Pacer(rate, burst_s=catch_up_s)
        track = probes_every_s is not None
        next_probe = time.monotonic()
        pending: list[tuple[float, str]] = []  # (when, probe user) whose completing play is due
        cycle = len(self.pool)
        while pacer.elapsed() < seconds:
            due = pacer.take()
            now_ms = time.time() * 1000
            for _ in range(due):
                tpl = self.pool[self._n % cycle]
                self._send(tpl, now_ms, track)
                stats.per_topic[tpl.topic] += 1
            if track:
                mono = time.monotonic()
                if mono >= next_probe:
                    user = f"probe-{self.run_id}-{self._probes}"
                    self._probes += 1
                    self._probe_play(user, 1)
                    self._probe_play(user, 2)
                    pending.append((mono + 0.3, user))
                    next_probe = mono + probes_every_s
                while pending and pending[0][0] <= mono:
                    user = pending.pop(0)[1]
                    self.probe_sent_ms[user] = time.time() * 1000
                    self._probe_play(user, 3)
        stats.seconds = pacer.elapsed()
        return stats

    def blast(
        self,
        count: int,
        deadline_s: float,
        pool: list[Template] | None = None,
        into: str | None = None,
        producer: CountingProducer | None = None,
    ):
        """Sends `count` events as fast as the producer takes them (a backlog), within `deadline_s`: the
        loader's pool into its topics, or `pool` into topic `into` (through `producer` if given)."""
        if producer is not None and into is None:  # the pool path sends, and so flushes, through the loader's
            raise ValueError("blast: a producer of its own needs `into`")
        stats, started = Tally(), time.monotonic()
        pool = pool or self.pool
        producer = producer or self.producer
        cycle = len(pool)
        while stats.total < count and time.monotonic() - started < deadline_s:
            now_ms = time.time() * 1000
            for _ in range(min(1000, count - stats.total)):
                tpl = pool[self._n % cycle]
                if into is None:
                    self._send(tpl, now_ms, False)
                else:
                    ident, round_ = self._next(cycle)
                    producer.send(into, tpl.key_in(round_), tpl.value_in(round_, ident, int(now_ms)))
                stats.per_topic[tpl.topic] += 1
        if producer.flush(timeout_s=120):
            raise SystemExit(f"the broker did not acknowledge the backlog: {producer.last_error}")
        stats.seconds = time.monotonic() - started
        return stats

    def close(self) -> int:
        return self.producer.flush()


class OutputListener(threading.Thread):
    """Reads ad_decisions and ad_eligibility from their ends; times the outputs of tracked inputs.

    An output's time is when the Flink job produced it: a decision's Kafka CreateTime, an eligibility
    version's updated_at (its CreateTime is the version's event time). Latency = output time - produce
    time of the input, both wall clock on this machine. Each tracked request also gets the marks of
    stats.DECISION_STAGES (its typed copy in ctx.valid.ad_requests read back, the decision's decided_at,
    CreateTime and receive time), to say where the time goes.
    """

    def __init__(self, bootstrap: str, prefix: str, loader: Loader) -> None:
        super().__init__(daemon=True)
        self.loader = loader
        self.decisions, self.eligibility = prefix + "ad_decisions", prefix + "ad_eligibility"
        self.typed_requests = prefix + "valid.ad_requests"
        self.consumer = Consumer(reader_config(bootstrap, "bench-latency", {"fetch.wait.max.ms": 10}))
        topics = (self.decisions, self.eligibility, self.typed_requests)
        self.consumer.assign([TopicPartition(t, 0, OFFSET_END) for t in topics])
        self.decision_ms: dict[str, float] = {}
        self.context_ms: dict[str, float] = {}
        self.marks: dict[str, dict[str, float]] = {}  # request id -> mark -> epoch ms (stats.DECISION_STAGES)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            # one message at a time: consume(n, timeout) returns only when n messages came or the timeout
            # passed, which would stamp the receive marks up to that timeout late
            msg = self.consumer.poll(0.1)
            if msg is None or msg.error() is not None or msg.key() is None:
                continue
            received = time.time() * 1000
            created = msg.timestamp()[1]
            out_ms = created if created > 0 else received
            if msg.topic() == self.decisions:
                rid = msg.key().decode()
                sent = self.loader.request_sent_ms.get(rid)
                if sent is not None and rid not in self.decision_ms:
                    self.decision_ms[rid] = out_ms - sent
                    decided = to_epoch_ms(json.loads(msg.value()).get("decided_at"))
                    marks = self.marks.setdefault(rid, {"sent": sent})
                    marks.update(decided=decided, created=out_ms, received=received)
            elif msg.topic() == self.typed_requests:
                rid = json.loads(msg.value() or b"{}").get("request_id")
                sent = self.loader.request_sent_ms.get(rid)
                if sent is not None:
                    self.marks.setdefault(rid, {"sent": sent}).setdefault("typed", received)
            elif b"probe-" in msg.key() and msg.value() and b"family_context" in msg.value():
                user = json.loads(msg.key())["user_id"]
                sent = self.loader.probe_sent_ms.get(user)
                # an eligibility version's Kafka timestamp is the event time of the play (or policy
                # change) behind it, not when it was written, so its own updated_at tells when it was made
                made = to_epoch_ms(json.loads(msg.value()).get("updated_at")) or out_ms
                if sent is not None and user not in self.context_ms:
                    self.context_ms[user] = made - sent

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
        self.consumer.close()
