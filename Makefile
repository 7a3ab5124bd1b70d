# The README's two commands: `make demo` and `make test`. Both build ./.venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv chromium demo test lint typecheck unit clean train-attribution train-grouping

venv: $(STAMP) chromium

# The web UI's browser tests drive Debian's chromium (they fail, never skip, without it).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# torch first, pinned to the CPU build on this machine's disk: anything that
# pulls torch later (sentence-transformers) then finds it satisfied instead of
# downloading a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[nlp,scale,serve,dev]'
	touch $(STAMP)

demo: venv
	$(BIN)/storydiff demo

lint: venv
	$(BIN)/ruff check src tests bench scripts training

typecheck: venv
	$(BIN)/mypy --strict src

unit: venv
	$(BIN)/python -m pytest -q

test: lint typecheck unit

# Rebuilds src/storydiff/claims/models/attribution/ from the annotated training
# articles (about 25 minutes on 2 cores). DATA defaults to the shared data folder.
DATA ?= ../shared/data
train-attribution: venv
	$(BIN)/python training/train_attribution.py $(DATA)/polnear/data/train

# Rebuilds src/storydiff/group/models/pair_model.json from the ECB+ articles and
# their gold stories (about a minute); prints the F1 cross-validated by topic.
train-grouping: venv
	$(BIN)/python training/train_grouping.py $(DATA)

clean:
	rm -rf $(VENV) demo-output .mypy_cache .ruff_cache .pytest_cache
