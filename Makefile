# HOO: the only commands a newcomer needs.
#   make run    set up .venv and open the dashboard on the synthetic sample cohort
#   make test   set up .venv (and Debian's chromium when missing) and run every test
#   make bench  benchmarks on generated cohorts
#   make lint   ruff check + format check + mypy

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test lint bench chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install when a requirements file or pyproject.toml changes (stamp files record the last
# install). The project itself is installed editable, so `import hoo_metrics` works from any
# folder and the code read is always this checkout's.
$(VENV)/.stamp-run: requirements.txt pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(VENV)/.stamp-run $@

run: $(VENV)/.stamp-run
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Browser tests drive Debian's Chromium (never a browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(VENV)/.stamp-dev chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -m "not bench"

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(VENV)/.stamp-dev chromium
	$(PY) -m benchmarks --browser

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis
