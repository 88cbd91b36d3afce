#!/bin/sh
# Start Apache Jena Fuseki with the admin password taken from the environment at EVERY start.
# (Images that write their password only into a new volume keep the first one for ever, so a
# changed FUSEKI_ADMIN_PASSWORD would lock ferag out.)
#
#   FUSEKI_ADMIN_PASSWORD       the `admin` password, or
#   FUSEKI_ADMIN_PASSWORD_FILE  a file holding it (a Docker secret)
#   JVM_ARGS                    Java options, e.g. -Xmx2g
#   FUSEKI_QUERY_TIMEOUT_MS     queries end after this long (default 60000: ferag's clients give
#                               up after 30 s, and Fuseki does not stop a query they abandon)
#
# Every request needs HTTP basic authentication as `admin` (Jetty's password file, as in the
# tests: ferag.stack.servers.start_fuseki). The paths below are the image's; the deploy tests
# point them elsewhere to run this script on a machine with Java.
set -eu

FUSEKI_HOME="${FUSEKI_HOME:-/opt/fuseki}"  # the jar and our shiro.ini
FUSEKI_BASE="${FUSEKI_BASE:-/fuseki}"      # datasets and their configuration: the volume
FUSEKI_RUN="${FUSEKI_RUN:-/run/fuseki}"    # the password file, kept out of the volume
FUSEKI_PORT="${FUSEKI_PORT:-3030}"

fail() {
    echo "fuseki: $*" >&2
    exit 64
}

if [ -n "${FUSEKI_ADMIN_PASSWORD_FILE:-}" ]; then
    password="$(cat "$FUSEKI_ADMIN_PASSWORD_FILE")" || fail "cannot read $FUSEKI_ADMIN_PASSWORD_FILE"
else
    password="${FUSEKI_ADMIN_PASSWORD:-}"
fi
[ -n "$password" ] || fail "set FUSEKI_ADMIN_PASSWORD (or FUSEKI_ADMIN_PASSWORD_FILE) in deploy/.env"
# Jetty reads the file as Java properties and splits the value at commas (roles), so only
# characters that survive both are allowed.
case "$password" in
    *[!A-Za-z0-9._~+/=-]*)
        fail "FUSEKI_ADMIN_PASSWORD may hold only letters, digits and . _ ~ + / = - " \
             "(make one with: openssl rand -hex 32)" ;;
esac

mkdir -p "$FUSEKI_RUN" "$FUSEKI_BASE"
umask 077
printf 'admin: %s\n' "$password" > "$FUSEKI_RUN/passwd"
# Fuseki writes a default shiro.ini into FUSEKI_BASE on first start that opens the admin API to
# localhost only, which in a container is nobody: ours leaves access to the password file.
cp "$FUSEKI_HOME/shiro.ini" "$FUSEKI_BASE/shiro.ini"

export FUSEKI_BASE
cd "$FUSEKI_BASE"
# JVM_ARGS is split into words on purpose: it holds several options.
# shellcheck disable=SC2086
exec java ${JVM_ARGS:-} -jar "$FUSEKI_HOME/fuseki-server.jar" \
    --passwd="$FUSEKI_RUN/passwd" --auth=basic --port="$FUSEKI_PORT" \
    --timeout="${FUSEKI_QUERY_TIMEOUT_MS:-60000}"
