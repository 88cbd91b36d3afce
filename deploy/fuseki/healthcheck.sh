#!/bin/sh
# The compose health check: Fuseki answers /$/ping to `admin` (every request needs the
# password, which entrypoint.sh wrote). curl reads it from stdin, not from its command line.
set -eu
password="$(sed -n 's/^admin: //p' "${FUSEKI_RUN:-/run/fuseki}/passwd")"
printf 'user = "admin:%s"\n' "$password" \
    | curl --fail --silent --show-error --max-time 5 --config - \
        "http://127.0.0.1:${FUSEKI_PORT:-3030}/\$/ping" > /dev/null
