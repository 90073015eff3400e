"""dbt unit tests on Flink with inputs that were never seeded or deployed (their columns come from the
project: a typed seed CSV, an enforced contract) and ARRAY values in the fixtures; a wrong expectation
fails."""

from tests.functional.harness import upsert_options

MODEL = """
{{ config(materialized='table', connector_properties={'connector': 'blackhole'}) }}
select p.user_id, p.tags, l.`value` as level
from {{ ref('profile_tbl') }} as p
cross join {{ ref('levels') }} as l
where l.name = 'min'
"""


def _unit_test(name: str, first_tags: list[str]) -> dict:
    return {
        "name": name,
        "model": "scored",
        "given": [
            {
                "input": "ref('profile_tbl')",
                "rows": [{"user_id": "u1", "tags": ["a", "it's"]}, {"user_id": "u2", "tags": []}],
            },
            {"input": "ref('levels')", "rows": [{"name": "min", "value": 0.5}, {"name": "max", "value": 2}]},
        ],
        "expect": {
            "rows": [
                {"user_id": "u1", "tags": first_tags, "level": 0.5},
                {"user_id": "u2", "tags": [], "level": 0.5},
            ]
        },
    }


def test_unit_test_inputs_need_no_seed_or_run_and_arrays_compare_exactly(flink_project):
    flink_project.write("seeds/levels.csv", "name,value\nmin,0.5\nmax,2\n")
    flink_project.write_yaml(
        "seeds/levels.yml",
        {
            "version": 2,
            "seeds": [
                {
                    "name": "levels",
                    "config": {
                        "primary_key": "name",
                        "connector_properties": upsert_options(flink_project.topic("levels")),
                        "column_types": {"name": "STRING", "value": "DOUBLE"},
                    },
                    "columns": [{"name": "value", "quote": True}],
                }
            ],
        },
    )
    flink_project.write(
        "models/profile_tbl.sql",
        "{{ config(materialized='table', connector_properties={'connector': 'blackhole'}) }}"
        " select cast('x' as string) as user_id, array['t'] as tags",
    )
    flink_project.write("models/scored.sql", MODEL)
    flink_project.write_yaml(
        "models/schema.yml",
        {
            "version": 2,
            "models": [
                {
                    "name": "profile_tbl",
                    "config": {"contract": {"enforced": True}},
                    "columns": [
                        {"name": "user_id", "data_type": "STRING"},
                        {"name": "tags", "data_type": "ARRAY<STRING>"},
                    ],
                }
            ],
            "unit_tests": [
                _unit_test("keeps_tags", ["a", "it's"]),
                _unit_test("tags_in_another_order", ["it's", "a"]),
            ],
        },
    )
    passing = flink_project.dbt("test", "--select", "keeps_tags")
    assert passing.ok and "PASS=1" in passing.out, passing.out

    # the comparison is real: an array in another order is another value
    failing = flink_project.dbt("test", "--select", "tags_in_another_order")
    assert not failing.ok and "FAIL 1" in failing.out and "actual differs from expected" in failing.out, (
        failing.out
    )
