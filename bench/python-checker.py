#!/usr/bin/env python3
"""The original checker's work, minimal and fair, as the baseline bench/run.mjs pairs with logsource-check.

What the Python script did before the TypeScript CLI existed: walk the rule folders, yaml.safe_load every
document of every .yml file (pure-Python PyYAML, as it ran), and map each rule's logsource to requirements
with a dictionary lookup. It prints one JSON summary line. No caching, no analysis of the detection: anything
the CLI does beyond this is extra work on the CLI's side, so the ratio flatters Python, not us.

Usage: python-checker.py CATALOG_SNAPSHOT_JSON RULE_DIR...
"""
import json
import os
import resource
import sys

import yaml


def lookup_table(snapshot_path):
    """(product, category, service) -> requirement names, from the catalog the CLI ships (read once, JSON)."""
    with open(snapshot_path, encoding="utf-8") as f:
        data = json.load(f)["data"]
    table = {}
    for entry in data.get("logsources", []):
        key = (entry.get("product"), entry.get("category"), entry.get("service"))
        needs = []
        for source in entry.get("sources", []):
            events = ",".join(str(e) for e in source.get("events", []))
            needs.append(f"{source.get('producer')}:{source.get('name')}:{events}")
        table[key] = needs
    return table


def main():
    table = lookup_table(sys.argv[1])
    rules = resolved = errors = 0
    needed = {}
    for root_arg in sys.argv[2:]:
        for root, dirs, files in os.walk(root_arg):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith((".yml", ".yaml")):
                    continue
                try:
                    with open(os.path.join(root, name), encoding="utf-8") as f:
                        docs = list(yaml.safe_load_all(f))
                except Exception:  # a broken file is counted, as the original did
                    errors += 1
                    continue
                for doc in docs:
                    if not isinstance(doc, dict) or not isinstance(doc.get("logsource"), dict):
                        continue
                    rules += 1
                    ls = doc["logsource"]
                    needs = table.get((ls.get("product"), ls.get("category"), ls.get("service")))
                    if needs:
                        resolved += 1
                        for n in needs:
                            needed[n] = needed.get(n, 0) + 1
    print(json.dumps({"rules": rules, "resolved": resolved, "errors": errors, "requirements": len(needed)}))
    # The same probe lines as bench/rss-probe.mjs gives the node runs: peak RSS (KiB on Linux) and CPU time.
    use = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(f"BENCH_MAXRSS_KB={use.ru_maxrss}\nBENCH_CPU_MS={round((use.ru_utime + use.ru_stime) * 1000)}\n")


if __name__ == "__main__":
    main()
