#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""cmm_check.py - checks a CMM node's notifications against the states and
views that node actually installed, as its daemon logged them:

  cmm: view R members a,b,c is [not ]quorate      (a view and its agreed flag)
  cmm: KIND node N                                (a notification, in order)
  cmm: state valid|none epoch E master M vice V nodes id:status:inc ...

  cmm_check.py states LOG [ELIGIBLE]
      every run of notifications before a state line must be exactly the
      canonical diff (reference 6.2) between the previous state and that
      one, wrapped by INV/VAL as 8.4 says; STALE only in a non-quorate view;
      each state agrees with its view: in a quorate view the members are
      exactly the view's nodes, roles only on eligible members, no
      pre-emption, failover to the vice-master; in a non-quorate view no
      member of the view holds a role.
  cmm_check.py stream LOG FROM WATCHFILE [KIND...]
      the notifications the daemon generated after log line FROM, through
      the filter KIND... (none: all), are exactly what the application
      printed (WATCHFILE, lines "KIND(node)").
  cmm_check.py notes LOG FROM [KIND...]
      print the notifications generated after log line FROM, through the
      filter, on one line.
Exit status 0 when everything holds; each violation is printed.
"""
import re
import sys

VIEW = re.compile(r"cmm: view (\d+) members ([\d,]*) is (not )?quorate")
NOTE = re.compile(r"cmm: ([A-Z_]+) node (\d+)$")
START = re.compile(r"cmm: service started")
STATE = re.compile(r"cmm: state (valid|none) epoch (\d+) master (\d+) vice (\d+) nodes(.*)$")
SHORT = {"MASTER_ELECTED": "ME", "MASTER_DEMOTED": "MD", "VICEMASTER_ELECTED": "VE",
         "VICEMASTER_DEMOTED": "VD", "MEMBER_JOINED": "J", "MEMBER_LEFT": "L",
         "STALE_CLUSTER": "STALE", "INVALID_CLUSTER": "INV", "VALID_CLUSTER": "VAL"}
OUT, IN, VICE, MASTER = 0, 1, 2, 3


def events(path, start=0):
    """(kind, payload) for every CMM line of the log after line start."""
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()[start:]
    for line in lines:
        if START.search(line):
            yield "start", None
            continue
        m = VIEW.search(line)
        if m:
            members = [int(x) for x in m.group(2).split(",") if x]
            yield "view", (int(m.group(1)), members, m.group(3) is None)
            continue
        m = STATE.search(line)
        if m:
            nodes = {}
            for item in m.group(5).split():
                nid, st, inc = (int(x) for x in item.split(":"))
                nodes[nid] = (st, inc)
            yield "state", {"valid": m.group(1) == "valid", "master": int(m.group(3)),
                            "vice": int(m.group(4)), "nodes": nodes}
            continue
        m = NOTE.search(line)
        if m and m.group(1) in SHORT:
            yield "note", "%s(%s)" % (SHORT[m.group(1)], m.group(2))


def diff(old, new):
    """The canonical notification list from state old to state new."""
    o = old["nodes"] if old and old["valid"] else {}
    n = new["nodes"]
    ids = sorted(n)

    def ost(i):
        if i not in o:
            return OUT
        s, inc = o[i]
        if s != OUT and n[i][0] != OUT and inc != n[i][1]:
            return OUT
        return s

    out = ["L(%d)" % i for i in ids
           if i in o and o[i][0] != OUT and (n[i][0] == OUT or ost(i) == OUT)]
    out += ["MD(%d)" % i for i in ids if ost(i) == MASTER and n[i][0] in (IN, VICE)]
    out += ["VD(%d)" % i for i in ids if ost(i) == VICE and n[i][0] == IN]
    out += ["ME(%d)" % i for i in ids if n[i][0] == MASTER and ost(i) != MASTER]
    out += ["VE(%d)" % i for i in ids if n[i][0] == VICE and ost(i) != VICE]
    out += ["J(%d)" % i for i in ids if n[i][0] == IN and ost(i) == OUT]
    return out


def check_view_state(view, prev, prev_quorate, st, eligible, errors, where):
    ring, members, quorate = view
    inside = {i for i, (s, _) in st["nodes"].items() if s != OUT}
    roles = {i for i, (s, _) in st["nodes"].items() if s in (VICE, MASTER)}
    if not quorate:
        if roles & set(members):
            errors.append("%s: members of non-quorate view %d hold roles %s"
                          % (where, ring, sorted(roles & set(members))))
        return
    if inside != {m for m in members if m in st["nodes"]}:
        errors.append("%s: view %d members %s but state has %s in the cluster"
                      % (where, ring, members, sorted(inside)))
    if eligible and not roles <= eligible:
        errors.append("%s: roles on ineligible nodes %s" % (where, sorted(roles - eligible)))
    if prev is None or not prev["valid"] or not prev_quorate:
        return
    pm, pv = prev["master"], prev["vice"]
    if pm and pm in inside and st["nodes"][pm][1] == prev["nodes"][pm][1] and st["master"] != pm:
        errors.append("%s: master %d pre-empted by %d in view %d" % (where, pm, st["master"], ring))
    if pm and pm not in inside and pv in inside and st["master"] != pv:
        errors.append("%s: vice-master %d did not take over from %d in view %d"
                      % (where, pv, pm, ring))


def check_states(path, eligible):
    errors = []
    view = None
    view_is_new = False
    prev = None
    prev_quorate = False
    pending = []
    signalled = False  # STALE or INV since the last install
    for kind, data in events(path):
        if kind == "start":
            if pending:
                errors.append("%s: notifications %s with no state after them" % (path, pending))
            view, view_is_new, prev, prev_quorate, pending, signalled = (None, False, None,
                                                                        False, [], False)
        elif kind == "view":
            if pending and pending == ["VAL(%d)" % (prev["master"] if prev else 0)]:
                pending = []  # an install that left the state as it was
                signalled = False
            view, view_is_new = data, True
        elif kind == "note":
            if data.startswith("STALE"):
                if view is None or view[2]:
                    errors.append("%s: STALE in a quorate view" % path)
                signalled = True
                continue
            if data.startswith("INV"):
                signalled = True
            pending.append(data)
        else:
            where = "%s (view %s)" % (path, view[0] if view else "-")
            install = view is not None and view[2]
            want = diff(prev, data)
            got = [p for p in pending if not p.startswith("INV")]
            if install and signalled:
                want.append("VAL(%d)" % data["master"])
            if got != want:
                errors.append("%s: notifications %s, the states say %s" % (where, got, want))
            if view is not None and view_is_new:
                check_view_state(view, prev, prev_quorate, data, eligible, errors, where)
            if install:
                signalled = False
            prev, prev_quorate = data, bool(view and view[2])
            pending, view_is_new = [], False
    if pending and pending != ["VAL(%d)" % (prev["master"] if prev else 0)]:
        errors.append("%s: notifications %s with no state after them" % (path, pending))
    return errors


def check_stream(path, start, watchfile, kinds):
    gen = [d for k, d in events(path, start) if k == "note"]
    if kinds:
        gen = [d for d in gen if d.split("(")[0] in kinds]
    with open(watchfile, errors="replace") as f:
        seen = [l.strip() for l in f if re.match(r"^[A-Z]+\(\d+\)$", l.strip())]
    if seen != gen:
        return ["%s: application saw %s, the daemon generated %s" % (watchfile, seen, gen)]
    return []


def main(argv):
    if len(argv) >= 3 and argv[1] == "states":
        eligible = {int(x) for x in argv[3].split(",")} if len(argv) > 3 else None
        errors = check_states(argv[2], eligible)
    elif len(argv) >= 4 and argv[1] == "notes":
        gen = [d for k, d in events(argv[2], int(argv[3])) if k == "note"]
        print(" ".join(d for d in gen if not argv[4:] or d.split("(")[0] in argv[4:]))
        return 0
    elif len(argv) >= 5 and argv[1] == "stream":
        errors = check_stream(argv[2], int(argv[3]), argv[4], set(argv[5:]))
    else:
        print(__doc__)
        return 2
    for e in errors:
        print("CHECK:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
