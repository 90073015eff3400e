"""The bench's reading of slow decisions (cli/ctxflow/bench/stalls.py): spans of requests decided late
together, and what began beside each: a job's checkpoint or a safepoint of the TaskManager."""

from __future__ import annotations

from datetime import UTC, datetime

from ctxflow.bench.stalls import Happening, Span, attribute, checkpoint_starts, safepoints, slow_spans


def marks(sent: float, took: float | None) -> dict[str, float]:
    out = {"sent": sent, "typed": sent + 10}
    if took is not None:
        out["created"] = sent + took
    return out


def test_slow_requests_sent_close_together_make_one_span_and_a_gap_starts_another():
    window = {
        "a": marks(1000, 300),
        "b": marks(1050, 280),  # 50 ms after a: same stall
        "c": marks(1100, 90),  # fast: not in any span, and does not break one
        "d": marks(1140, 260),  # 90 ms after b: still the same
        "e": marks(1400, 500),  # 260 ms after d: a new stall
        "f": marks(1500, None),  # never decided: no decision time to judge
    }

    spans = slow_spans(window, slow_ms=250)

    assert spans == [Span(1000, 1140, 3, 300), Span(1400, 1400, 1, 500)]


def test_no_slow_request_means_no_span():
    assert slow_spans({"a": marks(1000, 249.9), "b": marks(1001, 250)}, slow_ms=250) == []


def test_checkpoints_begin_at_their_trigger_time_named_by_their_job():
    history = {
        "group ads": [{"trigger_timestamp": 5000, "end_to_end_duration": 600}],
        "group shopping": [{"trigger_timestamp": 7000}, {"trigger_timestamp": 17000}],
    }

    assert sorted(checkpoint_starts(history), key=lambda h: h.start_ms) == [
        Happening(5000, "a checkpoint of group ads"),
        Happening(7000, "a checkpoint of group shopping"),
        Happening(17000, "a checkpoint of group shopping"),
    ]


def test_safepoints_longer_than_the_threshold_begin_their_length_before_they_were_logged():
    log = [
        "[2026-12-07T03:35:35.176+0000][280.633s] GC(91) Pause Young (Normal) (G1 Evacuation Pause) 54.108ms",
        '[2026-12-07T03:35:35.180+0000][280.637s] Safepoint "G1CollectForAllocation", Time since last: 1 ns, '
        "Reaching safepoint: 120000 ns, At safepoint: 79880000 ns, Total: 80000000 ns",
        '[2026-12-07T03:35:36.000+0000][281.457s] Safepoint "Cleanup", Time since last: 1 ns, '
        "Reaching safepoint: 100 ns, At safepoint: 1000000 ns, Total: 1000100 ns",
        "not a log line",
    ]
    logged_ms = datetime(2026, 12, 7, 3, 35, 35, 180000, tzinfo=UTC).timestamp() * 1000

    assert safepoints(log, over_ms=50) == [Happening(logged_ms - 80, "a safepoint over 50 ms")]


def test_each_span_counts_once_per_kind_of_happening_beside_it_and_the_rest_count_as_beside_nothing():
    spans = [Span(1000, 1200, 10, 400), Span(5000, 5050, 4, 300), Span(9000, 9000, 1, 260)]
    happenings = [
        Happening(800, "a checkpoint of group ads"),  # 200 ms before the first span: beside it
        Happening(1100, "a checkpoint of group ads"),  # during it: the same kind counts once
        Happening(1150, "a safepoint over 50 ms"),  # during it too: a second kind
        Happening(4600, "a checkpoint of group shopping"),  # 400 ms before the second: too early
        Happening(9001, "a checkpoint of group shopping"),  # after the third span's only request
    ]

    out = attribute(spans, happenings, lead_ms=300)

    assert out["spans"] == 3 and out["requests"] == 15 and out["longest_span_ms"] == 200
    assert out["beside"] == [
        {"what": "a checkpoint of group ads", "spans": 1, "requests": 10},
        {"what": "a safepoint over 50 ms", "spans": 1, "requests": 10},
    ]
    assert out["beside_nothing"] == {"spans": 2, "requests": 5}
