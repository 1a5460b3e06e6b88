#!/usr/bin/env bash
# Translations with Babel (requirements-dev.txt). Usage:
#   bash scripts/i18n.sh update    # extract every _("...")/N_("...") into locales/messages.pot and
#                                  # merge it into each locales/<lang>/LC_MESSAGES/messages.po
#   (translate the new empty or fuzzy msgstr entries in the .po files)
#   bash scripts/i18n.sh compile   # .po -> .mo (committed: the app reads the .mo at run time)
#   bash scripts/i18n.sh init XX   # start a new language XX from the .pot
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
SOURCES=(app.py pages playground)
case "${1:-}" in
  update)
    "$PYBABEL" extract -F babel.cfg --sort-by-file --no-wrap --project "Neural Network Playground" \
      -o locales/messages.pot "${SOURCES[@]}"
    "$PYBABEL" update -i locales/messages.pot -d locales -D messages --no-wrap --ignore-obsolete --no-fuzzy-matching
    ;;
  compile)
    "$PYBABEL" compile -d locales -D messages --statistics
    ;;
  init)
    "$PYBABEL" init -i locales/messages.pot -d locales -D messages -l "$2" --no-wrap
    ;;
  *)
    sed -n 2,8p "$0"
    exit 2
    ;;
esac
