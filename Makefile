# One entry point for people and CI. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The torch wheels on this platform's disk; pip's constraint file may cap them.
TORCH_PINS := torch==2.14.1 torchvision==0.29.1

.PHONY: run test lint unit model first-study bench bench-gui selftest demo-video package package-test clean fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The app alone: no torch, so `make run` stays quick.
$(VENV)/.app-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

# Tests, lint and training need the train and dev extras.
$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q $(TORCH_PINS)
	$(BIN)/python -m pip install -q -e ".[train,dev]"
	touch $@ $(VENV)/.app-installed

# Qt's xcb libraries are system packages: install them when root, else print the one command.
run: $(VENV)/.app-installed
	$(BIN)/python -m sewer_gui.system_libs
	$(BIN)/sewer-gui --demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check sewer_gui ml tests benchmarks packaging
	$(BIN)/lint-imports

unit: $(VENV)/.dev-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

test: lint unit

model: $(VENV)/.dev-installed  # the shipped model, in stages that resume (hours on 2 cores)
	$(BIN)/python -m ml.recipes.real_model $(if $(REAL_FRAMES),--real-frames $(REAL_FRAMES))

first-study: $(VENV)/.dev-installed  # the first distillation study (docs/results.md, 420 per class)
	$(BIN)/python -m ml.recipes.shipped_model

bench: $(VENV)/.dev-installed
	$(BIN)/sewer-ml bench --json

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache

bench-gui: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/gui_stall.py --seconds 20 --speed 2

selftest: $(VENV)/.app-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/sewer-gui --self-test

demo-video: $(VENV)/.dev-installed
	$(BIN)/python -m ml.recipes.demo_video

$(VENV)/.package-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[package]"
	touch $@

package: $(VENV)/.package-installed
	packaging/build.sh

package-test: $(VENV)/.package-installed
	packaging/build.sh --test

# Longer hostile-input run than CI's: FUZZ_EXAMPLES examples per property (tests/test_fuzz.py),
# then kill -9 during saves for KILL_ROUNDS rounds. Figures: README "Hardening".
FUZZ_EXAMPLES ?= 4000
KILL_ROUNDS ?= 150
fuzz: $(VENV)/.dev-installed
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-show-statistics
	$(BIN)/python benchmarks/kill_saves.py --rounds $(KILL_ROUNDS)
