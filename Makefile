# The two commands of the README:
#   make run   install everything, migrate, load the three demo plans, serve on http://127.0.0.1:8000
#   make test  install everything and run the whole test suite (DATABASE_URL picks the database)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEV := DEBUG=1

.PHONY: run test install chromium demo benchmark

run: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py cargar_demo
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

test: install chromium
	$(VENV)/bin/pytest

# The end-to-end tests drive Debian's Chromium; installed with apt-get when missing.
chromium:
	bash scripts/instalar_chromium.sh

install: $(VENV)/.instalado

$(VENV)/.instalado: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

demo: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py cargar_demo
