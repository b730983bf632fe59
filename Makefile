# Two commands on a fresh clone: `make demo` and `make test`. Each bootstraps .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cordon demo examples/balkans

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy cordon flows cases interdiction notifications

bench: $(STAMP)
	$(BIN)/python bench/intake.py --alerts 100000
	$(BIN)/python bench/plan.py --size large
	$(BIN)/python bench/notify.py --messages 5000

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
