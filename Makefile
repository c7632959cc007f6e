# The two commands (see README): `make demo` runs the main job, `make test` runs the tests.
# Every target runs on the project's Node 24 (installed by scripts/setup.sh, linked at .alertlab/node).
export PATH := $(CURDIR)/.alertlab/node/bin:$(PATH)
.PHONY: setup demo test lint bench kafka-stop
setup:
	bash scripts/setup.sh
demo:
	bash scripts/demo.sh $(ARGS)
test:
	bash scripts/test.sh
lint: setup
	bash scripts/lint.sh
bench: setup
	bash scripts/bench.sh
kafka-stop:
	bin/alertlab kafka stop
