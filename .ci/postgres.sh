# Sourced by .ci/run (or by hand: `source .ci/postgres.sh && pg_start`):
# starts a private PostgreSQL 15 cluster for one run and exports
# THREADLINE_TEST_POSTGRES with its URL. The cluster lives in a temporary
# directory, listens on 127.0.0.1 on a free port (its unix socket stays in
# that directory), trusts local connections (nothing else can reach it) and
# runs with fsync off: it holds test data only (`pg_start durable` keeps
# PostgreSQL's durable defaults, for benchmarks). pg_stop stops it and
# removes the directory; pg_start does not set a trap, so the caller
# chooses when.

pg_bin=/usr/lib/postgresql/15/bin

# pg_as runs a command as the cluster's owner: initdb and postgres refuse
# to run as root, and CI runs as root.
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$pg_user" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	if [ "${1:-}" = durable ]; then
		fast=""
	fi
	if [ ! -x "$pg_bin/initdb" ]; then
		echo "== installing postgresql-15"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq postgresql-15 >/dev/null
	fi
	pg_user=$(id -un)
	if [ "$(id -u)" -eq 0 ]; then
		pg_user=nobody
		if id postgres >/dev/null 2>&1; then
			pg_user=postgres
		fi
	fi
	pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/threadline-pg.XXXXXX")
	chmod 755 "$pg_dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$pg_user" "$pg_dir"
	fi
	pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U threadline --auth=trust \
		-E UTF8 --no-locale --no-sync >"$pg_dir/initdb.log" 2>&1 ||
		{ cat "$pg_dir/initdb.log"; return 1; }
	# A port picked at random may be taken: try a few.
	local try
	for try in 1 2 3 4 5 6 7 8; do
		pg_port=$((20000 + RANDOM % 30000))
		if pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir $fast -c max_connections=200" \
			start >/dev/null; then
			export THREADLINE_TEST_POSTGRES="postgres://threadline@127.0.0.1:$pg_port/postgres?sslmode=disable"
			echo "== PostgreSQL 15 on 127.0.0.1:$pg_port (data in $pg_dir)"
			return 0
		fi
	done
	cat "$pg_dir/server.log"
	return 1
}

pg_stop() {
	if [ -n "${pg_dir:-}" ] && [ -d "$pg_dir/data" ]; then
		pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$pg_dir"
	fi
}
