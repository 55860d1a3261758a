#!/usr/bin/env bash
# Renders every example through the function with the real crossplane CLI.
# Starts the function on $ADDRESS, renders, and always stops it again.
set -euo pipefail

: "${CROSSPLANE:?path to the crossplane CLI}" "${FUNCTION:?path to the function binary}"
: "${ADDRESS:=127.0.0.1:9443}" "${OUTPUT:=_output/render}"
root=$(cd "$(dirname "$0")/.." && pwd)
composition="$root/package/configuration/composition.yaml"
mkdir -p "$OUTPUT"

"$FUNCTION" --insecure --metrics-address= --address="$ADDRESS" &
fn=$!
trap 'kill $fn 2>/dev/null; wait $fn 2>/dev/null || true' EXIT

# Wait until the function listens.
host=${ADDRESS%:*} port=${ADDRESS##*:}
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break
	kill -0 $fn 2>/dev/null || { echo "the function exited" >&2; exit 1; }
	sleep 0.1
done

tmp=$(mktemp -d)
trap 'kill $fn 2>/dev/null; wait $fn 2>/dev/null || true; rm -rf "$tmp"' EXIT

for dir in "$root"/examples/*/; do
	name=$(basename "$dir")
	# Point the example's function at the address served here.
	sed -E "s#(runtime-development-target: ).*#\1$ADDRESS#" "$dir/functions.yaml" >"$tmp/functions.yaml"
	runs=("$name")
	[[ -f "$dir/observed.yaml" ]] && runs+=("$name-observed")
	for run in "${runs[@]}"; do
		args=()
		[[ "$run" == *-observed ]] && args+=(--observed-resources="$dir/observed.yaml")
		"$CROSSPLANE" render "$dir/xr.yaml" "$composition" "$tmp/functions.yaml" \
			--include-function-results "${args[@]}" >"$OUTPUT/$run.yaml"
		echo "# ---- $run (also in ${OUTPUT#"$root"/}/$run.yaml)"
		cat "$OUTPUT/$run.yaml"
	done
done
