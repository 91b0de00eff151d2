# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX_DIR ?= .citebot/index
# SQuAD 2.0 dev file (SQuAD JSON format; https://rajpurkar.github.io/SQuAD-explorer/; eval/data/README.md)
SQUAD ?= eval/data/squad-v2.0-dev-public.json
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

$(BIN)/citebot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/citebot

demo: install
	$(BIN)/citebot index seeds --index-dir $(INDEX_DIR)
	$(BIN)/citebot ask "Who did Harris meet in Guatemala?" --index-dir $(INDEX_DIR)
	$(BIN)/citebot ask "What did Ocasio-Cortez say about seeking asylum?" --index-dir $(INDEX_DIR)
	$(BIN)/citebot ask "What is the capital of Peru?" --index-dir $(INDEX_DIR)
	@echo
	@echo "Next: . $(VENV)/bin/activate && citebot ask \"your question\" --index-dir $(INDEX_DIR)   (or $(BIN)/citebot ...)"

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

eval: install
	$(BIN)/citebot eval
	$(BIN)/citebot eval squad $(SQUAD)

# Retrain the reader from the packaged MiniLM weights on eval/data (about 43 minutes on 2 CPU cores)
reader: install
	$(BIN)/citebot train-reader --out qa/reader/model

# Retrain the highlighter (the span head marking the answer's words) the same way (about 25 minutes on 2 CPU cores)
highlighter: install
	$(BIN)/citebot train-highlighter --out qa/reader/highlighter

.PHONY: install demo test test-fast eval reader highlighter
