# The two commands: `make run` (install and start the demo on SQLite) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Test processes (pytest-xdist): each has its own database; 2 matches the machines here.
TEST_WORKERS ?= 2

.PHONY: run test test-sqlite test-postgresql lint format install assets clean diagram bench \
  messages-extract messages-update messages-compile

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# GOV.UK Frontend, from npm at the version the Jinja macros target, built into web/static/
# (not committed): our Sass with the Arial font stack, the JavaScript module, and our own
# favicon (GOV.UK Frontend's is the crown, which is reserved for GOV.UK like its font).
web/static/govuk/casereview.css: package.json web/assets/casereview.scss web/assets/app.mjs \
  web/assets/favicon.svg
	npm ci --silent --no-audit --no-fund
	mkdir -p web/static/govuk
	npx sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps \
	  web/assets/casereview.scss web/static/govuk/casereview.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js web/static/govuk/
	cp web/assets/app.mjs web/static/govuk/app.mjs
	cp web/assets/favicon.svg web/static/govuk/favicon.svg
	touch $@

assets: web/static/govuk/casereview.css

install: $(VENV)/.installed assets messages-compile

## Translations (README, "Cymraeg"): gettext catalogs under web/translations/. Extract the
## marked strings into the template, merge it into each language's .po (committed), and
## compile the .po into the .mo the application reads (built here, not committed).
CATALOGS := web/translations
## The staff pages' words are a domain of their own (web/language.py): marked with _s, _ns
## and _ls (N_ in the process declaration), extracted into staff.pot (committed: the template
## a staff locale's staff.po starts from); the public catalog's keywords never see them.
STAFF_KEYWORDS := --no-default-keywords -k _s -k _ns:1,2 -k _ls -k N_
messages-extract: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping-file babel.cfg --no-location --sort-output -k _l -k lazy_gettext \
	  --project casereview --copyright-holder "casereview" \
	  --output-file $(CATALOGS)/messages.pot web notifications triggers
	$(BIN)/pybabel extract --mapping-file babel.cfg --no-location --sort-output $(STAFF_KEYWORDS) \
	  --project casereview --copyright-holder "casereview" \
	  --output-file $(CATALOGS)/staff.pot web workflows

messages-update: messages-extract
	$(BIN)/pybabel update --input-file $(CATALOGS)/messages.pot --output-dir $(CATALOGS) \
	  --no-fuzzy-matching --ignore-obsolete
	if ls $(CATALOGS)/*/LC_MESSAGES/staff.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel update --domain staff --input-file $(CATALOGS)/staff.pot \
	    --output-dir $(CATALOGS) --no-fuzzy-matching --ignore-obsolete; fi

messages-compile: $(VENV)/.installed
	$(BIN)/pybabel compile --directory $(CATALOGS) --statistics
	if ls $(CATALOGS)/*/LC_MESSAGES/staff.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile --domain staff --directory $(CATALOGS) --statistics; fi

## Install, create the SQLite database, load demo cases and serve on http://127.0.0.1:8000/
## (`make run PORT=8001` serves on another port)
PORT ?=
run: install
	$(BIN)/casereview demo $(if $(PORT),--port $(PORT))

## Install what the tests need and run them all: lint, then the suite on SQLite and on
## PostgreSQL at the same time (each in TEST_WORKERS processes with databases of their own;
## one suite's waits on its database or browser are the other's CPU: CI stays under 20
## minutes). Each suite's output is printed whole when it ends. The PostgreSQL run holds the
## tests that reach the suite's database; the others run once, in the SQLite run.
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

test-sqlite: install
	CASEREVIEW_TEST_DATABASE=sqlite $(BIN)/pytest -n $(TEST_WORKERS)

test-postgresql: install
	@$(BIN)/python -c "import psycopg,os; psycopg.connect(os.environ.get('CASEREVIEW_TEST_POSTGRES_DSN','host=127.0.0.1 port=5432 user=postgres dbname=postgres'), connect_timeout=5).close()" \
	  || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (see README, 'Tests')"; exit 1; }
	CASEREVIEW_TEST_DATABASE=postgresql $(BIN)/pytest -n $(TEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks (not part of the suite; bench/RESULTS.md says what each measures and what was
## found). BENCH_SIZES sets the history sizes; bench/record.py writes the rows into
## bench/RESULTS.md's generated blocks (rows of sizes not run this time are kept).
BENCH_CASES ?= 100000
BENCH_SIZES ?= 1000 10000 100000
bench: install
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/record.py --sizes $(BENCH_SIZES) --figures-cases $(BENCH_CASES)

## Print the process diagram (Mermaid) generated from the process declaration
diagram: install
	@$(BIN)/python -c "from workflows.machine import mermaid_diagram; print(mermaid_diagram())"

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache node_modules web/static
	find $(CATALOGS) -name '*.mo' -delete
