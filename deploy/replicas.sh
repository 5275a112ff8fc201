#!/usr/bin/env bash
# Deux répliques Streamlit de Territoires du Plan derrière nginx, sur la boucle locale.
#
#   deploy/replicas.sh start    démarre les répliques A et B puis nginx ; rend la main
#                               quand chaque réplique répond « ok » sur /_stcore/health
#   deploy/replicas.sh stop     arrête nginx puis les répliques (par leurs pid enregistrés)
#   deploy/replicas.sh status   état de chaque processus et de chaque /_stcore/health
#
# Variables :
#   TERRITOIRES_DATABASE_URL   obligatoire : la base PostgreSQL partagée par les répliques
#                              (postgresql+psycopg://…) ; TERRITOIRES_DATABASE_SCHEMA et
#                              TERRITOIRES_WORKSPACE sont transmis tels quels
#   REPLICAS_RUN_DIR           dossier de travail (configuration nginx rendue, journaux, pid) ;
#                              défaut /tmp/territoires-replicas ; rien n'est écrit ailleurs
#   REPLICAS_PORT              port de nginx (défaut 8500) ; REPLICAS_PORT_A / _B ceux des
#                              répliques (défaut 8511 / 8512) ; tout écoute sur 127.0.0.1
#   REPLICAS_PYTHON            interpréteur (défaut .venv/bin/python du projet)
#   REPLICAS_TIMEOUT           secondes d'attente des /_stcore/health (défaut 90)
#
# nginx (paquet Debian) est installé s'il manque (root), sans démarrer le service du paquet.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN_DIR="${REPLICAS_RUN_DIR:-/tmp/territoires-replicas}"
PORT="${REPLICAS_PORT:-8500}"
PORT_A="${REPLICAS_PORT_A:-8511}"
PORT_B="${REPLICAS_PORT_B:-8512}"
PYTHON="${REPLICAS_PYTHON:-$ROOT/.venv/bin/python}"
TIMEOUT="${REPLICAS_TIMEOUT:-90}"
TEMPLATE="$ROOT/deploy/nginx-territoires.conf.template"

die() { echo "replicas.sh : $*" >&2; exit 1; }

nginx_bin() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

ensure_nginx() {
    [ -n "$(nginx_bin)" ] && return 0
    [ "$(id -u)" = 0 ] || die "nginx absent ; l'installer (apt-get install nginx) ou relancer en root"
    echo "Installation de nginx (paquet Debian)…"
    # Keep the package's own service (port 80, every interface) from starting.
    local policy=/usr/sbin/policy-rc.d added=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; } || {
        [ -n "$added" ] && rm -f "$policy"; die "installation de nginx impossible"; }
    [ -n "$added" ] && rm -f "$policy"
    [ -n "$(nginx_bin)" ] || die "nginx introuvable après installation"
}

healthy() {  # healthy URL: 0 when URL answers 200 « ok »
    "$PYTHON" - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 and r.read().strip() == b"ok" else 1)
PY
}

port_busy() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid() {  # stop_pid PIDFILE: TERM, then KILL after 10 s
    local file="$1" pid
    [ -f "$file" ] || return 0
    pid="$(cat "$file")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

start_replica() {  # start_replica NAME PORT
    local name="$1" port="$2"
    port_busy "$port" && die "le port 127.0.0.1:$port est déjà pris (réplique $name)"
    # nohup execs the interpreter: $! is the replica's own pid, the one stop will signal.
    (cd "$ROOT" || exit 1; STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
        nohup "$PYTHON" -m streamlit run dashboard/app/main.py \
        --server.address 127.0.0.1 --server.port "$port" --server.headless true \
        >"$RUN_DIR/replique-$name.log" 2>&1 </dev/null & echo $! >"$RUN_DIR/replique-$name.pid")
}

wait_healthy() {  # wait_healthy NAME URL PIDFILE
    local name="$1" url="$2" pidfile="$3" deadline=$((SECONDS + TIMEOUT))
    until healthy "$url"; do
        if [ -n "$pidfile" ] && ! alive "$pidfile"; then
            tail -n 30 "$RUN_DIR/replique-$name.log" >&2 || true
            return 1
        fi
        [ "$SECONDS" -lt "$deadline" ] || { echo "$name : pas de réponse de $url" >&2; return 1; }
        sleep 0.5
    done
    echo "  $name : $url ok"
}

render() {
    local user="" ; [ "$(id -u)" = 0 ] && user="user nobody nogroup;"
    sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@PORT@|$PORT|g" -e "s|@PORT_A@|$PORT_A|g" \
        -e "s|@PORT_B@|$PORT_B|g" -e "s|@USER@|$user|g" "$TEMPLATE" >"$RUN_DIR/nginx.conf"
}

cmd_stop() {
    local nginx; nginx="$(nginx_bin)"
    if alive "$RUN_DIR/nginx.pid" && [ -n "$nginx" ]; then
        "$nginx" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -s quit 2>/dev/null || true
        for _ in $(seq 1 50); do alive "$RUN_DIR/nginx.pid" || break; sleep 0.2; done
    fi
    stop_pid "$RUN_DIR/nginx.pid"
    stop_pid "$RUN_DIR/replique-a.pid"
    stop_pid "$RUN_DIR/replique-b.pid"
    echo "Répliques et nginx arrêtés ($RUN_DIR)."
}

cmd_start() {
    case "${TERRITOIRES_DATABASE_URL:-}" in
        postgresql*) ;;
        "") die "TERRITOIRES_DATABASE_URL n'est pas défini : les répliques doivent partager une base PostgreSQL" ;;
        *) die "TERRITOIRES_DATABASE_URL doit désigner PostgreSQL (un fichier SQLite ne se partage pas entre répliques)" ;;
    esac
    [ -x "$PYTHON" ] || die "interpréteur introuvable : $PYTHON (lancer make install)"
    ensure_nginx
    mkdir -p "$RUN_DIR/nginx-tmp"
    if alive "$RUN_DIR/nginx.pid" || alive "$RUN_DIR/replique-a.pid" || alive "$RUN_DIR/replique-b.pid"; then
        die "déjà démarré dans $RUN_DIR (deploy/replicas.sh stop d'abord)"
    fi
    port_busy "$PORT" && die "le port 127.0.0.1:$PORT est déjà pris (nginx)"
    if [ "$(id -u)" = 0 ]; then  # nginx workers run as nobody: they need their temp folder
        chmod 711 "$RUN_DIR"
        chown nobody:nogroup "$RUN_DIR/nginx-tmp"
    fi
    trap 'rc=$?; if [ "$rc" != 0 ]; then echo "Échec du démarrage : arrêt." >&2; cmd_stop >&2; fi' EXIT
    start_replica a "$PORT_A"
    start_replica b "$PORT_B"
    render
    "$(nginx_bin)" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -t -q </dev/null
    # The daemon must not keep the caller's stdout/stderr open (a pipe would never close).
    "$(nginx_bin)" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" </dev/null >>"$RUN_DIR/nginx-start.log" 2>&1 \
        || { cat "$RUN_DIR/nginx-start.log" >&2; false; }
    echo "Attente des répliques (/_stcore/health, ${TIMEOUT} s au plus)…"
    wait_healthy a "http://127.0.0.1:$PORT_A/_stcore/health" "$RUN_DIR/replique-a.pid"
    wait_healthy b "http://127.0.0.1:$PORT_B/_stcore/health" "$RUN_DIR/replique-b.pid"
    wait_healthy nginx-a "http://127.0.0.1:$PORT/_replique/a/_stcore/health" ""
    wait_healthy nginx-b "http://127.0.0.1:$PORT/_replique/b/_stcore/health" ""
    wait_healthy nginx "http://127.0.0.1:$PORT/_stcore/health" ""
    trap - EXIT
    echo "Prêt : http://127.0.0.1:$PORT (répliques 127.0.0.1:$PORT_A et 127.0.0.1:$PORT_B ; dossier $RUN_DIR)"
}

cmd_status() {
    local code=0 name
    for name in nginx replique-a replique-b; do
        if alive "$RUN_DIR/$name.pid"; then echo "$name : pid $(cat "$RUN_DIR/$name.pid")"
        else echo "$name : arrêté"; code=1; fi
    done
    for url in "http://127.0.0.1:$PORT_A/_stcore/health" "http://127.0.0.1:$PORT_B/_stcore/health" \
               "http://127.0.0.1:$PORT/_stcore/health"; do
        if healthy "$url"; then echo "$url : ok"; else echo "$url : injoignable"; code=1; fi
    done
    return "$code"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage : $0 start|stop|status" >&2; exit 2 ;;
esac
