# Sourced by the CI scripts: they run the docs' own shell blocks, found by the marker line before each.
# doc_block PAGE NAME prints the ```sh block that follows the line <!-- ci: NAME --> in PAGE.
doc_block() {
  local code
  code=$(awk -v name="$2" '$0 == "<!-- ci: " name " -->" {f=1; next} f && /^```sh/ {g=1; next} g && /^```/ {exit} g {print}' "$1")
  [ -n "$code" ] || { echo "FAIL: no block <!-- ci: $2 --> in $1" >&2; return 1; }
  printf '%s\n' "$code"
}

# run_doc_block PAGE NAME shows the block and runs it in this shell.
run_doc_block() {
  local code
  code=$(doc_block "$1" "$2") || exit 1
  echo "== $1, $2:"; echo "$code" | sed 's/^/   | /'
  eval "$code"
}
