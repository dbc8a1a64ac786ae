# Two commands matter: `make demo` (set up, build a corpus, train small models, analyze the example logs)
# and `make test` (set up, run the test suite). Everything runs offline on CPU.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONUNBUFFERED := 1

.PHONY: setup demo test lint corpus corpus-quick realism stage1 stage1-quick locator stage2 stage2-quick predict-examples clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt requirements-ray.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Default corpus (~20k rows); the quick one (~2k rows) is what the demo trains on.
corpus: setup
	$(PY) build_corpus.py --output_dir data/corpus

corpus-quick: setup
	$(PY) build_corpus.py --quick --output_dir data/corpus

# Side-by-side statistics of the generated corpus and real traces (needs ../shared; measuring only).
realism: setup
	$(PY) build_corpus.py --quick --output_dir reports/realism --compare_with ../shared/data/bugsjar_dev.jsonl

stage1: setup
	$(PY) train_stage1.py configs/stage1_minilm.yaml

stage1-quick: setup
	$(PY) train_stage1.py configs/stage1_quick.yaml

locator: setup
	$(PY) train_locator.py configs/locate.yaml

stage2: setup
	$(PY) train_stage2.py configs/stage2_t5.yaml

stage2-quick: setup
	$(PY) train_stage2.py configs/stage2_quick.yaml

predict-examples: setup
	$(PY) predict.py --input examples/*.log examples/*.jsonl

# The demo caps training rows so it stays a few minutes even when the full corpus was built before.
demo: setup
	@test -f data/corpus/train.jsonl || $(MAKE) corpus-quick
	$(PY) train_stage1.py configs/stage1_quick.yaml --max_train_samples 2000 --max_eval_samples 400
	$(PY) train_locator.py configs/locate.yaml
	$(PY) train_stage2.py configs/stage2_quick.yaml
	$(PY) predict.py --input examples/*.log examples/*.jsonl

test: setup
	$(PY) -m pytest -q tests

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf models reports data/corpus data/cache
