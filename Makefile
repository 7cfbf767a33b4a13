# Two commands on a fresh machine: `make run` (the app on a seeded demo folder) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= demo-data

.PHONY: run test lint typecheck contracts pytest demo screenshot bench bundle test-bundle clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bundle: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bundle]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/inspector --data-dir $(DEMO_DIR) demo
	$(BIN)/inspector --data-dir $(DEMO_DIR)

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy inspector
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest --durations=15

screenshot: $(VENV)/.installed
	$(BIN)/inspector --data-dir $(DEMO_DIR) demo
	QT_QPA_PLATFORM=offscreen $(BIN)/inspector --data-dir $(DEMO_DIR) screenshot docs/workbench.png --page 工作台
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots.py $(DEMO_DIR)
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/desk_screenshots.py
	QT_QPA_PLATFORM=offscreen $(BIN)/inspector --data-dir $(DEMO_DIR) screenshot docs/inspection.png --size 1400x860 \
		--inspection $$($(BIN)/inspector --data-dir $(DEMO_DIR) demo --json | $(BIN)/python -c "import json,sys; print(json.load(sys.stdin)['finished_inspection_id'])")

bench: $(VENV)/.installed-dev
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/startup.py

# The one-folder desktop bundle dist/inspector/ (PyInstaller; build/inspector.spec), and its self-test run
# from the bundle itself, as on a machine without Python.
bundle: $(VENV)/.installed-bundle
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/work build/inspector.spec
	du -sh dist/inspector

test-bundle: bundle
	QT_QPA_PLATFORM=offscreen dist/inspector/inspector --selftest

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache dist build/work
