#!/usr/bin/env bash
# Renders every example through the function with the real crossplane CLI:
# each examples/<name>/ once without observed state and, when it has an
# observed.yaml, once more with it; with the example's own composition.yaml
# and required.yaml when it has them. Prints every output and writes it to
# $OUTPUT/<name>.yaml and $OUTPUT/<name>-observed.yaml.
#
# Starts the function on $ADDRESS and stops it again however the script ends.
# `make render` sets the variables.
set -euo pipefail

: "${CROSSPLANE:?path to the crossplane CLI}" "${FUNCTION:?path to the function binary}"
: "${ADDRESS:=127.0.0.1:9443}" "${OUTPUT:=_output/render}"
root=$(cd "$(dirname "$0")/.." && pwd)
composition="$root/package/configuration/composition.yaml"
host=${ADDRESS%:*} port=${ADDRESS##*:}

listening() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

# Another process on the port would answer in the function's place.
if listening; then
	echo "something already listens on $ADDRESS; choose another with RENDER_ADDRESS=127.0.0.1:<port>" >&2
	exit 1
fi

shopt -s nullglob
examples=("$root"/examples/*/)
if ((${#examples[@]} == 0)); then
	echo "no examples found in $root/examples" >&2
	exit 1
fi

mkdir -p "$OUTPUT"
tmp=$(mktemp -d)
fn=
cleanup() {
	if [[ -n "$fn" ]]; then
		kill "$fn" 2>/dev/null || true
		wait "$fn" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

"$FUNCTION" --insecure --metrics-address= --address="$ADDRESS" &
fn=$!

# Wait up to 30s until the function listens.
for ((i = 0; ; i++)); do
	listening && break
	if ! kill -0 "$fn" 2>/dev/null; then
		echo "the function exited before it listened on $ADDRESS" >&2
		exit 1
	fi
	if ((i >= 300)); then
		echo "the function did not listen on $ADDRESS within 30s" >&2
		exit 1
	fi
	sleep 0.1
done

for dir in "${examples[@]}"; do
	dir=${dir%/}
	name=$(basename "$dir")
	# Point the example's function at the address served here.
	sed -E "s#(render\.crossplane\.io/runtime-development-target:).*#\1 $ADDRESS#" \
		"$dir/functions.yaml" >"$tmp/functions.yaml"
	runs=("$name")
	[[ -f "$dir/observed.yaml" ]] && runs+=("$name-observed")
	# An example may bring its own Composition (the platform team's input)
	# and the resources its cluster has that the function asks for.
	comp=$composition
	[[ -f "$dir/composition.yaml" ]] && comp="$dir/composition.yaml"
	for run in "${runs[@]}"; do
		args=()
		[[ -f "$dir/required.yaml" ]] && args+=(--required-resources="$dir/required.yaml")
		[[ "$run" == *-observed ]] && args+=(--observed-resources="$dir/observed.yaml")
		"$CROSSPLANE" render "$dir/xr.yaml" "$comp" "$tmp/functions.yaml" \
			--include-function-results "${args[@]}" >"$OUTPUT/$run.yaml"
		echo "# ---- $run (also in ${OUTPUT#"$root"/}/$run.yaml)"
		cat "$OUTPUT/$run.yaml"
	done
done
