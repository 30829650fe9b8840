# Two commands matter on a fresh machine: `make demo` (the walkthrough) and `make test` (everything CI runs).
# Every target installs and builds first when it has to.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE := node

# Real Consul or the embedded dev-consul: CONSUL_HTTP_ADDR wins when it points at a reachable agent.
export CONSUL_HTTP_ADDR ?= 127.0.0.1:8500

.PHONY: help install build lint typecheck depcheck test test-unit bench demo demo-script consul \
        monolith add-ratings startRatings startReddit seedReddit watchRatings roll scale cutover clean

help:
	@echo "make demo            run the walkthrough: dev-consul (or your Consul), market with ratings, 3 ratings instances"
	@echo "make test            install, build, lint and run every package's tests (what CI runs)"
	@echo "make depcheck        no import cycle in any package's src, discovery-client's layering (dependency-cruiser)"
	@echo "make consul          start dev-consul on :8500 unless CONSUL_HTTP_ADDR points at a live agent"
	@echo "make monolith        the market alone, no ratings, no Consul"
	@echo "make add-ratings     the market calling ratings through discovery-client"
	@echo "make startRatings COUNT=3 | INSTANCE=2   ratings instances in the foreground"
	@echo "make demo-script     the whole walkthrough, scripted, with the real timings"
	@echo "make startReddit COUNT=3 [DATABASE=postgres], make seedReddit   the reddit services behind their gateway (SQLite, or PostgreSQL)"
	@echo "make bench           benchmarks; results land in docs/benchmarks.md"
	@echo "make watchRatings    call ratings once a second and print the version of each answer"
	@echo "make roll SERVICE=ratings VERSION=2.0    replace the instances one at a time (DETACH=1: new ones outlive the command)"
	@echo "make scale SERVICE=ratings COUNT=5       add instances, or retire some gracefully (other colors than the active one first)"
	@echo "make cutover SERVICE=ratings COLOR=green blue/green: route to the instances of that color (COLOR=blue rolls back)"
	@echo "npm run load -- --service ratings --rate 1000 --duration 60s [--json FILE]   the open-model load client"
	@echo "npm run load -- --service ratings --concurrency 8 --duration 60s   closed loop: 8 workers as fast as answers come, reports the rate sustained"

# npm ci when node_modules is missing or older than the lock file.
node_modules/.package-lock.json: package-lock.json package.json
	@echo "installing dependencies (npm ci): the first time takes a few minutes, better-sqlite3 compiles from source"
	npm ci --no-audit --no-fund --foreground-scripts
	@touch $@

install: node_modules/.package-lock.json

build: install
	npx tsc --build

typecheck: build
	npm run typecheck --workspaces --if-present
	npm run typecheck

lint: build
	npx eslint .

# dependency-cruiser: discovery-client's folders stay layered (its .dependency-cruiser.mjs), and no package's src/ has an
# import cycle (.dependency-cruiser.mjs at the root).
depcheck: build
	npm run depcheck

test: build lint typecheck depcheck
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
	$(if $(DATABASE),DATABASE=$(DATABASE) )$(NODE) packages/reddit-services/dist/launcher.js $(if $(COUNT),--count $(COUNT))

seedReddit: build
	$(NODE) packages/reddit-services/dist/seed.js

# Deploys (packages/deploy): new instances run under the command (^C stops them) unless DETACH=1.
DEPLOY := $(NODE) packages/deploy/dist/deploy.js
watchRatings: build
	@$(NODE) packages/deploy/dist/watch.js --service ratings

roll: build
	@$(DEPLOY) roll --service "$(SERVICE)" --version "$(VERSION)" $(if $(DETACH),--detach)

scale: build
	@$(DEPLOY) scale --service "$(SERVICE)" --count "$(COUNT)" $(if $(VERSION),--version "$(VERSION)") $(if $(COLOR),--color "$(COLOR)") $(if $(DETACH),--detach)

cutover: build
	@$(DEPLOY) cutover --service "$(SERVICE)" --color "$(COLOR)"

clean:
	npx tsc --build --clean
	rm -rf packages/*/dist/commonjs
