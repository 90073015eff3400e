"""`ctxflow simulate`: synthetic input events for the context and persona models.

Pure parts (usable without Kafka, e.g. by the models' end-to-end tests): `contract` (fields, validate),
`events` (Event, Timed, encode), `population`/`sessions`/`traffic` (background users and sessions),
`campaigns` (funnel, `reference_kpis`), `malformed` (corrupt, classify, Mixer) and `scenarios`
(`build_scenario`). Kafka parts: `kafka_io`, `sink`, `run`; the click command is in `command`.
"""
