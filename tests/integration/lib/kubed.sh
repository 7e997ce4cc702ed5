# Helpers for integration tests: start kubed on a free port, wait for its
# kubeconfig, run checks, and always clean up.
# Usage: source this file, then `kubed_start [args]`; $KUBECONFIG is set.

BUILD=${BUILD:-build}
KTEST_DIR=$(mktemp -d /tmp/libkube-it-XXXXXX)
KTEST_FAILED=0
KTEST_PASSED=0
KUBED_PID=

kubed_stop() {
	if [ -n "$KUBED_PID" ] && kill -0 "$KUBED_PID" 2>/dev/null; then
		kill -TERM "$KUBED_PID"
		wait "$KUBED_PID" 2>/dev/null || true
	fi
	KUBED_PID=
}

ktest_cleanup() {
	kubed_stop
	rm -rf "$KTEST_DIR"
}
trap ktest_cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# kubed_start [kubed args...]: start kubed, wait up to 10 s for the kubeconfig.
kubed_start() {
	local port
	port=$(free_port)
	export KUBECONFIG="$KTEST_DIR/kubeconfig"
	rm -f "$KUBECONFIG"
	"$BUILD/bin/kubed" --listen "127.0.0.1:$port" --write-kubeconfig "$KUBECONFIG" "$@" \
		>"$KTEST_DIR/kubed.log" 2>&1 &
	KUBED_PID=$!
	for _ in $(seq 100); do
		[ -s "$KUBECONFIG" ] && return 0
		sleep 0.1
	done
	echo "kubed did not write its kubeconfig:"; cat "$KTEST_DIR/kubed.log"
	exit 1
}

# ok DESC CMD...: the command must succeed.
ok() {
	local desc=$1; shift
	if out=$("$@" 2>&1); then
		KTEST_PASSED=$((KTEST_PASSED + 1))
	else
		KTEST_FAILED=$((KTEST_FAILED + 1))
		printf 'FAIL: %s\n  $ %s\n%s\n' "$desc" "$*" "$out" | sed 's/^/  /'
	fi
	LAST_OUT=$out
}

# fails DESC CMD...: the command must fail.
fails() {
	local desc=$1; shift
	if out=$("$@" 2>&1); then
		KTEST_FAILED=$((KTEST_FAILED + 1))
		printf 'FAIL (succeeded): %s\n  $ %s\n%s\n' "$desc" "$*" "$out" | sed 's/^/  /'
	else
		KTEST_PASSED=$((KTEST_PASSED + 1))
	fi
	LAST_OUT=$out
}

# has DESC REGEX: the last output must match (grep -E).
has() {
	if grep -Eq -- "$2" <<<"$LAST_OUT"; then
		KTEST_PASSED=$((KTEST_PASSED + 1))
	else
		KTEST_FAILED=$((KTEST_FAILED + 1))
		printf 'FAIL: %s: output does not match /%s/:\n%s\n' "$1" "$2" "$LAST_OUT" | sed 's/^/  /'
	fi
}

# lacks DESC REGEX: the last output must not match.
lacks() {
	if grep -Eq -- "$2" <<<"$LAST_OUT"; then
		KTEST_FAILED=$((KTEST_FAILED + 1))
		printf 'FAIL: %s: output matches /%s/:\n%s\n' "$1" "$2" "$LAST_OUT" | sed 's/^/  /'
	else
		KTEST_PASSED=$((KTEST_PASSED + 1))
	fi
}

ktest_done() {
	echo "$KTEST_PASSED passed, $KTEST_FAILED failed"
	[ "$KTEST_FAILED" -eq 0 ]
}
