#!/usr/bin/env bash
# PostgreSQL and Redis for the queue-mode suite (test/queue): n8n's queue mode needs both.
# Usage: scripts/queue-mode.sh install   installs Debian's postgresql and redis-server packages when missing (idempotent)
#        scripts/queue-mode.sh bins      prints PG_BIN=<folder of initdb/postgres/pg_isready> and REDIS_SERVER=<binary>
# Env:   PG_BIN, REDIS_SERVER — use these instead of looking (then nothing is installed).
# The test starts both itself, on free local ports with their data in a temp folder (test/support/queue-n8n.ts).
set -euo pipefail

find_pg_bin() {
	if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then
		echo "$PG_BIN"
		return 0
	fi
	# Debian keeps initdb off PATH, under /usr/lib/postgresql/<major>/bin; take the newest major.
	local dir
	for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
		if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
			echo "$dir"
			return 0
		fi
	done
	if command -v initdb >/dev/null && command -v postgres >/dev/null; then
		dirname "$(command -v initdb)"
		return 0
	fi
	return 1
}

find_redis() {
	if [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ]; then
		echo "$REDIS_SERVER"
		return 0
	fi
	command -v redis-server
}

install() {
	local want=()
	find_pg_bin >/dev/null || want+=(postgresql)
	find_redis >/dev/null || want+=(redis-server)
	[ ${#want[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "queue-mode: ${want[*]} missing; run as root or: sudo apt-get install -y ${want[*]}" >&2
		exit 1
	fi
	echo "queue-mode: installing Debian's ${want[*]} (first time only)" >&2
	# No init system starts the packaged services here (policy-rc.d 101): the test runs its own, on its own ports.
	local policy=/usr/sbin/policy-rc.d made_policy=
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod +x "$policy"
		made_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# apt's own lock makes a concurrent run wait instead of failing.
	apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${want[@]}" >/dev/null
	[ -n "$made_policy" ] && rm -f "$policy"
	find_pg_bin >/dev/null && find_redis >/dev/null
	echo "queue-mode: done" >&2
}

case "${1:-}" in
install) install ;;
bins)
	pg="$(find_pg_bin)" || { echo "queue-mode: PostgreSQL not found (scripts/queue-mode.sh install)" >&2; exit 1; }
	redis="$(find_redis)" || { echo "queue-mode: redis-server not found (scripts/queue-mode.sh install)" >&2; exit 1; }
	echo "PG_BIN=$pg"
	echo "REDIS_SERVER=$redis"
	;;
*)
	echo "usage: $0 install|bins" >&2
	exit 2
	;;
esac
