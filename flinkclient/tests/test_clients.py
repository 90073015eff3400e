"""The clients against in-process fake endpoints (httpx.MockTransport): no Flink needed."""

from __future__ import annotations

import httpx
import pytest
from flinkclient.gateway import GatewayClient, GatewayError, Session, page_token
from flinkclient.http import Unreachable, poll
from flinkclient.jobnames import job_name, owner_of, short_name
from flinkclient.rest import FlinkRestClient, FlinkRestError, Job

HINT = "Is the stack up?"


class FakeGateway:
    """Answers the gateway's REST calls; ``pages`` are the result pages of the one statement."""

    def __init__(self, pages: list[dict] | None = None, session: dict | None = None):
        self.pages = pages or []
        self.session = {"sessionHandle": "s1"} if session is None else session
        self.closed_operations: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v3/sessions" and request.method == "POST":
            return httpx.Response(200, json=self.session)
        if path.endswith("/statements"):
            return httpx.Response(200, json={"operationHandle": "op1"})
        if path.endswith("/close"):
            self.closed_operations.append(path)
            return httpx.Response(200, json={})
        if "/result/" in path:
            page = self.pages.pop(0) if len(self.pages) > 1 else self.pages[0]
            return httpx.Response(200, json=page)
        if request.method == "DELETE":
            return httpx.Response(200, json={})
        return httpx.Response(404, json={"errors": [f"unexpected {request.method} {path}"]})


def client(fake) -> GatewayClient:
    return GatewayClient("http://gw:8083", HINT, transport=httpx.MockTransport(fake))


def payload(rows, token="1", job=None, kind="PAYLOAD"):
    page = {"resultType": kind, "results": {"columns": [{"name": "x"}], "data": rows}}
    if token:
        page["nextResultUri"] = f"/v3/sessions/s1/operations/op1/result/{token}?rowFormat=JSON"
    if job:
        page["jobID"] = job
    return page


def test_statement_result_is_collected_and_its_operation_closed():
    fake = FakeGateway(
        [
            {"resultType": "NOT_READY", "nextResultUri": "/v3/sessions/s1/operations/op1/result/0"},
            payload([{"kind": "INSERT", "fields": ["j1"]}], job="j1"),
            payload([], token=None, kind="EOS"),
        ]
    )
    with Session(client(fake)) as session:
        result = session.run("INSERT INTO t SELECT 1")
    assert result.rows == [["j1"]] and result.job_id == "j1"
    assert fake.closed_operations == ["/v3/sessions/s1/operations/op1/close"]


def test_empty_result_pages_end_at_the_deadline_and_the_operation_is_closed():
    fake = FakeGateway([payload([])])  # a query that never produces a row nor ends
    with pytest.raises(GatewayError, match="did not finish within 0s"):
        client(fake).execute("s1", "SELECT * FROM endless", timeout_s=0.2)
    assert fake.closed_operations


def test_a_session_that_cannot_be_opened_is_a_gateway_error_not_a_key_error():
    with pytest.raises(GatewayError, match="opened no session"):
        Session(client(FakeGateway(session={})))

    def refuse(request):
        return httpx.Response(500, json={"errors": ["Caused by: java.lang.IllegalStateException: full"]})

    with pytest.raises(GatewayError, match="IllegalStateException: full"):
        Session(client(refuse))


def test_an_unreachable_endpoint_names_it_and_says_what_to_do():
    def down(request):
        raise httpx.ConnectError("connection refused")

    with pytest.raises(Unreachable, match=r"the Flink SQL Gateway at http://gw:8083 .*Is the stack up\?"):
        client(down).info()
    rest = FlinkRestClient("http://jm:8081", HINT, transport=httpx.MockTransport(down))
    with pytest.raises(Unreachable, match="JobManager"):
        rest.jobs()


def test_page_token():
    assert page_token("/v3/sessions/s/operations/o/result/7?rowFormat=JSON") == "7"
    assert page_token(None) is None


def test_jobs_and_cancel_all_wait_until_no_job_is_active():
    states = {"a": "RUNNING", "b": "FINISHED"}

    def jm(request):
        if request.method == "PATCH":
            states[request.url.path.rsplit("/", 1)[-1]] = "CANCELED"
            return httpx.Response(202, json={})
        jobs = [{"jid": j, "name": f"dbt:model.p.{j}#f", "state": s, "start-time": 1} for j, s in states.items()]
        return httpx.Response(200, json={"jobs": jobs})

    rest = FlinkRestClient("http://jm:8081", HINT, transport=httpx.MockTransport(jm))
    assert rest.active_jobs() == {"a": "dbt:model.p.a#f"}
    rest.cancel_all(["a"], timeout_s=5)
    assert rest.active_jobs() == {}
    assert Job("x", "n", "RESTARTING", 0).active and not Job("x", "n", "FAILED", 0).active


def test_poll_raises_the_given_error_at_the_deadline():
    with pytest.raises(FlinkRestError, match="savepoint not done after 0s"):
        poll(lambda: None, "savepoint", 0.05, 0.01, FlinkRestError)
    assert poll(lambda: 0, "zero is a value", 1, 0.01) == 0


def test_job_names_are_read_back():
    name = job_name("group.ctxflow.contract", "ab12")
    assert name == "dbt:group.ctxflow.contract#ab12"
    assert owner_of(name) == "group.ctxflow.contract" and owner_of("bench:raw") is None
    assert short_name(name) == "group contract"
    assert short_name("dbt:model.ctxflow.personas#cd34") == "personas"
