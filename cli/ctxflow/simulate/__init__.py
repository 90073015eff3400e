"""`ctxflow simulate`: synthetic input events for the context and persona models.

Pure parts (usable without Kafka, e.g. by the models' end-to-end tests): `catalogue` and `ids` (what
users browse, deterministic ids), `population`/`sessions`/`traffic` (background users and sessions),
`finance` (customers, payments, data usage), `campaigns` (funnel, `reference_kpis`), `malformed`
(corrupt, classify, Mixer) and `scenarios` (`build_scenario`). Kafka parts: `sink`, `run`; the click
command is in `command`, its summary in `report`. The contract, events, topics and Kafka I/O it shares
with watch, bench and demo are in `ctxflow.core`.
"""
