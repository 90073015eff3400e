"""Telecom: a customer working remotely abroad runs out of mobile data; the operator offers the roaming
pack that covers their usual day before they have to ask (one offer, though the plan reports exhausted
twice). A customer who runs out at home gets nothing (no roaming pack to sell), nor does a traveller
who has just topped up.
"""

from __future__ import annotations

from ..finance import Customer, customer_history, late_evening_zone, usage
from ..ids import Ids
from .model import Scenario, action_for
from .scripting import HISTORY_DAYS, HISTORY_GAP_MS, Timeline


def customers(seed: int, now_ms: int) -> dict[str, Customer]:
    tz = late_evening_zone(now_ms)
    p = f"telco-{seed}"
    return {
        "remote": Customer(f"{p}-remote", "PL", tz, 2000, "B", "plus", daily_data_mb=3000),
        "home": Customer(f"{p}-home", "PL", tz, 2000, "B", "plus", daily_data_mb=1500),
        "topped": Customer(f"{p}-topped", "SE", tz, 2000, "B", "plus", daily_data_mb=2000),
    }


def build(seed: int, now_ms: int, time_scale: float = 1.0) -> Scenario:
    who = customers(seed, now_ms)
    ids = Ids(seed, "telco:live")
    t = Timeline(now_ms, time_scale)
    remote, home, topped = who["remote"], who["home"], who["topped"]
    t.add(usage(ids, remote, t.at(2), "ES", 900, 300))
    t.add(usage(ids, remote, t.at(6), "ES", 300, 0))
    exhausted = [t.add(usage(ids, remote, t.at(10 + 12 * i), "ES", 0, 0, "plan_exhausted")) for i in range(2)]
    at_home = t.add(usage(ids, home, t.at(14), "PL", 0, 0, "plan_exhausted"))
    t.add(usage(ids, topped, t.at(4), "IT", 0, 5120, "topup"))
    after_topup = t.add(usage(ids, topped, t.at(18), "IT", 0, 0, "plan_exhausted"))
    t.timed.sort(key=lambda timed: timed.send_offset_ms)

    expectations = [
        action_for(
            exhausted[0],
            "roaming remote worker out of data: the roaming pack that covers their usual day",
            equals={
                "situation": "data_exhausted_abroad",
                "action": "offer_roaming_pack",
                "offer_id": "roaming_5gb",
                "pack_mb": 5120,
            },
        ),
        action_for(
            at_home,
            "out of data at home: no roaming pack",
            equals={"situation": "data_exhausted_at_home", "action": "none", "offer_id": None},
        ),
        action_for(
            after_topup,
            "already topped up: none",
            equals={"situation": "data_exhausted_abroad", "action": "none", "offer_id": None},
        ),
    ]
    return Scenario(
        "telco",
        f"{remote.user_id} (usually 3 GB a day) roaming in Spain runs out of data (reported twice); "
        f"{home.user_id} runs out at home; {topped.user_id} topped up in Italy, then runs out. "
        f"{HISTORY_DAYS} days of history each",
        customer_history(list(who.values()), seed, now_ms - HISTORY_GAP_MS, HISTORY_DAYS),
        t.timed,
        expectations,
    )
