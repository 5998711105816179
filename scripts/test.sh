#!/usr/bin/env bash
# Runs every check cmesim's CI runs: formatting, go vet, all tests with the
# race detector, and a short fuzz of every fuzz target.
#
#   scripts/test.sh                 # FUZZTIME=10s per fuzz target
#   FUZZTIME=1m scripts/test.sh     # fuzz longer
#   FUZZTIME=0 scripts/test.sh      # skip fuzzing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

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

# ---------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------
step "gofmt"
unformatted=$(gofmt -l .)
if [[ -n $unformatted ]]; then
	echo "These files need gofmt -w:" >&2
	echo "$unformatted" >&2
	exit 1
fi

step "go vet ./..."
go vet ./...

step "go test -race ./..."
go test -race -count=1 ./...

fuzztime=${FUZZTIME:-10s}
if [[ $fuzztime == 0 || $fuzztime == 0s ]]; then
	step "fuzzing skipped (FUZZTIME=$fuzztime)"
	exit 0
fi
# Each line of grep's output is "dir/file_test.go:func FuzzName(f *testing.F) {".
grep -r '^func Fuzz' --include='*_test.go' . | sort | while IFS= read -r line; do
	file=${line%%:*}
	name=${line#*func }
	name=${name%%(*}
	pkg=./$(dirname "${file#./}")
	step "fuzz $name in $pkg for $fuzztime"
	go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg"
done
