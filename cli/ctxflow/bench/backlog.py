"""Step 1: a clean slate and the pre-produced backlog.

The project's and the bench's jobs are cancelled, old bench topics deleted, the contract topics created
fresh under bench.<run>. and the backlog of the realistic mix produced into them BEFORE anything is
deployed, so every drain (the pipeline and each ceiling) reads the very same records.
"""

from __future__ import annotations

import shutil
import time

from ..core.contract import INPUTS
from ..core.kafka_io import admin_client
from ..core.topics import ensure_contract_topics
from .drain import EndOffsets
from .load import Loader
from .session import TARGET, Session


def clean_slate(s: Session) -> None:
    t = time.monotonic()
    s.cancel_jobs()  # every drain starts from nothing
    admin = admin_client(s.settings.kafka_bootstrap)
    old = [name for name in admin.list_topics(timeout=10).topics if name.startswith("bench.")]
    for future in (admin.delete_topics(old, operation_timeout=30) if old else {}).values():
        try:
            future.result(timeout=30)
        except Exception:  # already gone: fine
            pass
    shutil.rmtree(TARGET / "flink_state", ignore_errors=True)
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "dbt-output.log").write_text("")
    created = ensure_contract_topics(admin, s.prefix)
    s.say(f"topics: {len(created)} under {s.prefix} (deleted {len(old)} old bench topics)")
    s.timed("clean_slate_s", t)


def produce_backlog(s: Session, loader: Loader) -> dict[str, dict[int, int]]:
    """Produces cfg.backlog events of the mix; returns each input topic's end offsets per partition
    (the ceilings read exactly up to these, whatever is produced later)."""
    t = time.monotonic()
    sent = loader.blast(s.cfg.backlog, deadline_s=s.cfg.backlog / 2000 + 60)
    offsets = EndOffsets(s.settings.kafka_bootstrap, s.prefix)
    try:
        ends = {s.prefix + name: offsets.topic_ends(s.prefix + name) for name in INPUTS}
    finally:
        offsets.close()
    total = sum(sum(p.values()) for p in ends.values())
    if total < s.cfg.backlog:
        raise SystemExit(f"backlog short: {total} of {s.cfg.backlog} events in the input topics")
    s.result["backlog"] = {
        "events": total,
        "per_topic": {topic.removeprefix(s.prefix): sum(p.values()) for topic, p in ends.items()},
        "produce_events_per_s": round(sent.rate),
    }
    s.timed("backlog_s", t)
    s.say(f"backlog: {total:,} events produced at {sent.rate:,.0f}/s")
    return ends
