# The project's vocabulary. `make demo` and `make test` work on a fresh machine: each creates the virtual
# environment and installs the pinned dependencies itself (again only when a requirements file changed).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
REQS   := functions/requirements.txt requirements-dev.txt constraints.txt

.PHONY: venv test demo dev seed lint prereqs bench clean messages

venv: $(STAMP)

$(STAMP): $(REQS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11 or newer is needed (python3 is " + sys.version.split()[0] + ").")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $(STAMP)

prereqs: venv
	@$(PY) -m devstack.prereqs

test: prereqs
	@$(PY) -m devstack.prereqs --browser
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

demo: prereqs
	$(PY) -m devstack demo $(ARGS)

dev: prereqs
	$(PY) -m devstack dev --seed $(ARGS)

seed: venv
	$(PY) -m seed $(ARGS)

messages: venv
	$(PY) -m devstack.messages

bench: prereqs
	$(PY) -m bench.dispatch $(ARGS)
	$(PY) -m bench.feed $(FEED_ARGS)
	$(PY) -m bench.notices $(NOTICES_ARGS)
	$(PY) -m bench.surge $(SURGE_ARGS)
	$(PY) -m bench.reviews $(REVIEWS_ARGS)
	$(PY) -m bench.support $(SUPPORT_ARGS)
	$(PY) -m bench.dashboard $(DASHBOARD_ARGS)
	$(PY) -m bench.leads $(LEADS_ARGS)
	$(PY) -m bench.slots $(SLOTS_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
