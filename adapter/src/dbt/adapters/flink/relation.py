"""How dbt names a Flink relation: `catalog`.`database`.`table`, every part quoted with backticks."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbt.adapters.base.relation import BaseRelation, Policy


@dataclass
class FlinkQuotePolicy(Policy):
    database: bool = True
    schema: bool = True
    identifier: bool = True


@dataclass(frozen=True, eq=False, repr=False)
class FlinkRelation(BaseRelation):
    # Backticks: Flink's identifier quote; quoting everything keeps dbt's case and allows keywords.
    quote_policy: FlinkQuotePolicy = field(default_factory=FlinkQuotePolicy)
    quote_character: str = "`"
    require_alias: bool = False
