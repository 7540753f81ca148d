"""compare_real_fixtures.py COMMITTED FRESH: does a fresh recording (record-real-rbd.sh
--check) still say what the committed fixtures say? Compares what is deterministic: stream
bytes, the size and sha256 at every point, the steps', outputs' and errors' exit codes and
texts with run-specific values (ids, times, snapshot ids, librbd log prefixes) masked."""

import json
import os
import re
import sys

CTIME = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}")
LOG = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+\d{4} [0-9a-f]+ -1 ([^\n]*)\n")


def mask(text: str) -> str:
    text = CTIME.sub("<time>", text)
    text = re.sub(r'("id":\s*)"[^"]*"', r'\1"<id>"', text)
    text = re.sub(r'("(?:snapshot_id|id)":\s*)\d+', r"\1<n>", text)
    text = re.sub(r"\bid: \S+", "id: <id>", text)
    text = re.sub(r"rbd_data\.[0-9a-f]+", "rbd_data.<id>", text)
    text = re.sub(r"^ *\d+(?= {2}\S)", "<snapid>", text, flags=re.M) if text.startswith("SNAPID") else text
    return text


def stderr_key(text: str) -> tuple[str, list[str]]:
    logs = sorted(LOG.findall(text))
    return mask(LOG.sub("", text)), logs


def load(root: str, name: str):
    with open(os.path.join(root, name)) as f:
        return json.load(f)


def main() -> int:
    committed, fresh = sys.argv[1], sys.argv[2]
    moved: list[str] = []
    a, b = load(committed, "manifest.json"), load(fresh, "manifest.json")
    if a["recordedWith"] != b["recordedWith"]:
        moved.append(f"rbd version: {a['recordedWith']} -> {b['recordedWith']}")
    sa = {s["name"]: s["sha256"] for s in a["streams"]}
    sb = {s["name"]: s["sha256"] for s in b["streams"]}
    for name in sorted(set(sa) | set(sb)):
        if sa.get(name) != sb.get(name):
            moved.append(f"stream {name}: {sa.get(name)} -> {sb.get(name)}")
    for name in sorted(set(a["points"]) | set(b["points"])):
        pa, pb = a["points"].get(name, {}), b["points"].get(name, {})
        if (pa.get("sha256"), pa.get("size")) != (pb.get("sha256"), pb.get("size")):
            moved.append(f"point {name}: {pa.get('sha256')} -> {pb.get('sha256')}")
    steps = zip(a["steps"], b["steps"])
    if len(a["steps"]) != len(b["steps"]):
        moved.append(f"steps: {len(a['steps'])} -> {len(b['steps'])}")
    for i, (x, y) in enumerate(steps):
        if x["op"] == "rbd" and (x.get("exitCode"), mask(x.get("stdout", "")), stderr_key(x.get("stderr", ""))) != (
            y.get("exitCode"), mask(y.get("stdout", "")), stderr_key(y.get("stderr", ""))
        ):
            moved.append(f"step {i} (rbd {' '.join(x['argv'])}): output changed")
    for file in ("outputs.json", "errors.json"):
        oa = {o["name"]: o for o in load(committed, file)}
        ob = {o["name"]: o for o in load(fresh, file)}
        for name in sorted(set(oa) | set(ob)):
            x, y = oa.get(name), ob.get(name)
            if x is None or y is None:
                moved.append(f"{file} {name}: only in {'fresh' if x is None else 'committed'}")
                continue
            if x["exitCode"] != y["exitCode"]:
                moved.append(f"{file} {name}: exit {x['exitCode']} -> {y['exitCode']}")
            if mask(x["stdout"]) != mask(y["stdout"]) or x.get("stdoutBase64") != y.get("stdoutBase64"):
                moved.append(f"{file} {name}: stdout changed")
            if stderr_key(x["stderr"]) != stderr_key(y["stderr"]):
                moved.append(f"{file} {name}: stderr {x['stderr']!r} -> {y['stderr']!r}")
    if moved:
        print("record-real-rbd --check: the fresh recording differs from the committed fixtures:", file=sys.stderr)
        for line in moved:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"record-real-rbd --check: fixtures still match {b['recordedWith']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
