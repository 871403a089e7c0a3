#!/usr/bin/env bash
# Fuzz the REST API against its own OpenAPI schema (issue 6).
#
# Starts the app on 127.0.0.1 with a throwaway SQLite database holding the demo plans, runs
# schemathesis against /api/v1/schema/ twice (as an administrator with a token, which reaches
# every endpoint including writes, and anonymously, which sees published plans only) and fails
# on any server error or any response that does not match the schema. Bounded: a few minutes.
#
#   scripts/schemathesis.sh            # from the repository root, after `make install`
#   SCHEMATHESIS_EJEMPLOS=100 scripts/schemathesis.sh   # a longer run
set -euo pipefail
cd "$(dirname "$0")/.."
RAIZ="$(pwd)"
PY="$RAIZ/.venv/bin/python"
ST="$RAIZ/.venv/bin/schemathesis"
PUERTO="${SCHEMATHESIS_PUERTO:-8765}"
EJEMPLOS="${SCHEMATHESIS_EJEMPLOS:-25}"
SEMILLA="${SCHEMATHESIS_SEMILLA:-29}"
BASE="http://127.0.0.1:${PUERTO}"

TMP="$(mktemp -d)"
SERVIDOR=""
terminar() {
  if [[ -n "$SERVIDOR" ]] && kill -0 "$SERVIDOR" 2>/dev/null; then
    kill "$SERVIDOR" 2>/dev/null || true
    for _ in $(seq 1 10); do kill -0 "$SERVIDOR" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVIDOR" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap terminar EXIT

export DEBUG=1
export DATABASE_URL="sqlite:///${TMP}/schemathesis.sqlite3"
export CONN_MAX_AGE=0
export MEDIA_ROOT="${TMP}/media"

echo "== schemathesis: base de datos de prueba con los planes de demostración"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py cargar_demo -v 0
DJANGO_SUPERUSER_PASSWORD="schemathesis-$(date +%s)" \
  "$PY" manage.py createsuperuser --noinput --username schemathesis --email schemathesis@example.com -v 0
TOKEN="$("$PY" manage.py drf_create_token schemathesis | awk '{print $3}')"
[[ "$TOKEN" =~ ^[0-9a-f]{40}$ ]] || { echo "No se pudo crear el token: $TOKEN" >&2; exit 1; }

echo "== schemathesis: servidor en ${BASE}"
if curl -s -o /dev/null "${BASE}/" 2>/dev/null; then
  echo "Ya hay algo escuchando en ${BASE}: deténgalo o use SCHEMATHESIS_PUERTO=otro." >&2
  exit 1
fi
"$PY" manage.py runserver "127.0.0.1:${PUERTO}" --noreload >"${TMP}/servidor.log" 2>&1 &
SERVIDOR=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "${BASE}/api/v1/schema/" 2>/dev/null && break
  kill -0 "$SERVIDOR" 2>/dev/null || { cat "${TMP}/servidor.log" >&2; exit 1; }
  sleep 1
done
codigo="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Token ${TOKEN}" "${BASE}/api/v1/schema/")"
[[ "$codigo" == 200 ]] || { echo "El token no autentica (HTTP $codigo)" >&2; cat "${TMP}/servidor.log" >&2; exit 1; }

CHEQUEOS="not_a_server_error,response_schema_conformance,content_type_conformance"
COMUNES=(
  --checks "$CHEQUEOS"
  --max-examples "$EJEMPLOS"
  --seed "$SEMILLA"
  --workers 1
  --phases examples,coverage,fuzzing
  --request-timeout 30
  --suppress-health-check all
  --output-truncate true
)

fallo=0
cd "$TMP"  # schemathesis and hypothesis keep their working files here
echo "== schemathesis: como administrador (token), todos los endpoints"
"$ST" run "${BASE}/api/v1/schema/" "${COMUNES[@]}" -H "Authorization: Token ${TOKEN}" || fallo=1
echo "== schemathesis: anónimo, lecturas"
"$ST" run "${BASE}/api/v1/schema/" "${COMUNES[@]}" --include-method GET || fallo=1

if grep -q "Traceback" "${TMP}/servidor.log"; then
  echo "== El servidor registró errores:" >&2
  grep -A 30 "Traceback" "${TMP}/servidor.log" | head -120 >&2
  fallo=1
fi
exit "$fallo"
