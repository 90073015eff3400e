"""Connections are opened only when a statement needs one (no stack needed)."""

import multiprocessing
from types import SimpleNamespace

from dbt.adapters.contracts.connection import Connection, ConnectionState, LazyHandle

from dbt.adapters.flink.connections import FlinkConnectionManager


def test_closing_a_connection_never_used_opens_no_gateway_session():
    # dbt gives every node a lazily opened connection and closes it at the end of the run; an
    # ephemeral model never runs a statement, so its close must not be the first thing to open a session.
    opened = []

    def opener(connection):
        opened.append(connection.name)
        connection.handle = SimpleNamespace(close=lambda: None)
        connection.state = ConnectionState.OPEN
        return connection

    connection = Connection(type="flink", name="model.p.ephemeral", credentials=None)
    connection.handle = LazyHandle(opener)

    FlinkConnectionManager.close(connection)

    assert opened == []
    assert connection.state == ConnectionState.CLOSED


def test_closing_an_open_connection_closes_its_session():
    closed = []
    connection = Connection(type="flink", name="model.p.table", credentials=None, state=ConnectionState.OPEN)
    connection.handle = SimpleNamespace(close=lambda: closed.append(True))

    FlinkConnectionManager.close(connection)

    assert closed == [True]
    assert connection.state == ConnectionState.CLOSED


def test_a_thread_keeps_its_session_across_nodes_and_the_run_closes_it_at_the_end():
    closed = []
    manager = FlinkConnectionManager(profile=None, mp_context=multiprocessing.get_context("spawn"))
    connection = Connection(type="flink", name="model.p.first", credentials=None, state=ConnectionState.OPEN)
    connection.handle = SimpleNamespace(close=lambda: closed.append(True))
    manager.set_thread_connection(connection)

    manager.release()  # what dbt calls after each node
    assert closed == [] and connection.state == ConnectionState.OPEN

    manager.cleanup_all()  # what dbt calls at the end of the run
    assert closed == [True] and connection.state == ConnectionState.CLOSED
