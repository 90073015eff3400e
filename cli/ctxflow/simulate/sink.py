"""Where simulated events go: the prefixed topics (created if missing), through the malformed mix, to Kafka."""

from __future__ import annotations

from ..core.contract import INPUTS
from ..core.events import Event, encode
from ..core.kafka_io import CountingProducer, admin_client
from ..core.tally import Tally
from ..core.topics import DEFAULT_PREFIX, REFERENCE, ensure_contract_topics, full_topic
from .malformed import Mixer


class Sink:
    """Sends events to `prefix` + short topic name, creating missing topics; a context manager that flushes.

    Model tests use it as `with Sink(bootstrap, prefix) as sink: play(sink, build_scenario(...))`.
    """

    def __init__(
        self,
        bootstrap: str,
        prefix: str = DEFAULT_PREFIX,
        partitions: int = 1,
        malformed_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        admin = admin_client(bootstrap)  # fails fast, with what to do, when Kafka is not there
        self.topics = {short: full_topic(short, prefix) for short in (*INPUTS, *REFERENCE)}
        # every contract topic, configured, not only the inputs: the models read some outputs back
        self.created = ensure_contract_topics(admin, prefix, partitions)
        self.producer = CountingProducer(bootstrap)
        self.mixer = Mixer(malformed_rate, seed)

    def send(self, event: Event, tally: Tally, backdated: bool = False) -> None:
        """Sends `event` (maybe broken by the malformed mix). A `backdated` event carries its ts as the Kafka
        timestamp: staging trusts `ts` only near the message timestamp, so history stamped "now" would
        all count as happening now. Broken events keep the send time: Kafka 4 rejects timestamps more
        than an hour ahead, and a broken event's ts is not to be trusted anyway."""
        # reference records (customer master data) are not events: the malformed mix is for events
        value, kind = (encode(event.value), None) if event.topic in REFERENCE else self.mixer.apply(event)
        timestamp = event.ts if backdated and kind is None else None
        self.producer.send(self.topics[event.topic], event.key, value, timestamp)
        tally.per_topic[event.topic] += 1

    def close(self) -> int:
        """Flushes; returns how many messages were never acknowledged."""
        return self.producer.flush()

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc) -> None:
        unacked = self.close()
        if unacked and exc[0] is None:
            raise RuntimeError(f"{unacked} events were not acknowledged by Kafka ({self.producer.last_error})")
