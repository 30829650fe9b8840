# Two commands matter on a fresh machine: `make demo` (the walkthrough) and `make test` (everything CI runs).
# Every target installs and builds first when it has to.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE := node

# Real Consul or the embedded dev-consul: CONSUL_HTTP_ADDR wins when it points at a reachable agent.
export CONSUL_HTTP_ADDR ?= 127.0.0.1:8500

.PHONY: help install build lint typecheck test test-unit bench demo demo-script consul \
        monolith add-ratings startRatings startReddit seedReddit clean

help:
	@echo "make demo            run the walkthrough: dev-consul (or your Consul), market with ratings, 3 ratings instances"
	@echo "make test            install, build, lint and run every package's tests (what CI runs)"
	@echo "make consul          start dev-consul on :8500 unless CONSUL_HTTP_ADDR points at a live agent"
	@echo "make monolith        the market alone, no ratings, no Consul"
	@echo "make add-ratings     the market calling ratings through discovery-client"
	@echo "make startRatings COUNT=3 | INSTANCE=2   ratings instances in the foreground"
	@echo "make demo-script     the whole walkthrough, scripted, with the real timings"
	@echo "make startReddit COUNT=3, make seedReddit   the reddit services behind their gateway"
	@echo "make bench           benchmarks; results land in docs/benchmarks.md"

# npm ci when node_modules is missing or older than the lock file.
node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json

build: install
	npx tsc --build

typecheck: build
	npm run typecheck --workspaces --if-present
	npm run typecheck

lint: build
	npx eslint .

test: build lint typecheck
	rm -f packages/*/test-output/jest-results.json test-output/jest-results.json
	npm test; status=$$?; $(NODE) scripts/test-summary.js && exit $$status

bench: build
	npm run bench

consul: build
	@$(NODE) scripts/consul.js

demo: build
	@$(NODE) scripts/demo.js

demo-script: build
	@$(NODE) scripts/demo-script.js

monolith: build
	@$(NODE) packages/market/dist/main.js --monolith

add-ratings: build
	@$(NODE) packages/market/dist/main.js

startRatings: build
	@$(NODE) packages/ratings/dist/start-ratings.js $(if $(COUNT),--count $(COUNT)) $(if $(INSTANCE),--instance $(INSTANCE))

startReddit: build
	$(NODE) packages/reddit-services/dist/launcher.js $(if $(COUNT),--count $(COUNT))

seedReddit: build
	$(NODE) packages/reddit-services/dist/seed.js

clean:
	npx tsc --build --clean
	rm -rf packages/*/dist/commonjs
