#!/usr/bin/env bash
# Renders every example through the function with the real crossplane CLI:
# each examples/<name>/ once without observed state and, when it has an
# observed.yaml, once more with it. Prints every output and writes it to
# $OUTPUT/<name>.yaml and $OUTPUT/<name>-observed.yaml. Each example renders
# with the package/*/composition.yaml whose compositeTypeRef is its XR's
# apiVersion and kind, as test/render picks it, or with its own
# composition.yaml (the platform team's input) when it has one; its
# required.yaml stands in for what its cluster has that the function asks for.
#
# Starts the function on $ADDRESS and stops it again however the script ends.
# `make render` sets the variables.
set -euo pipefail

: "${CROSSPLANE:?path to the crossplane CLI}" "${FUNCTION:?path to the function binary}"
: "${ADDRESS:=127.0.0.1:9443}" "${OUTPUT:=_output/render}"
root=$(cd "$(dirname "$0")/.." && pwd)
host=${ADDRESS%:*} port=${ADDRESS##*:}

# typeof prints the apiVersion and kind of an XR file or, with ref, of a
# Composition's compositeTypeRef. Both are our own, block-style YAML.
typeof() {
	awk -v ref="${2:-}" '
		ref && /^  compositeTypeRef:/ { in_ref = 1; next }
		ref && in_ref && /^  [^ ]/ { in_ref = 0 }
		(!ref && /^apiVersion:/) || (in_ref && /^    apiVersion:/) { v = $2 }
		(!ref && /^kind:/) || (in_ref && /^    kind:/) { k = $2 }
		END { print v, k }' "$1"
}

# composition_for prints the Composition that composes an XR file's type.
composition_for() {
	local want c
	want=$(typeof "$1")
	for c in "$root"/package/*/composition.yaml; do
		if [[ "$(typeof "$c" ref)" == "$want" ]]; then
			echo "$c"
			return
		fi
	done
	echo "no package/*/composition.yaml composes $want, the type of $1" >&2
	return 1
}

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
	composition=$(composition_for "$dir/xr.yaml")
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
