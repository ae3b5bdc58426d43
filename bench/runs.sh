# Shared by the bench scripts that resume: source it, then skip a run whose results.json says it finished.
succeeded() { # results.json exists and says the run finished
  [ -f "$1" ] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("status") == "succeeded" else 1)' "$1" 2>/dev/null
}
