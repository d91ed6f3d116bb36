#!/usr/bin/env bash
# Print a Python >= 3.12 interpreter (Django 6 needs it); pyenv's 3.12 first, then PATH.
for candidate in "$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3 \
                 "$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3 python3.12 python3.13 python3; do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    command -v "$candidate"
    exit 0
  fi
done
echo "No Python 3.12 or newer found: install python3.12 (or pyenv install 3.12)" >&2
exit 1
