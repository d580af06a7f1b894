#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""metrics_query.py - parse an exporter scrape and print values from it.

usage: metrics_query.py FORMAT FILE [QUERY...]

FORMAT is "openmetrics" (parsed with prometheus_client's OpenMetrics
parser, which is strict: families, counter suffixes, label syntax, the
closing "# EOF") or "text" (Prometheus text 0.0.4).  A parse error exits 1.
Each QUERY prints one line:
  name{label="value",...}  the value of the one sample with that name and
                           at least those labels; "absent" if none
  count:name               how many samples the name has
Two samples matching one query exit 2.  Integral values print without a
decimal point.
"""
import re
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_text


def parse_query(q):
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?', q)
    if not m:
        raise SystemExit(f"bad query {q!r}")
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"', m.group(2) or ""))
    return m.group(1), labels


def show(v):
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def main():
    fmt, path, queries = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        parser = parse_om if fmt == "openmetrics" else parse_text
        samples = [s for fam in parser(text) for s in fam.samples]
    except Exception as e:  # the parsers raise ValueError and friends
        print(f"{path}: not valid {fmt}: {e}", file=sys.stderr)
        return 1
    for q in queries:
        if q.startswith("count:"):
            print(sum(1 for s in samples if s.name == q[6:]))
            continue
        name, labels = parse_query(q)
        hits = [s for s in samples if s.name == name and
                all(s.labels.get(k) == v for k, v in labels.items())]
        if len(hits) > 1:
            print(f"{q}: {len(hits)} samples match", file=sys.stderr)
            return 2
        print(show(hits[0].value) if hits else "absent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
