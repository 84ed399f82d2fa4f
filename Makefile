# Every target sets itself up: a fresh clone needs only python3 (3.10+) and make.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test fuzz package default-model bench clean corpus

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test,package,corpus]"
	touch $(STAMP)

run: $(STAMP)  ## run the desktop app with the bundled default model
	$(BIN)/python -m translator_app

test: $(STAMP)  ## the linters (ruff check + format, vulture at 60 % with vulture_whitelist.py), then the whole test suite (offscreen; import-linter runs in it)
	$(BIN)/ruff check translator_app tests scripts benchmarks
	$(BIN)/ruff format --check translator_app tests scripts benchmarks
	$(BIN)/vulture translator_app vulture_whitelist.py --min-confidence 60
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

fuzz: $(STAMP)  ## issue 29's property-based hostile inputs, 2,500 random cases per property (10,000 in all; not in `make test`)
	QT_QPA_PLATFORM=offscreen HOSTILE_FUZZ_EXAMPLES=$${HOSTILE_FUZZ_EXAMPLES:-2500} HOSTILE_FUZZ_RANDOM=1 \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/reliability/test_hostile_fuzz.py

package: $(STAMP)  ## build dist/translator-app/ and its tarball with PyInstaller
	PATH="$(CURDIR)/$(BIN):$$PATH" bash packaging/build.sh

default-model: $(STAMP)  ## retrain models/$(DIRECTION) (en-es or es-en) from data/corpus (make corpus first)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/train_default_model.sh

corpus: $(STAMP)  ## build data/corpus/en-es.tsv from Debian packages + Tatoeba (needs apt-get, dpkg-deb; ARGS=... passes options)
	$(BIN)/python scripts/build_corpus.py $(ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_translate.py

clean:
	rm -rf build dist
