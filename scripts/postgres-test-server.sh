#!/usr/bin/env bash
# Lance une commande avec un serveur PostgreSQL + PostGIS jetable sur la boucle locale.
#
#   scripts/postgres-test-server.sh COMMANDE [ARGUMENTS…]
#
# - Si TERRITOIRES_TEST_DATABASE_URL est déjà défini (un serveur tourne), lance la commande
#   telle quelle sur ce serveur.
# - Sinon : installe PostgreSQL et PostGIS depuis les paquets Debian s'ils manquent (root),
#   crée un cluster dans un dossier temporaire (initdb, utilisateur postgres, authentification
#   trust, 127.0.0.1 seulement, port PGTEST_PORT ou le premier libre dès 54329), exporte
#   TERRITOIRES_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/postgres,
#   lance la commande, puis arrête le serveur et efface le dossier (trap), même en cas d'échec.
# Sans commande : démarre le serveur, affiche l'URL et attend Ctrl-C.
set -euo pipefail

if [ -n "${TERRITOIRES_TEST_DATABASE_URL:-}" ]; then
    exec "$@"
fi

PORT="${PGTEST_PORT:-54329}"
if [ -z "${PGTEST_PORT:-}" ]; then  # another run holds 54329: take the next free port
    while (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BIN="$(pg_bin)"
MAJOR="$(basename "$(dirname "${BIN:-/x/15/bin}")")"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ] || \
   ! ls /usr/share/postgresql/"$MAJOR"/extension/postgis.control >/dev/null 2>&1; then
    echo "Installation de PostgreSQL et PostGIS (paquets Debian)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    BIN="$(pg_bin)"
    MAJOR="$(basename "$(dirname "$BIN")")"
    apt-get install -y -qq "postgresql-$MAJOR-postgis-3" >/dev/null
    # The Debian package starts its own cluster on 5432: not ours, leave it alone.
fi

DIR="$(mktemp -d /tmp/territoires-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$DIR"
    AS=(runuser -u postgres --)
else
    AS=()
fi

stop() {
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap stop EXIT INT TERM

"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log"; exit 1; }
# Throwaway data: no fsync. Enough connections for a test suite that opens many engines.
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start -o \
    "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=300" >/dev/null \
    || { cat "$DIR/server.log"; exit 1; }

export TERRITOIRES_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL $MAJOR (PostGIS) : $TERRITOIRES_TEST_DATABASE_URL"
if [ "$#" -eq 0 ]; then
    echo "Ctrl-C pour arrêter."
    # Background sleep + wait so that SIGTERM/SIGINT reach the trap at once.
    while true; do sleep 3600 & wait $!; done
fi
"$@"
