#!/usr/bin/env bash
# Runs every check cmesim's CI runs: formatting, go vet, staticcheck, all
# tests with the race detector, the consoles' JavaScript unit tests, a 30 s load test of a live server (the latency and drop
# gate), and a short fuzz of every fuzz target.
#
#   scripts/test.sh                 # FUZZTIME=10s per fuzz target
#   FUZZTIME=1m scripts/test.sh     # fuzz longer
#   FUZZTIME=0 scripts/test.sh      # skip fuzzing
#   LOADTEST=0 scripts/test.sh      # skip the load test
#
# A failing check does not stop the others: the script runs them all, ends
# with a summary of every check and exits non-zero if any failed.
#
# store/postgres's tests need a PostgreSQL server: the script starts a
# throwaway one (Debian's postgresql, installed if missing) and points
# CMESIM_TEST_POSTGRES at it, unless CMESIM_TEST_POSTGRES is already set:
#
#   CMESIM_TEST_POSTGRES='postgres://cmesim@db:5432/cmesim_test?sslmode=disable' scripts/test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

# check NAME COMMAND... runs one check. A failing check does not stop the
# script: every check runs, the summary at the end lists each with its
# result and time, and the script exits non-zero if any failed.
summary=()
failures=0
check() {
	local name=$1 start=$SECONDS status=0
	shift
	step "$name"
	"$@" || status=$?
	if ((status == 0)); then
		summary+=("ok    $name ($((SECONDS - start)) s)")
	else
		summary+=("FAIL  $name ($((SECONDS - start)) s, exit $status)")
		failures=$((failures + 1))
	fi
}
print_summary() {
	local line
	((${#summary[@]})) || return 0
	printf '\n==> summary\n'
	for line in "${summary[@]}"; do
		printf '%s\n' "$line"
	done
	printf 'checks: %d passed, %d failed\n' $((${#summary[@]} - failures)) "$failures"
}

# Commands to run when the script exits, however it exits; the last added
# runs first.
at_exit=()
run_at_exit() {
	local i
	for ((i = ${#at_exit[@]} - 1; i >= 0; i--)); do
		eval "${at_exit[i]}" || true
	done
}
trap 'print_summary; run_at_exit' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Install what the tests need when it is missing.
# ---------------------------------------------------------------------------
if ! command -v go >/dev/null; then
	echo "scripts/test.sh: Go is not installed; cmesim needs Go $(sed -n 's/^go //p' go.mod) or later" >&2
	exit 1
fi

# System packages, one guarded line per need. Browser tests drive Debian's
# Chromium (set CHROME_PATH to use another browser).
apt_packages=()
if [[ -z ${CHROME_PATH:-} ]] && ! command -v chromium >/dev/null; then
	apt_packages+=(chromium)
fi
# The browser console's JavaScript modules have unit tests for Node's test
# runner.
if ! command -v node >/dev/null; then
	apt_packages+=(nodejs)
fi
# npm installs axe-core, which the browser tests run in every console.
if ! command -v npm >/dev/null; then
	apt_packages+=(npm)
fi
# store/postgres's tests run a throwaway PostgreSQL cluster (see below).
# Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin.
pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [[ -z ${CMESIM_TEST_POSTGRES:-} && -z $(pg_bindir) ]] &&
	! { command -v initdb && command -v pg_ctl; } >/dev/null; then
	apt_packages+=(postgresql)
fi
if ((${#apt_packages[@]})); then
	step "installing ${apt_packages[*]}"
	if [[ $(id -u) -eq 0 ]]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"
	else
		echo "scripts/test.sh: cannot install ${apt_packages[*]} (not root, no sudo); tests that need them may fail" >&2
	fi
fi

step "go mod download"
go mod download
go version

# The browser tests check every console with axe-core, and ESLint checks
# the consoles' JavaScript: npm development dependencies pinned by
# web/ui/_test/package-lock.json.
step "npm ci (web/ui/_test: axe-core, ESLint)"
npm ci --prefix web/ui/_test --no-audit --no-fund

# ---------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------
gofmt_check() {
	local unformatted
	unformatted=$(gofmt -l .)
	if [[ -n $unformatted ]]; then
		echo "These files need gofmt -w:" >&2
		echo "$unformatted" >&2
		return 1
	fi
}
check "gofmt" gofmt_check
check "go vet ./..." go vet ./...
# staticcheck is a tool of the module (go.mod's tool directive): its
# version is pinned there and go tool builds it on first use.
check "staticcheck ./..." go tool staticcheck ./...
# The consoles have no build step: ESLint (undefined names, a local name
# hiding an import) is their static check. Its base path is web/ui.
eslint_check() {
	(cd web/ui && _test/node_modules/.bin/eslint --config _test/eslint.config.mjs js _test)
}
check "eslint web/ui (the consoles' JavaScript)" eslint_check

# A throwaway PostgreSQL cluster for store/postgres's tests: initdb into a
# temporary directory, listening on 127.0.0.1 and on a Unix socket in that
# directory only, trust authentication, bootstrap superuser cmesim (the tests
# create and drop a database each). It is stopped and removed on exit.
start_postgres() {
	local bin port dir log
	bin=$(pg_bindir)
	if [[ -z $bin ]]; then
		bin=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
	fi
	if [[ ! -x $bin/initdb || ! -x $bin/pg_ctl ]]; then
		echo "scripts/test.sh: PostgreSQL's initdb and pg_ctl not found (install Debian's postgresql, or set CMESIM_TEST_POSTGRES to a server's URL)" >&2
		return 1
	fi
	# PostgreSQL refuses to run as root: run it as the postgres user that
	# Debian's package creates.
	local as=()
	if [[ $(id -u) -eq 0 ]]; then
		if ! id postgres >/dev/null 2>&1; then
			echo "scripts/test.sh: running as root and there is no postgres user to run PostgreSQL as (install Debian's postgresql, or set CMESIM_TEST_POSTGRES)" >&2
			return 1
		fi
		as=(runuser -u postgres --)
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/cmesim-pg.XXXXXX")
	at_exit+=("stop_postgres '$dir' '$bin'")
	log=$dir/postgres.log
	if [[ $(id -u) -eq 0 ]]; then
		chown postgres: "$dir"
	fi
	chmod 700 "$dir"
	if ! as_postgres "$bin/initdb" -D "$dir/data" --username=cmesim --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
		echo "scripts/test.sh: initdb failed:" >&2
		cat "$dir/initdb.log" >&2
		return 1
	fi
	# The first port nothing answers on, from 55432. These ports are in
	# Linux's range for outgoing connections' own ports, and a connection
	# closed in the last minute (TIME_WAIT) can still hold one without
	# answering: a port PostgreSQL cannot bind is skipped for the next.
	for ((port = 55432; ; port++)); do
		if ((port >= 55532)); then
			echo "scripts/test.sh: PostgreSQL found no free port in 55432-55531; its last log:" >&2
			cat "$log" >&2
			return 1
		fi
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
		if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir'" start >/dev/null; then
			break
		fi
		if ! grep -q "could not bind\|could not create any TCP/IP sockets" "$log"; then
			echo "scripts/test.sh: PostgreSQL did not start on 127.0.0.1:$port; its log:" >&2
			cat "$log" >&2
			return 1
		fi
		echo "scripts/test.sh: port $port is held (its log: could not bind); trying the next" >&2
		: >"$log"
	done
	if ! as_postgres "$bin/createdb" -h "$dir" -p "$port" -U cmesim cmesim_test; then
		echo "scripts/test.sh: creating the database cmesim_test failed; PostgreSQL's log:" >&2
		cat "$log" >&2
		return 1
	fi
	export CMESIM_TEST_POSTGRES="postgres://cmesim@127.0.0.1:$port/cmesim_test?sslmode=disable"
	echo "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir/data"
}
# as_postgres runs a command as the user in the array as (none: this one),
# from the directory dir, which that user can enter.
as_postgres() { (cd "$dir" && "${as[@]}" "$@"); }
stop_postgres() {
	local dir=$1 bin=$2 as=()
	if [[ $(id -u) -eq 0 ]]; then
		as=(runuser -u postgres --)
	fi
	if [[ -f $dir/data/postmaster.pid ]]; then
		as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
			echo "scripts/test.sh: stopping PostgreSQL in $dir failed" >&2
	fi
	rm -rf "$dir"
}
if [[ -n ${CMESIM_TEST_POSTGRES:-} ]]; then
	step "PostgreSQL: using CMESIM_TEST_POSTGRES as set"
else
	step "starting a throwaway PostgreSQL"
	if ! start_postgres; then
		echo "scripts/test.sh: no PostgreSQL for store/postgres's tests; they fail in CI and are skipped elsewhere" >&2
		if [[ ${CI:-} == true ]]; then
			summary+=("FAIL  start a throwaway PostgreSQL")
			failures=$((failures + 1))
		fi
	fi
fi

# The timeout is per package and only catches a hang: the web package's
# browser tests took 21 minutes on two cores beside a CPU-bound process
# under the race detector (2026-12-05), so a slower machine needs room.
check "go test -race ./..." go test -race -count=1 -timeout 50m ./...
check "node --test web/ui/_test/ (the consoles' JavaScript)" node --test web/ui/_test/

# The regression gate of the live server: the binary starts itself as the
# server (cmesim serve on a free loopback port) and loads it. A run that is
# only too slow runs once more (a stall of the machine makes one slow run; a
# slow server makes both slow); a dropped connection fails at once.
if [[ ${LOADTEST:-1} == 0 ]]; then
	step "load test skipped (LOADTEST=0)"
else
	load_test() {
		local tmp data=${TMPDIR:-/tmp}
		tmp=$(mktemp -d)
		at_exit+=("rm -rf '$tmp'")
		# The gate measures the server, not this machine's disk: the server's
		# data directory is in memory when there is a tmpfs for it, so that a
		# shared disk's stall (an fsync waiting a second behind other writes)
		# does not read as a slow server. The stores' own tests cover
		# durability.
		if [[ -d /dev/shm && -w /dev/shm ]]; then
			data=/dev/shm
		fi
		go build -o "$tmp/cmesim" ./cmd/cmesim &&
			TMPDIR=$data "$tmp/cmesim" loadtest --trainees 100 --teams 10 --duration 30s \
				--max-delivery-p99 50ms --max-rtt-p99 50ms --max-drops 0 --max-lost 0 --attempts 2
	}
	check "load test: 100 trainees in 10 teams for 30 s" load_test
fi

fuzztime=${FUZZTIME:-10s}
if [[ $fuzztime == 0 || $fuzztime == 0s ]]; then
	step "fuzzing skipped (FUZZTIME=$fuzztime)"
else
	# fuzz_target PKG NAME fuzzes one target with one worker. On a starved
	# machine Go's fuzzing engine can give up waiting for its worker
	# ("context deadline exceeded") without having found anything: such a
	# run is tried again, at most twice. A run that found a failing input
	# (a new file under testdata/fuzz/NAME) or failed otherwise fails.
	fuzz_target() {
		local pkg=$1 name=$2 attempt status out corpus=$1/testdata/fuzz/$2 before
		for attempt in 1 2 3; do
			before=$(find "$corpus" -type f 2>/dev/null | wc -l)
			status=0
			out=$(go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -parallel=1 "$pkg" 2>&1) || status=$?
			printf '%s\n' "$out"
			((status != 0)) || return 0
			if [[ $(find "$corpus" -type f 2>/dev/null | wc -l) -ne $before ]] ||
				! grep -q 'context deadline exceeded' <<<"$out"; then
				return "$status"
			fi
			echo "scripts/test.sh: the fuzzing engine timed out waiting for its worker and found nothing (attempt $attempt of 3)" >&2
		done
		return "$status"
	}
	# Each line of grep's output is "dir/file_test.go:func FuzzName(f *testing.F) {".
	while IFS= read -r line; do
		file=${line%%:*}
		name=${line#*func }
		name=${name%%(*}
		pkg=./$(dirname "${file#./}")
		check "fuzz $name in $pkg for $fuzztime" fuzz_target "$pkg" "$name"
	done < <(grep -r '^func Fuzz' --include='*_test.go' . | sort)
fi

((failures == 0))
