# ctxflow: the two commands are `make demo` and `make test`; everything else is a step they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK_DIR ?= .stack
JARS_STAMP := $(STACK_DIR)/jars/.fetched
VENV_STAMP := $(VENV)/.installed
CTXFLOW := $(BIN)/ctxflow

.PHONY: help venv jars pyflink up down status demo test chaos lint unit lock clean

help:
	@echo "make demo    - set up, start the local stack, run the demo (stack left running: make down)"
	@echo "make test    - set up, start the stack, lint and run every test, stop the stack"
	@echo "make up | down | status   - the local Kafka + Flink + SQL Gateway stack"

# --- set-up -----------------------------------------------------------------------------------
$(VENV_STAMP): requirements.txt constraints.txt cli/pyproject.toml adapter/pyproject.toml flinkclient/pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required (found %s)" % sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -r requirements.txt
	touch $@

# The adapter is installed as a copy (see requirements.txt), so a change under adapter/src re-installs it.
ADAPTER_SOURCES := $(shell find adapter/src -type f -not -path '*/__pycache__/*' 2>/dev/null)
ADAPTER_STAMP := $(VENV)/.adapter-installed
$(ADAPTER_STAMP): $(VENV_STAMP) $(ADAPTER_SOURCES)
	$(BIN)/pip install -q --no-deps --force-reinstall ./adapter
	touch $@

venv: $(VENV_STAMP) $(ADAPTER_STAMP)

# Fetches the Kafka broker and Flink jars and builds (and unit-tests) our UDF jar, stack/udf/.
UDF_SOURCES := $(shell find stack/udf/src -type f 2>/dev/null)
$(JARS_STAMP): stack/pom.xml stack/udf/pom.xml $(UDF_SOURCES)
	@command -v mvn >/dev/null || { echo "Maven (mvn) is needed to fetch the Kafka broker and Flink jars and build the UDF jar: apt-get install maven / brew install maven"; exit 1; }
	rm -rf $(STACK_DIR)/jars
	mvn -q -B -f stack/pom.xml package -Dstack.jars=$(abspath $(STACK_DIR))/jars
	touch $@

jars: $(JARS_STAMP)

# PyFlink for the Python UDFs (pyudf/): its own venv, apart from dbt's (full PyFlink pins an
# apache-beam whose protobuf conflicts with dbt-core's), with the same Flink version as the stack.
# The stack points python.executable / python.client.executable at it (cli/ctxflow/stack/configs.py).
PYFLINK_VENV := .venv-pyflink
PYFLINK_STAMP := $(PYFLINK_VENV)/.installed
FLINK_VERSION := $(shell sed -n 's/^apache-flink-libraries==//p' constraints.txt)
$(PYFLINK_STAMP): constraints.txt pyudf/pyproject.toml
	$(PYTHON) -m venv $(PYFLINK_VENV)
	$(PYFLINK_VENV)/bin/pip install -q --upgrade pip
	$(PYFLINK_VENV)/bin/pip install -q apache-flink==$(FLINK_VERSION) -e ./pyudf
	touch $@

pyflink: $(PYFLINK_STAMP)

# Regenerate the full pin list after editing requirements.txt.
lock: venv
	$(BIN)/pip freeze --exclude-editable | grep -v -e '^-e' -e ' @ file:' > constraints.txt

# --- the local stack --------------------------------------------------------------------------
up: venv jars pyflink
	$(CTXFLOW) stack up

down:
	@if [ -x $(CTXFLOW) ]; then $(CTXFLOW) stack down; else echo "nothing to stop (no venv)"; fi

status: venv
	$(CTXFLOW) stack status

# --- the two commands -------------------------------------------------------------------------
# The demo leaves the stack running for exploration; `make down` stops it.
demo: up
	$(BIN)/python -m ctxflow.demo

# sqlfluff's dbt templater compiles the project, and compiling lists the relations through the SQL
# Gateway: the stack must be up (make test starts it first).
lint: venv
	$(BIN)/ruff check cli adapter flinkclient pyudf
	$(BIN)/ruff format --check cli adapter flinkclient pyudf
	@$(CTXFLOW) stack status >/dev/null || { echo "sqlfluff compiles the dbt project through the SQL Gateway: start the stack first (make up)"; exit 1; }
	$(BIN)/sqlfluff lint models tests macros

# dbt unit tests (`unit_tests:` in the YAML beside the models): the scoring logic on fixture rows, each
# one bounded batch query on the Flink cluster (no topic is read or written), so seconds, not minutes.
# Like lint it needs the stack up (make up). One at a time: each is a batch job, and several at once
# compete for the TaskManager's network buffers beside the running streaming jobs.
unit: venv
	@$(CTXFLOW) stack status >/dev/null || { echo "dbt unit tests run on Flink through the SQL Gateway: start the stack first (make up)"; exit 1; }
	$(BIN)/dbt test --profiles-dir profiles --threads 1 --select "test_type:unit"

# The stack is stopped whatever the tests do; any failing suite fails the target.
# Five pytest runs: the CLI's tests (stack, simulator, watch, the project's end-to-end stories), the
# Python UDFs' (pyudf/), the adapter's (its own rootdir and conftest, as when the adapter is developed on
# its own), the Flink client's, and last the fault tests, which kill processes of a second stack and
# deploy the project on the main one too.
test: venv jars pyflink
	$(CTXFLOW) stack up
	rc=0; \
	$(MAKE) --no-print-directory lint || rc=1; \
	$(MAKE) --no-print-directory unit || rc=1; \
	$(BIN)/pytest cli/tests --ignore=cli/tests/faults || rc=1; \
	(cd pyudf && ../$(BIN)/pytest tests) || rc=1; \
	(cd adapter && ../$(BIN)/pytest tests) || rc=1; \
	$(BIN)/pytest flinkclient/tests || rc=1; \
	$(BIN)/pytest cli/tests/faults || rc=1; \
	$(CTXFLOW) stack down; exit $$rc

# The fault tests alone (RELIABILITY.md): a TaskManager and a broker killed mid-stream, ... on a second
# stack, compared with the main stack's fault-free run of the same input. Needs the main stack (make up).
chaos: venv jars pyflink
	$(BIN)/pytest cli/tests/faults

clean: down
	rm -rf $(STACK_DIR) $(VENV) $(PYFLINK_VENV) target logs

# --- the benchmark ------------------------------------------------------------------------------
# The project's jobs draining a pre-produced backlog beside the broker, pass-through and parse ceilings,
# live latency, a profile, state and memory, the widened KPI layer (~11 min on 2 quiet cores): one JSON
# line on stdout, BENCHMARKS.md regenerated. Knobs: CTXFLOW_BENCH_* (cli/ctxflow/bench/config.py).
# The stack is left running (make down).
.PHONY: bench
bench: up
	$(BIN)/python -m ctxflow.bench

# The next-best actions' costs (a step of make bench too) alone, on the project as deployed (make demo, or
# dbt run): the PyFlink UDF per call and declined payment -> action latency p50/p95/p99
# (cli/ctxflow/bench/nba.py). Knobs:
# CTXFLOW_BENCH_NBA_PREFIX (topic prefix, default ctx.), _UDF_ROWS, _RATE, _DECLINES.
# The soak (issue 10): the project under the realistic mix at 80 % of the last bench's drain rate for
# 10 minutes, lag, heap, GC and state sampled every 30 s; verdict and curve into RELIABILITY.md
# (cli/ctxflow/bench/soak.py: a fixed population, one-minute windows). Knobs: CTXFLOW_SOAK_S, _SAMPLE_S,
# _RATE, _USERS. Run it alone, like make bench.
.PHONY: soak
soak: up
	$(BIN)/python -m ctxflow.bench.soak

.PHONY: bench-nba
bench-nba: up
	$(BIN)/python -m ctxflow.bench.nba
