#!/usr/bin/env bash
# Set up .venv with the test requirements and run the whole test suite.
# Browser tests drive Debian's chromium (/usr/bin/chromium, `apt-get install chromium`);
# without it they skip with a reason, except under CI=true where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
