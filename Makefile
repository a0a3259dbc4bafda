# CV Enhancer — the two commands of the README:
#   make run    install into .venv, then start the app (http://localhost:8501) on the embedded model
#   make test   install into .venv (with test tools), then lint and run every test
# llama-cpp-python is compiled from source on the first install (about 6 minutes
# on 2 cores; pip caches the wheel afterwards). For a GPU build set CMAKE_ARGS,
# e.g. `CMAKE_ARGS="-DGGML_CUDA=on" make install` (see the README).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m streamlit run app/streamlit_app.py

# The same analysis in the terminal, on the bundled example pair.
demo: install
	$(PY) scripts/analyze.py --cv app/examples/example_cv.txt --job app/examples/example_job.txt

# ruff, then mypy (strict for app/analysis, app/llm and the settings; see [tool.mypy] in pyproject.toml).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: lint
	$(PY) -m pytest

bench: install
	$(PY) scripts/bench_core.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
