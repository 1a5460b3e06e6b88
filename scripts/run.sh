#!/usr/bin/env bash
# Set up .venv and start the app on http://localhost:8501 (extra arguments go to streamlit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
