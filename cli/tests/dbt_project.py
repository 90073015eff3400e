"""The dbt project deployed for the end-to-end tests of its stories (cli/tests/test_models_*.py).

Test modules load conftest_models.py (`pytest_plugins = ["conftest_models"]`) for the `project`
fixture (`deploy`): once per test session it creates topics of a prefix of its own (`e2e<random>.`), seeds the
rules and deploys every model with `dbt seed` and `dbt run` on the main stack (ports from the
CTXFLOW_* environment, as everywhere). Deploying with another prefix replaces the running jobs; the
project's default deployment (`ctx.`) is back after a plain `dbt run`.

The helpers read output topics back exactly as a downstream system would: append topics record by
record, changelog topics as the latest value per key (their changelogs are chatty: intermediate rows
and tombstones between final states).
"""

from __future__ import annotations

import csv
import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from flinkclient.jobnames import owner_of
from flinkclient.rest import FlinkRestClient

from ctxflow.core import dbtrun
from ctxflow.core.dbtrun import ROOT as REPO
from ctxflow.core.events import Event, decode
from ctxflow.core.kafka_io import admin_client, read_topic, reader_config
from ctxflow.core.topics import ensure_contract_topics
from ctxflow.simulate.scenarios import Expectation
from ctxflow.simulate.sink import Sink
from ctxflow.stack.settings import Settings
from ctxflow.waiting import wait_for

# the project's long-running Flink jobs: a job group's models share one job (dbt:group.ctxflow.<group>),
# a model outside any group has its own (dbt:model.ctxflow.<model>); the profiles are batch tables
STREAMING_JOBS = ("contract", "eligibility", "ads", "shopping", "campaign_kpis", "nba")
# the job that decides ad requests: job group `ads` (play_contexts and ad_decisions)
DECISIONS_JOB = "ads"


def event_id(event: Event) -> str:
    # a reference record (customers) is not an event: its key identifies it
    return event.value.get("event_id") or event.value.get("request_id") or event.key


@dataclass(frozen=True)
class Record:
    key: dict | str | None
    value: dict | None  # None: a tombstone
    timestamp_ms: int


def _decode(raw: bytes | None) -> object:
    if raw is None:
        return None
    try:
        return decode(raw)
    except ValueError:
        return raw.decode()  # append topics have raw string keys


def thresholds() -> dict[str, Decimal]:
    """The context_thresholds seed as the models see it (name -> value)."""
    with (REPO / "seeds" / "context_thresholds.csv").open() as f:
        return {row["name"]: Decimal(row["value"]) for row in csv.DictReader(f)}


class StampingSink(Sink):
    """A Sink that remembers when (time.monotonic()) each event was handed to Kafka, by event id, and
    what it sent in order: (event, the bytes sent, the malformed kind or None when intact)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sent_at: dict[str, float] = {}
        self.sent: list[tuple[Event, bytes, str | None]] = []
        apply = self.mixer.apply

        def recording(event: Event) -> tuple[bytes, str | None]:
            value, kind = apply(event)
            self.sent.append((event, value, kind))
            return value, kind

        self.mixer.apply = recording

    def send(self, event: Event, tally, backdated: bool = False) -> None:
        super().send(event, tally, backdated)
        self.sent_at[event_id(event)] = time.monotonic()


class Tail:
    """A consumer of one topic from its beginning that keeps every record with when it was received."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.consumer = Consumer(reader_config(bootstrap, "e2e-tail"))
        partitions = self.consumer.list_topics(topic, timeout=10).topics[topic].partitions
        self.consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        self.records: list[tuple[float, Record]] = []

    def poll(self, timeout_s: float = 0.05) -> list[tuple[float, Record]]:
        """The records that arrived since the last call, each with its receive time (time.monotonic())."""
        new = []
        while True:
            msg = self.consumer.poll(timeout_s)
            if msg is None:
                break
            if msg.error() is None:
                rec = Record(_decode(msg.key()), _decode(msg.value()), msg.timestamp()[1])
                new.append((time.monotonic(), rec))
            timeout_s = 0  # drain what is there, then return
        self.records += new
        return new

    def close(self) -> None:
        self.consumer.close()


@dataclass
class Project:
    """The project deployed under `prefix` on the stack of `settings`."""

    settings: Settings
    prefix: str
    # the environment dbt runs in: the CTXFLOW_* ports of `settings` (the profile reads them)
    env: dict[str, str] | None = None

    @property
    def bootstrap(self) -> str:
        return self.settings.kafka_bootstrap

    def topic(self, short: str) -> str:
        return self.prefix + short

    def dbt(self, *args: str, timeout_s: float = 900) -> subprocess.CompletedProcess:
        """`dbt ARGS --vars {topic_prefix: PREFIX}` in the project, output captured; fails the test when
        dbt fails."""
        try:
            return dbtrun.run(*args, variables=self.vars, env=self.env, output=True, timeout_s=timeout_s)
        except dbtrun.DbtFailed as err:
            pytest.fail(str(err))

    @property
    def vars(self) -> dict[str, str]:
        """The dbt vars of this deployment (`dbtrun.command(..., variables=project.vars)` for a dbt of
        one's own, e.g. one to kill)."""
        return {"topic_prefix": self.prefix}

    def show(self, sql: str, limit: int) -> list[dict]:
        """The rows of a bounded query (`dbt show --inline`, Jinja and ref() allowed) over the topics now."""
        out = self.dbt("show", "--inline", sql, "--limit", str(limit), "--output", "json", "--quiet")
        return json.loads(out.stdout[out.stdout.index("{") :])["show"]

    def admin(self):
        return admin_client(self.bootstrap)

    def rest(self) -> FlinkRestClient:
        """A client of the stack's Flink REST API, to use as a context manager (it holds a connection pool)."""
        return FlinkRestClient(self.settings.flink_rest_url, hint="Is the stack up?")

    def sink(self, **kwargs) -> StampingSink:
        return StampingSink(self.bootstrap, prefix=self.prefix, **kwargs)

    def tail(self, short: str) -> Tail:
        return Tail(self.bootstrap, self.topic(short))

    def read(self, short: str) -> list[Record]:
        """Every record of output topic `short` now, in order (single-partition topics)."""
        return [
            Record(_decode(r.key), _decode(r.value), r.timestamp_ms)
            for r in read_topic(self.bootstrap, self.topic(short), timeout_s=30)
        ]

    def wait_for_decision(self, request_id: str, what: str, timeout_s: float = 60) -> dict:
        """The decision of `request_id` (ad_decisions read once, then as it grows); at the deadline, fails
        the test with what the decisions job was waiting for (_decisions_job_state)."""
        tail = self.tail("ad_decisions")

        def decided() -> dict | None:
            tail.poll()
            return next((r.value for _, r in tail.records if r.value and r.key == request_id), None)

        try:
            return wait_for(decided, what, timeout_s=timeout_s, every_s=1)
        except TimeoutError as err:
            pytest.fail(f"{err}\n{self._decisions_job_state(request_id)}")
        finally:
            tail.close()

    def _decisions_job_state(self, request_id: str) -> str:
        """What a missed decision needs to be explained: the job's restarts, and per vertex its records, load,
        input watermark (a source's: per Kafka split, with whether the split counts as idle) and, where it
        is not waiting for input, what its task thread is doing."""
        requests = self.read("valid.ad_requests")
        typed = next((r.value for r in requests if r.value and r.value.get("request_id") == request_id), None)
        jobs = self.running_jobs()
        jid = jobs.get(DECISIONS_JOB)
        if jid is None:
            return f"request in valid.ad_requests: {typed is not None}; no RUNNING {DECISIONS_JOB} job"
        lines = [
            f"request in valid.ad_requests: {typed is not None}; "
            f"{DECISIONS_JOB} restarts: {self.restarts(jobs)[DECISIONS_JOB]}"
        ]
        now = time.time() * 1000

        def ago(ms: float) -> str:
            # to the millisecond against the request's own time: a join holds a request until its input
            # watermark reaches the request's ts, so "1 ms short" and "1 ms past" are different stories
            against = f", request ts {ms - typed['ts']:+.0f} ms" if typed and typed.get("ts") is not None else ""
            return "-" if ms < 0 else f"{(now - ms) / 1000:.1f} s ago{against}"

        with self.rest() as rest:
            threads = [
                t["stringifiedThreadInfo"]
                for tm in rest.get("/taskmanagers")["taskmanagers"]
                for t in rest.get(f"/taskmanagers/{tm['id']}/thread-dump")["threadInfos"]
            ]
            for vertex in rest.job_detail(jid)["vertices"]:
                path = f"/jobs/{jid}/vertices/{vertex['id']}/subtasks/metrics"
                names = [m["id"] for m in rest.get(path)]
                watermarks = ("currentWatermark", "InputWatermark")
                wanted = [n for n in names if "TimeMsPerSecond" in n or n.endswith(watermarks)]
                metrics = {m["id"]: m["max"] for m in rest.get(path, get=",".join(wanted))} if wanted else {}
                lines.append(
                    f"{vertex['name'][:100]}: records in/out {vertex['metrics']['read-records']}/"
                    f"{vertex['metrics']['write-records']}, busy/back-pressured "
                    f"{metrics.get('busyTimeMsPerSecond')}/{metrics.get('backPressuredTimeMsPerSecond')} ms/s"
                )
                for name, value in sorted(metrics.items()):
                    if name.endswith(watermarks):
                        lines.append(f"    {name}: {ago(value)}")
                    elif ".split." in name:
                        lines.append(f"    {name}: {value}")
                thread = next((t for t in threads if t.startswith(f'"{vertex["name"]}')), "")
                if thread and "MailboxProcessor.processMailsWhenDefaultActionUnavailable" not in thread:
                    lines += ["    " + frame for frame in thread.splitlines()[:12]]
        return "\n".join(lines)

    def restarts(self, jobs: dict[str, str] | None = None) -> dict[str, int]:
        """Each running streaming job (running_jobs' names, or `jobs` already read from them) -> how often
        Flink has restarted it."""
        jobs = self.running_jobs() if jobs is None else jobs
        with self.rest() as rest:
            metrics = {name: rest.get(f"/jobs/{j}/metrics", get="numRestarts") for name, j in jobs.items()}
        return {name: int(metric[0]["value"]) if metric else 0 for name, metric in metrics.items()}

    def running_jobs(self) -> dict[str, str]:
        """Job group or standalone model name -> id of its RUNNING Flink job (Flink's /jobs/overview)."""
        out: dict[str, str] = {}
        with self.rest() as rest:
            jobs = rest.jobs()
        for job in jobs:
            # group.ctxflow.<group>, model.ctxflow.<model>
            kind, _, qualified = (owner_of(job.name) or "").partition(".")
            package, _, unit = qualified.partition(".")
            if job.state == "RUNNING" and kind in ("group", "model") and package == "ctxflow":
                assert unit not in out, f"two RUNNING jobs for {unit}: {out[unit]} and {job.job_id}"
                out[unit] = job.job_id
        return out


APPEND_OUTPUTS = frozenset({"ad_decisions", "campaign_kpis", "dead_letter"})


def check_expectations(project: Project, expectations: list[Expectation]) -> list[str]:
    """What the output topics get wrong about `expectations` now: each is checked against the one
    record of its key (append topics) or the latest value of its key (changelog topics)."""
    problems = []
    topics: dict[str, list[Record]] = {}
    for exp in expectations:
        if exp.output not in topics:
            topics[exp.output] = project.read(exp.output)
        records = topics[exp.output]
        if exp.output in APPEND_OUTPUTS:
            matching = [r.value for r in records if r.value is not None and exp.matches_key(r.value)]
            if len(matching) > 1:
                problems.append(f"{exp.summary()}: {len(matching)} records, expected one")
            latest = matching[-1] if matching else None
        else:  # a tombstone has no value: match the key of the message
            latest = None
            for r in records:
                if isinstance(r.key, dict) and exp.matches_key(r.key):
                    latest = r.value
        problems += [f"{exp.summary()}: {p}" for p in exp.check(latest)]
    return problems


def wait_for_expectations(project: Project, expectations: list[Expectation], timeout_s: float = 60) -> None:
    """Polls until every expectation holds; at the deadline, fails listing what does not."""
    last: list[str] = []

    def all_met() -> bool:
        last[:] = check_expectations(project, expectations)
        return not last

    try:
        wait_for(all_met, f"{len(expectations)} expectations", timeout_s=timeout_s, every_s=1)
    except TimeoutError as err:
        pytest.fail(f"{err}:\n" + "\n".join(last))


def deploy(settings: Settings, prefix: str, env: dict[str, str] | None = None) -> Project:
    """Topics of `prefix`, then `dbt seed` and `dbt run`: every streaming job RUNNING on the stack
    (the one of `env`'s CTXFLOW_* ports, default the process's)."""
    proj = Project(settings, prefix, env)
    ensure_contract_topics(admin_client(proj.bootstrap), prefix)
    proj.dbt("seed")
    proj.dbt("run")
    jobs = proj.running_jobs()
    assert sorted(jobs) == sorted(STREAMING_JOBS), f"running jobs after dbt run: {jobs}"
    return proj


def poll_until(predicate: Callable[[], object], what: str, timeout_s: float = 60, every_s: float = 1) -> object:
    """wait_for that fails the test (with `what`) instead of raising TimeoutError."""
    try:
        return wait_for(predicate, what, timeout_s=timeout_s, every_s=every_s)
    except TimeoutError as err:
        pytest.fail(str(err))
