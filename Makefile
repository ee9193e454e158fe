# fundtracker: build, run and test. `make help` lists the targets.
GO        ?= go
BIN       := bin/fundtracker
DB        ?= fundtracker.db
# `make run` serves the demo on this machine only; `serve` itself listens on :8080 unless told.
ADDR      ?= 127.0.0.1:8080
# Demo credentials for `make run` only (a real deployment sets its own, see README).
ADMIN_EMAIL    ?= admin@example.org
ADMIN_PASSWORD ?= demo-admin-password
# Pinned versions of the vendored JS (see `make vendor-js`); checked against `npm view <pkg> version`.
CHARTJS_VERSION ?= 4.6.1
AXE_VERSION     ?= 4.14.1
# Pinned OpenAPI linters (see `make lint-openapi`), installed from npm into $(NPM_TOOLS).
REDOCLY_VERSION  ?= 2.77.0
SPECTRAL_VERSION ?= 6.16.3
NPM_TOOLS        := bin/npm-tools

.DEFAULT_GOAL := help
.PHONY: help build run seed screenshot test test-postgres test-browser test-reliability test-scaleout bench fuzz vet vendor-js clean lint-openapi

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-18s %s\n", $$1, $$2}' | \
	sed -e 's|$$(DB)|$(DB)|g' -e 's|$$(ADDR)|$(ADDR)|g' -e 's|$$(FUZZTIME)|$(FUZZTIME)|g' \
		-e 's|$$(CHARTJS_VERSION)|$(CHARTJS_VERSION)|g' -e 's|$$(AXE_VERSION)|$(AXE_VERSION)|g' \
		-e 's|$$(REDOCLY_VERSION)|$(REDOCLY_VERSION)|g' -e 's|$$(SPECTRAL_VERSION)|$(SPECTRAL_VERSION)|g' -e 's|$$(NPM_TOOLS)|$(NPM_TOOLS)|g' -e 's|$$(LIGHTHOUSE_VERSION)|$(LIGHTHOUSE_VERSION)|g'

build: ## Build bin/fundtracker
	$(GO) build -o $(BIN) .

run: build ## Build, seed the IOM Resilience Fund demo into $(DB), serve it on $(ADDR) and print where to go
	@FUNDTRACKER_DB=$(DB) ./$(BIN) seed
	@FUNDTRACKER_DB=$(DB) FUNDTRACKER_ADDR=$(ADDR) \
	FUNDTRACKER_ADMIN_EMAIL=$(ADMIN_EMAIL) FUNDTRACKER_ADMIN_PASSWORD=$(ADMIN_PASSWORD) ./$(BIN) serve -banner

seed: build ## Seed the demo into $(DB) (idempotent)
	FUNDTRACKER_DB=$(DB) ./$(BIN) seed

SHOT_ADDR ?= 127.0.0.1:18099
screenshot: build ## Regenerate docs/img/dashboard.png, the README's screenshot of the demo's fund page (headless Chromium)
	@set -e; tmp=$$(mktemp -d); pid=; trap '[ -z "$$pid" ] || kill $$pid; rm -rf "$$tmp"' EXIT; \
	FUNDTRACKER_DB=$$tmp/demo.db ./$(BIN) seed 2>/dev/null; \
	FUNDTRACKER_DB=$$tmp/demo.db FUNDTRACKER_ADDR=$(SHOT_ADDR) ./$(BIN) serve 2>/dev/null & pid=$$!; \
	for i in $$(seq 100); do curl -sf http://$(SHOT_ADDR)/healthz >/dev/null && break; sleep 0.2; done; \
	mkdir -p docs/img; \
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1000 \
		--virtual-time-budget=5000 --force-prefers-reduced-motion --user-data-dir=$$tmp/chromium \
		--screenshot=docs/img/dashboard.png 'http://$(SHOT_ADDR)/funds/iom-resilience-fund?lang=en' >/dev/null 2>&1; \
	ls -l docs/img/dashboard.png

test: ## Run the whole Go suite with -race (SQLite; the engine comparisons too with FUNDTRACKER_TEST_DATABASE_URL); the last line names any test skipped and why
	$(GO) mod download
	$(GO) run ./.ci/testsummary -race -count=1 ./...

test-postgres: ## Run the whole Go suite on PostgreSQL (needs FUNDTRACKER_TEST_DATABASE_URL)
	@test -n "$$FUNDTRACKER_TEST_DATABASE_URL" || { echo "set FUNDTRACKER_TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable"; exit 2; }
	FUNDTRACKER_TEST_ENGINE=postgres $(GO) test -race -count=1 -p 1 ./...

test-reliability: ## Reliability suite against real server processes (SQLite; PostgreSQL too when FUNDTRACKER_TEST_DATABASE_URL is set)
	$(GO) test -tags reliability -count=1 -v -run . .
	@if [ -n "$$FUNDTRACKER_TEST_DATABASE_URL" ]; then \
		echo "FUNDTRACKER_TEST_ENGINE=postgres $(GO) test -tags reliability -count=1 -v -run . ."; \
		FUNDTRACKER_TEST_ENGINE=postgres $(GO) test -tags reliability -count=1 -v -run . .; \
	else echo "skipping the PostgreSQL run: FUNDTRACKER_TEST_DATABASE_URL is unset"; fi

test-scaleout: ## Scale-out suite: two serve processes on one PostgreSQL schema (needs FUNDTRACKER_TEST_DATABASE_URL; uses the reliability harness)
	@test -n "$$FUNDTRACKER_TEST_DATABASE_URL" || { echo "set FUNDTRACKER_TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable"; exit 2; }
	$(GO) test -tags 'reliability scaleout' -count=1 -v -run TestScaleOut .

FUZZTIME ?= 20s
fuzz: ## Fuzz money and date parsing, JSON decoding and the CSV writer, $(FUZZTIME) each (seed corpora in */testdata/fuzz run in `make test`)
	$(GO) test -run '^$$' -fuzz '^FuzzAmount$$' -fuzztime $(FUZZTIME) ./models/
	$(GO) test -run '^$$' -fuzz '^FuzzDate$$' -fuzztime $(FUZZTIME) ./models/
	$(GO) test -run '^$$' -fuzz '^FuzzCheckJSONObject$$' -fuzztime $(FUZZTIME) ./handlers/
	$(GO) test -run '^$$' -fuzz '^FuzzCell$$' -fuzztime $(FUZZTIME) ./handlers/

bench: build ## Benchmark at scale (1M contributions) over HTTP vs raw SQLite, prints ratios; BENCH_FLAGS=-size=small for a quick run
	$(GO) build -o bin/bench ./bench
	./bin/bench -server $(BIN) $(BENCH_FLAGS)

vet: ## go vet
	$(GO) vet ./...

lint-openapi: ## Lint api/openapi.yaml: redocly $(REDOCLY_VERSION) (recommended rules) and spectral $(SPECTRAL_VERSION) (spectral:oas), pinned from npm into $(NPM_TOOLS); fails on any error
	@set -e; want='redocly $(REDOCLY_VERSION) spectral $(SPECTRAL_VERSION)'; \
	if [ "$$(cat $(NPM_TOOLS)/versions.txt 2>/dev/null)" != "$$want" ]; then \
		echo "installing @redocly/cli@$(REDOCLY_VERSION) @stoplight/spectral-cli@$(SPECTRAL_VERSION) into $(NPM_TOOLS)"; \
		npm install --prefix $(NPM_TOOLS) --no-audit --no-fund --silent @redocly/cli@$(REDOCLY_VERSION) @stoplight/spectral-cli@$(SPECTRAL_VERSION); \
		echo "$$want" > $(NPM_TOOLS)/versions.txt; \
	fi
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(NPM_TOOLS)/node_modules/.bin/redocly lint --config redocly.yaml api/openapi.yaml
	$(NPM_TOOLS)/node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity error api/openapi.yaml

clean: ## Remove build output and the local demo database
	rm -rf bin $(DB) $(DB)-wal $(DB)-shm

vendor-js: ## Refresh the vendored JS from npm: Chart.js $(CHARTJS_VERSION) (embedded), axe-core $(AXE_VERSION) (browser tests only)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent chart.js@$(CHARTJS_VERSION) axe-core@$(AXE_VERSION) >/dev/null); \
	mkdir -p "$$tmp/chart" "$$tmp/axe" frontend/static/vendor frontend/testdata/vendor; \
	tar xzf "$$tmp/chart.js-$(CHARTJS_VERSION).tgz" -C "$$tmp/chart"; \
	tar xzf "$$tmp/axe-core-$(AXE_VERSION).tgz" -C "$$tmp/axe"; \
	sed '/^\/\/# sourceMappingURL=/d' "$$tmp/chart/package/dist/chart.umd.min.js" > frontend/static/vendor/chart.umd.min.js; \
	cp "$$tmp/chart/package/LICENSE.md" frontend/static/vendor/chart.js.LICENSE.md; \
	cp "$$tmp/axe/package/axe.min.js" frontend/testdata/vendor/axe.min.js; \
	cp "$$tmp/axe/package/LICENSE" frontend/testdata/vendor/axe-core.LICENSE; \
	printf 'chart.js %s\naxe-core %s\n' $(CHARTJS_VERSION) $(AXE_VERSION) > frontend/vendor-versions.txt; \
	echo "vendored chart.js $(CHARTJS_VERSION), axe-core $(AXE_VERSION)"

test-browser: ## Browser suite (headless Chromium via chromedp): build, seed, serve, check the pages; screenshots in FUNDTRACKER_SCREENSHOTS or bin/screenshots
	$(GO) test -tags browser -count=1 ./frontend/

# Issue 15: Lighthouse, pinned, installed locally from npm; Debian's Chromium.
LIGHTHOUSE_VERSION ?= 12.2.3
NPM_TOOLS          := bin/npm-tools
LIGHTHOUSE         := $(NPM_TOOLS)/node_modules/.bin/lighthouse
CHROME_PATH        ?= /usr/bin/chromium
LIGHTHOUSE_ADDR    ?= 127.0.0.1:18095

$(LIGHTHOUSE):
	mkdir -p $(NPM_TOOLS)
	npm install --no-audit --no-fund --prefix $(NPM_TOOLS) lighthouse@$(LIGHTHOUSE_VERSION)

.PHONY: lighthouse
lighthouse: build $(LIGHTHOUSE) ## Lighthouse $(LIGHTHOUSE_VERSION) (mobile) on the seeded demo: the four category scores of home, fund (en, ar) and embed
	@set -e; tmp=$$(mktemp -d); \
	FUNDTRACKER_DB=$$tmp/lh.db ./$(BIN) seed >/dev/null 2>&1; \
	FUNDTRACKER_DB=$$tmp/lh.db FUNDTRACKER_ADDR=$(LIGHTHOUSE_ADDR) ./$(BIN) serve >$$tmp/server.log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -rf "$$tmp"' EXIT; \
	for i in $$(seq 50); do curl -fs http://$(LIGHTHOUSE_ADDR)/healthz >/dev/null && break; sleep 0.2; done; \
	printf '%-48s %13s %13s %14s %5s\n' page performance accessibility best-practices seo; \
	for page in / /funds/iom-resilience-fund?lang=en /funds/iom-resilience-fund?lang=ar /embed/funds/iom-resilience-fund?lang=en; do \
	  rm -f $$tmp/lh.json; CHROME_PATH=$(CHROME_PATH) $(LIGHTHOUSE) "http://$(LIGHTHOUSE_ADDR)$$page" --quiet --output=json --output-path=$$tmp/lh.json \
	    --chrome-flags="--headless --no-sandbox" --only-categories=performance,accessibility,best-practices,seo >/dev/null 2>&1 || true; \
	  node -e 'let c={};try{c=require(process.argv[1]).categories}catch(e){};const s=k=>c[k]&&c[k].score!=null?Math.round(c[k].score*100):"n/a";console.log(process.argv[2].padEnd(48),String(s("performance")).padStart(13),String(s("accessibility")).padStart(13),String(s("best-practices")).padStart(14),String(s("seo")).padStart(5))' $$tmp/lh.json "$$page"; \
	done
