#!/usr/bin/env bash
# Fuzz the REST API against its own OpenAPI schema (issues 6 and 11).
#
# Starts the app on 127.0.0.1 with a fresh database holding the demo plans and runs schemathesis
# against /api/v1/schema/ three times, every method each time:
#   1. as an administrator (token): every endpoint, writes included;
#   2. as a planner (the demo user «planeador», token): writes limited to their dependencias;
#   3. anonymously: published plans only, and every write must be refused (401/403), never a 5xx;
#   then the planner's token is revoked (DELETE /api/v1/token/), alone, so no pass is logged out.
# It fails on any server error (5xx, `not_a_server_error`), on any response that does not match
# the schema, and on any traceback or 5xx line in the server's log. Bounded: a few minutes.
#
# The database:
#   scripts/schemathesis.sh                   # a throwaway SQLite file (the default)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/seg_schemathesis scripts/schemathesis.sh
#       # PostgreSQL: that database is CREATED by the script and DROPPED when it ends. One that
#       # already exists is refused (so a working database is never filled with fuzz data),
#       # except the leftover of an interrupted run (the script marks its databases by comment).
#   SCHEMATHESIS_EJEMPLOS=100 scripts/schemathesis.sh   # a longer run (examples per operation)
#   SCHEMATHESIS_PUERTO=8816 scripts/schemathesis.sh    # another port (default 8765)
set -euo pipefail
cd "$(dirname "$0")/.."
RAIZ="$(pwd)"
PY="$RAIZ/.venv/bin/python"
ST="$RAIZ/.venv/bin/schemathesis"
PUERTO="${SCHEMATHESIS_PUERTO:-8765}"
EJEMPLOS="${SCHEMATHESIS_EJEMPLOS:-25}"
SEMILLA="${SCHEMATHESIS_SEMILLA:-29}"
PLANEADOR="${SCHEMATHESIS_PLANEADOR:-planeador}"  # a demo planner (indicadores/demo/usuarios.py)
BASE="http://127.0.0.1:${PUERTO}"

TMP="$(mktemp -d)"
SERVIDOR=""
PG_BD=""  # the PostgreSQL database this script created, dropped at the end
MARCA_BD="creada por scripts/schemathesis.sh"  # its comment, so a leftover is known as ours
pg() {  # a PostgreSQL client tool against the server of DATABASE_URL
  local herramienta="$1"; shift
  PGPASSWORD="$PG_CLAVE" "$herramienta" -h "$PG_HOST" -p "$PG_PUERTO" -U "$PG_USUARIO" "$@"
}
terminar() {
  if [[ -n "$SERVIDOR" ]] && kill -0 "$SERVIDOR" 2>/dev/null; then
    kill "$SERVIDOR" 2>/dev/null || true
    for _ in $(seq 1 10); do kill -0 "$SERVIDOR" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVIDOR" 2>/dev/null || true
  fi
  if [[ -n "$PG_BD" ]]; then
    pg dropdb --if-exists --force "$PG_BD" || echo "No se pudo borrar la base ${PG_BD}" >&2
  fi
  rm -rf "$TMP"
}
trap terminar EXIT

export DEBUG=1
export CONN_MAX_AGE=0
export MEDIA_ROOT="${TMP}/media"
URL_BD="${DATABASE_URL:-}"
if [[ "$URL_BD" =~ ^postgres(ql)?:// ]]; then
  # host, port, user, password and database name of the URL, read by Python's own parser
  read -r PG_HOST PG_PUERTO PG_USUARIO PG_CLAVE PG_NOMBRE < <("$PY" - "$URL_BD" <<'FIN'
import sys
from urllib.parse import unquote, urlsplit
u = urlsplit(sys.argv[1])
print(u.hostname or "127.0.0.1", u.port or 5432, unquote(u.username or "postgres"), unquote(u.password or "") or "-",
      unquote(u.path.lstrip("/")) or "-")
FIN
  )
  [[ "$PG_CLAVE" == "-" ]] && PG_CLAVE=""
  [[ "$PG_NOMBRE" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "Nombre de base no válido en DATABASE_URL: $PG_NOMBRE" >&2; exit 2; }
  # An existing database is dropped only if this script created it (its comment says so): the
  # leftover of an interrupted run. Any other is refused, never touched.
  existe="$(pg psql -d postgres -Atc "SELECT coalesce(shobj_description(oid, 'pg_database'), '-')
                                      FROM pg_database WHERE datname = '${PG_NOMBRE}'")"
  if [[ -n "$existe" && "$existe" != "$MARCA_BD" ]]; then
    echo "La base ${PG_NOMBRE} ya existe: el script crea una base nueva y la borra al terminar." >&2
    echo "Use otra, por ejemplo DATABASE_URL=postgres://${PG_USUARIO}@${PG_HOST}:${PG_PUERTO}/seg_schemathesis" >&2
    exit 2
  fi
  PG_BD="$PG_NOMBRE"
  [[ -n "$existe" ]] && pg dropdb --force "$PG_BD"
  pg createdb "$PG_BD"
  pg psql -d postgres -qc "COMMENT ON DATABASE \"${PG_BD}\" IS '${MARCA_BD}'"
  export DATABASE_URL="$URL_BD"
  DESCRIPCION="PostgreSQL (${PG_HOST}:${PG_PUERTO}/${PG_BD}, creada para esta prueba)"
else
  export DATABASE_URL="sqlite:///${TMP}/schemathesis.sqlite3"
  DESCRIPCION="SQLite (archivo temporal)"
fi

echo "== schemathesis: ${DESCRIPCION}, con los planes de demostración"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py cargar_demo -v 0
DJANGO_SUPERUSER_PASSWORD="schemathesis-$(date +%s)" \
  "$PY" manage.py createsuperuser --noinput --username schemathesis --email schemathesis@example.com -v 0
token() {  # a REST token for the user (created, or the existing one)
  local clave
  clave="$("$PY" manage.py drf_create_token "$1" | awk '{print $3}')"
  [[ "$clave" =~ ^[0-9a-f]{40}$ ]] || { echo "No se pudo crear el token de $1: $clave" >&2; exit 1; }
  echo "$clave"
}
TOKEN_ADMIN="$(token schemathesis)"
TOKEN_PLANEADOR="$(token "$PLANEADOR")"
# Two reports the planner may change (their dependencia, not frozen by a closed cut), one for the
# administrator's pass and one for the planner's: PUT and PATCH on /api/v1/reportes/{id}/ use its
# id, so their fuzzed bodies reach the validation (and, with the right version, the service)
# rather than a 404 for a random id.
REPORTES="$("$PY" manage.py shell -v 0 -c "
from django.contrib.auth import get_user_model
from indicadores import permisos, services
from indicadores.models import Reporte
usuario = get_user_model().objects.get(username='${PLANEADOR}')
libres = [
    r.pk for r in Reporte.objects.select_related('indicador').order_by('-anio', '-periodo', 'pk')
    if permisos.puede_editar_indicador(usuario, r.indicador)
    and services.corte_que_congela(indicador=r.indicador, anio=r.anio, periodo=r.periodo) is None
]
print('REPORTES=' + ' '.join(map(str, libres[:2])))
" 2>/dev/null | sed -n 's/^REPORTES=//p')"
read -r REPORTE_ADMIN REPORTE_PLANEADOR <<<"$REPORTES"
[[ "${REPORTE_PLANEADOR:-}" =~ ^[0-9]+$ ]] || {
  echo "No hay dos reportes que «${PLANEADOR}» pueda cambiar en la demostración: ${REPORTES}" >&2; exit 1; }
cat >"${TMP}/schemathesis.toml" <<'FIN'
[[operations]]
include-name = ["PUT /api/v1/reportes/{id}/", "PATCH /api/v1/reportes/{id}/"]
parameters = { "path.id" = "${SCHEMATHESIS_REPORTE}" }
FIN

echo "== schemathesis: servidor en ${BASE}"
if curl -s -o /dev/null "${BASE}/" 2>/dev/null; then
  echo "Ya hay algo escuchando en ${BASE}: deténgalo o use SCHEMATHESIS_PUERTO=otro." >&2
  exit 1
fi
LOG="${TMP}/servidor.log"
"$PY" manage.py runserver "127.0.0.1:${PUERTO}" --noreload >"$LOG" 2>&1 &
SERVIDOR=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "${BASE}/api/v1/schema/" 2>/dev/null && break
  kill -0 "$SERVIDOR" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 1
done
for clave in "$TOKEN_ADMIN" "$TOKEN_PLANEADOR"; do
  codigo="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Token ${clave}" "${BASE}/api/v1/reportes/")"
  [[ "$codigo" == 200 ]] || { echo "Un token no autentica (HTTP $codigo)" >&2; cat "$LOG" >&2; exit 1; }
done

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

# The server's own view of each pass: the 5xx it answered (runserver's access log) and its
# tracebacks, counted from the line where the pass started.
errores_del_servidor() {
  local desde="$1"
  tail -n +"$desde" "$LOG" | grep -E '"[A-Z]+ [^"]*" 5[0-9]{2} ' || true
}
fallo=0
resumen=()
pasada() {  # name, then schemathesis' extra options
  local nombre="$1"; shift
  local desde=$(( $(wc -l <"$LOG") + 1 )) estado=0
  echo "== schemathesis: ${nombre}"
  "$ST" --config-file "${TMP}/schemathesis.toml" run "${BASE}/api/v1/schema/" "${COMUNES[@]}" "$@" || estado=$?
  local errores trazas
  errores="$(errores_del_servidor "$desde")"
  trazas="$(tail -n +"$desde" "$LOG" | grep -c "Traceback" || true)"
  if [[ -n "$errores" || "$trazas" != 0 ]]; then
    echo "== ${nombre}: el servidor respondió errores 5xx o registró trazas:" >&2
    [[ -n "$errores" ]] && echo "$errores" | sort | uniq -c | sort -rn | head -40 >&2
    tail -n +"$desde" "$LOG" | grep -A 30 "Traceback" | head -150 >&2 || true
    estado=1
  fi
  local n5xx=0 escrituras
  [[ -n "$errores" ]] && n5xx="$(echo "$errores" | wc -l)"
  # writes the API accepted: a pass whose writes all got 401 would prove nothing about them
  escrituras="$(tail -n +"$desde" "$LOG" | grep -cE '"(POST|PUT|PATCH|DELETE) /api/v1/[^"]*" 2[0-9]{2} ' || true)"
  if [[ -n "${SIN_ESCRITURAS:-}" && "$escrituras" != 0 ]]; then
    echo "== ${nombre}: la API aceptó ${escrituras} escrituras sin credenciales:" >&2
    tail -n +"$desde" "$LOG" | grep -E '"(POST|PUT|PATCH|DELETE) /api/v1/[^"]*" 2[0-9]{2} ' | head -20 >&2
    estado=1
  fi
  resumen+=("${nombre}: $([[ $estado == 0 ]] && echo bien || echo FALLÓ) (${n5xx} respuestas 5xx, ${trazas} trazas, ${escrituras} escrituras aceptadas)")
  [[ $estado == 0 ]] || fallo=1
}

cd "$TMP"  # schemathesis and hypothesis keep their working files here
# DELETE /api/v1/token/ revokes the token that calls it: fuzzed with the others, it would log the
# pass out halfway and every later write would only see 401. It runs alone, last, with its token.
REVOCAR=token_destroy
SCHEMATHESIS_REPORTE="$REPORTE_ADMIN" pasada "como administrador (token), todos los métodos" \
  -H "Authorization: Token ${TOKEN_ADMIN}" --exclude-operation-id "$REVOCAR"
SCHEMATHESIS_REPORTE="$REPORTE_PLANEADOR" pasada "como planeador «${PLANEADOR}» (token), todos los métodos" \
  -H "Authorization: Token ${TOKEN_PLANEADOR}" --exclude-operation-id "$REVOCAR"
# Anonymous: the same filters and bodies are parsed as above, so the boundary cases of the
# coverage phase are not repeated (bounded time); every write must be refused.
SCHEMATHESIS_REPORTE="$REPORTE_PLANEADOR" SIN_ESCRITURAS=1 pasada "anónimo, todos los métodos (las escrituras responden 401 o 403)" \
  --phases examples,fuzzing
SCHEMATHESIS_REPORTE="$REPORTE_PLANEADOR" pasada "revocar el token del planeador (DELETE /api/v1/token/)" \
  -H "Authorization: Token ${TOKEN_PLANEADOR}" --include-operation-id "$REVOCAR"

echo "== schemathesis en ${DESCRIPCION}:"
printf '   %s\n' "${resumen[@]}"
exit "$fallo"
