"""What `simulate`, `watch`, `bench` and `demo` share, and nothing of any one of them.

`contract` (the event contract from dbt_project.yml), `events` (Event, JSON bytes, timestamps),
`topics` (names, configs, creation), `kafka_io` (reachability, producer, reading back), `tally` (the
counter of sent events), `pacing` (a steady rate), `dbtrun` (the repo root and running dbt on it).
Nothing here imports from the commands' packages, so they can all import from here.
"""
