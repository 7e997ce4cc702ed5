#!/usr/bin/env python3
"""Replay a pod list and the watch events after it, checking an invariant at
every event, as a user watching `kubectl get pods -w` would.

  podwatch.py LIST WATCH bounds REPLICAS MAXSURGE MAXUNAVAILABLE
      rolling update: pods not terminating <= replicas + maxSurge and ready ones
      >= replicas - maxUnavailable at every moment; prints "max=N minready=M"
  podwatch.py LIST WATCH recreate OLDHASH
      Recreate: no pod of another template exists while an old pod is still
      there (terminating or not, unless finished), as upstream waits for them
  podwatch.py LIST WATCH ordered
      StatefulSet OrderedReady: pod NAME-N appears only when NAME-(N-1) is
      Running and Ready

LIST is a PodList (JSON), WATCH the watch stream from its resourceVersion
(one JSON event per line). Exit 1 with the offending moment on a violation.
"""
import json
import sys


def ready(pod):
    st = pod.get("status", {})
    if st.get("phase") != "Running":
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in st.get("conditions", []))


def terminating(pod):
    return "deletionTimestamp" in pod["metadata"]


def finished(pod):
    return pod.get("status", {}).get("phase") in ("Succeeded", "Failed")


def replay(list_path, watch_path):
    """Yield (event type, pod, state) with state the pods after the event."""
    with open(list_path) as f:
        state = {p["metadata"]["name"]: p for p in json.load(f)["items"]}
    yield "LIST", None, state
    with open(watch_path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            ev = json.loads(line)
            pod = ev["object"]
            if ev["type"] not in ("ADDED", "MODIFIED", "DELETED"):
                continue
            name = pod["metadata"]["name"]
            before = dict(state)
            if ev["type"] == "DELETED":
                state.pop(name, None)
            else:
                state[name] = pod
            yield ev["type"], pod, before if ev["type"] == "ADDED" else state


def fail(msg, state):
    print(msg)
    for name, p in sorted(state.items()):
        print("  %s ready=%s terminating=%s phase=%s" % (
            name, ready(p), terminating(p), p.get("status", {}).get("phase")))
    sys.exit(1)


def check_bounds(events, replicas, surge, unavailable):
    hi, lo, n = 0, None, 0
    for typ, pod, state in events:
        if typ == "ADDED":
            state = dict(state)
            state[pod["metadata"]["name"]] = pod
        live = [p for p in state.values() if not terminating(p)]
        nready = sum(1 for p in live if ready(p))
        if len(live) > replicas + surge:
            fail("%d pods exceed %d + maxSurge %d" % (len(live), replicas, surge), state)
        if nready < replicas - unavailable:
            fail("%d ready pods are below %d - maxUnavailable %d" %
                 (nready, replicas, unavailable), state)
        hi = max(hi, len(live))
        lo = nready if lo is None else min(lo, nready)
        n += 1
    print("max=%d minready=%d events=%d" % (hi, lo, n))


def check_recreate(events, old_hash):
    n = 0
    for typ, pod, state in events:
        if typ != "ADDED":
            continue
        h = pod["metadata"]["labels"].get("pod-template-hash")
        if h == old_hash:
            continue
        n += 1
        old = [p for p in state.values()
               if p["metadata"]["labels"].get("pod-template-hash") == old_hash
               and not finished(p)]
        if old:
            fail("new pod %s created while old pods remain" %
                 pod["metadata"]["name"], state)
    print("new=%d" % n)


def check_ordered(events):
    n = 0
    for typ, pod, state in events:
        if typ != "ADDED":
            continue
        name = pod["metadata"]["name"]
        base, _, ordinal = name.rpartition("-")
        n += 1
        if int(ordinal) == 0:
            continue
        prev = state.get("%s-%d" % (base, int(ordinal) - 1))
        if prev is None or not ready(prev) or terminating(prev):
            fail("%s created before its predecessor was Running and Ready" % name, state)
    print("created=%d" % n)


def main():
    list_path, watch_path, mode = sys.argv[1:4]
    events = replay(list_path, watch_path)
    if mode == "bounds":
        check_bounds(events, *map(int, sys.argv[4:7]))
    elif mode == "recreate":
        check_recreate(events, sys.argv[4])
    elif mode == "ordered":
        check_ordered(events)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
