#!/usr/bin/env bash
# The whole test suite: Debian packages, the SPA build, type check, lint, every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-packages.sh
npx vite build web --logLevel warn
npx tsc --noEmit -p tsconfig.json
npx biome check .
npx vitest run "$@"
