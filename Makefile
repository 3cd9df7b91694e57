# One place for tasks; each calls the same scripts the README names.
.PHONY: run test lint bench demo

run:    ## serve the app on the demo data at http://127.0.0.1:8050
	bash scripts/run.sh

test:   ## install what is missing, lint, run every test
	bash scripts/test.sh

lint:   ## ruff check + format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:  ## print every benchmark figure (name: value unit)
	.venv/bin/python -m benchmarks

demo:   ## rebuild the demo data set (deterministic)
	.venv/bin/python -m data.demo
