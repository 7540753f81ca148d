"""Record real rbd behaviour into fake-rbd's fixtures. Run through record-real-rbd.sh, which
starts and stops the throwaway cluster; this file only talks to it.

Runs under /usr/bin/python3 (Debian's python3-rbd lives there). The scenario is a list of
steps replayed identically by the TypeScript tests (test/helpers/ceph-fixtures.ts): rbd CLI
commands, plus seeded writes and discards through librbd (the CLI cannot write at an
offset). Every real output is stored verbatim; normalisation is the tests' business.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys

import rados
import rbd

MiB = 1024 * 1024
POOL = "rbd"


def pattern(seed: str, length: int) -> bytes:
    """The cinderlab-sha256 pattern: 32-byte blocks sha256("<seed>:<block index>")."""
    out = bytearray()
    block = 0
    while len(out) < length:
        out += hashlib.sha256(f"{seed}:{block}".encode()).digest()
        block += 1
    return bytes(out[:length])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Recorder:
    def __init__(self, conf: str, out: str, work: str):
        self.conf = conf
        self.out = out
        self.work = work
        self.steps: list[dict] = []
        # "scenario" builds the state outputs.json describes; "errors" and "lifecycle" steps
        # come after it
        self.phase = "scenario"
        self.points: dict[str, dict] = {}
        self.streams: list[dict] = []
        self.exports: list[dict] = []
        self.outputs: list[dict] = []
        self.errors: list[dict] = []
        # outputs and errors share one sequence: the order they were observed in
        self.seq = 0
        self.cluster = rados.Rados(conffile=conf, rados_id="admin")
        self.cluster.connect()
        self.ioctx = self.cluster.open_ioctx(POOL)

    # ------------------------------------------------------------------ running rbd
    def rbd(self, argv: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["rbd", "-c", self.conf, *argv],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=120,
        )

    def subst(self, argv: list[str]) -> list[str]:
        """Work paths become placeholders so tests can substitute their own."""
        return [a.replace(self.out, "{fixtures}").replace(self.work, "{work}") for a in argv]

    def step(self, argv: list[str], stdin: bytes | None = None) -> None:
        r = self.rbd(argv, stdin)
        if r.returncode != 0:
            sys.exit(f"step failed: rbd {' '.join(argv)}: {r.stderr.decode()}")
        self.steps.append(
            {
                "op": "rbd",
                "phase": self.phase,
                "argv": self.subst(argv),
                "stdout": r.stdout.decode(),
                "stderr": r.stderr.decode(),
                "exitCode": r.returncode,
            }
        )

    # ------------------------------------------------------------------ librbd steps
    def write(self, image: str, offset: int, length: int, seed: str | None) -> None:
        data = bytes(length) if seed is None else pattern(seed, length)
        with rbd.Image(self.ioctx, image) as img:
            img.write(data, offset)
        self.steps.append({"op": "write", "phase": self.phase, "image": image, "offset": offset, "length": length, "seed": seed})

    def discard(self, image: str, offset: int, length: int) -> None:
        with rbd.Image(self.ioctx, image) as img:
            img.discard(offset, length)
        self.steps.append({"op": "discard", "phase": self.phase, "image": image, "offset": offset, "length": length})

    # ------------------------------------------------------------------ observations
    def export_point(self, image: str, snap: str | None) -> dict:
        spec = f"{POOL}/{image}" + (f"@{snap}" if snap else "")
        r = self.rbd(["export", "--no-progress", spec, "-"])
        if r.returncode != 0:
            sys.exit(f"export {spec} failed: {r.stderr.decode()}")
        return {"size": len(r.stdout), "sha256": sha256(r.stdout)}

    def point(self, name: str, image: str, snap: str | None) -> None:
        self.points[name] = {"image": image, "snap": snap, "afterStep": len(self.steps), **self.export_point(image, snap)}

    def stream(self, name: str, image: str, snap: str | None, from_snap: str | None,
               whole_object: bool, result: str) -> None:
        spec = f"{POOL}/{image}" + (f"@{snap}" if snap else "")
        argv = ["export-diff", "--no-progress"]
        if from_snap:
            argv += ["--from-snap", from_snap]
        if whole_object:
            argv.append("--whole-object")
        argv += [spec, "-"]
        r = self.rbd(argv)
        if r.returncode != 0:
            sys.exit(f"export-diff failed: {r.stderr.decode()}")
        path = os.path.join(self.out, "streams", f"{name}.diff")
        with open(path, "wb") as f:
            f.write(r.stdout)
        self.streams.append(
            {
                "name": name,
                "file": f"streams/{name}.diff",
                "image": image,
                "snap": snap,
                "fromSnap": from_snap,
                "wholeObject": whole_object,
                "argv": argv,
                "bytes": len(r.stdout),
                "sha256": sha256(r.stdout),
                # the point (see "points") an image holding fromSnap's bytes reaches
                "result": result,
            }
        )

    def observed(self) -> int:
        self.seq += 1
        return self.seq

    def output(self, name: str, argv: list[str]) -> None:
        r = self.rbd(argv)
        self.outputs.append(
            {
                "name": name,
                "seq": self.observed(),
                # the state it saw: manifest steps[0:afterStep] replayed
                "afterStep": len(self.steps),
                "argv": self.subst(argv),
                "stdout": r.stdout.decode(),
                "stderr": r.stderr.decode(),
                "exitCode": r.returncode,
            }
        )

    def error(self, name: str, argv: list[str], stdin: bytes | None = None, note: str | None = None) -> None:
        r = self.rbd(argv, stdin)
        if r.returncode == 0:
            # still recorded: "the fake must not fail here either" is worth knowing too
            print(f"record: note: rbd {' '.join(argv)} succeeded", file=sys.stderr)
        entry = {
            "name": name,
            "seq": self.observed(),
            "afterStep": len(self.steps),
            "argv": self.subst(argv),
            "stderr": r.stderr.decode(),
            "exitCode": r.returncode,
        }
        try:
            entry["stdout"] = r.stdout.decode()
        except UnicodeDecodeError:  # e.g. the start of a stream export-diff wrote before failing
            entry["stdout"] = ""
            entry["stdoutBase64"] = base64.b64encode(r.stdout).decode()
        if stdin is not None:
            entry["stdinBase64"] = base64.b64encode(stdin).decode()
        if note:
            entry["note"] = note
        self.errors.append(entry)

    def crafted(self, name: str, data: bytes) -> str:
        path = os.path.join(self.out, "streams", f"{name}.diff")
        with open(path, "wb") as f:
            f.write(data)
        return path

    # ------------------------------------------------------------------ the scenario
    def scenario(self) -> None:
        p = POOL
        # vol: every kind of change between snapshots, one snapshot per kind. 256 KiB objects
        # keep the fixtures small: memstore reports an object's data from its start, so a
        # real stream carries up to one object of leading zeros per written object.
        self.step(["create", "--size", "32M", "--object-size", "256K", f"{p}/vol"])
        self.write("vol", 0, 64 * 1024, "a")
        self.write("vol", 4 * MiB + 512, 4096, "b")  # unaligned
        self.write("vol", 20 * MiB, 256 * 1024, "c")  # one whole object
        self.step(["snap", "create", f"{p}/vol@s1"])
        self.point("s1", "vol", "s1")
        self.write("vol", 32 * 1024, 16 * 1024, "d")  # overlaps the first write
        self.write("vol", 20 * MiB + 64 * 1024, 32 * 1024, None)  # explicit zeros over data
        self.discard("vol", 20 * MiB + 128 * 1024, 64 * 1024)  # hole punched in data
        self.discard("vol", 4 * MiB, 256 * 1024)  # a whole object discarded
        self.step(["snap", "create", f"{p}/vol@s2"])
        self.point("s2", "vol", "s2")
        self.step(["resize", "--size", "48M", f"{p}/vol"])  # grow
        self.write("vol", 42 * MiB, 8192, "e")
        self.step(["snap", "create", f"{p}/vol@s3"])
        self.point("s3", "vol", "s3")
        self.step(["resize", "--size", "24M", "--allow-shrink", f"{p}/vol"])  # shrink over data
        self.write("vol", 22 * MiB, 4096, "f")
        self.step(["snap", "create", f"{p}/vol@s4"])
        self.point("s4", "vol", "s4")
        self.write("vol", 1 * MiB, 4096, "g")
        self.discard("vol", 0, 4096)
        self.point("head", "vol", None)

        self.stream("full-s1", "vol", "s1", None, False, "s1")
        self.stream("full-s2", "vol", "s2", None, False, "s2")
        self.stream("s1-s2", "vol", "s2", "s1", False, "s2")
        self.stream("s1-s2-whole-object", "vol", "s2", "s1", True, "s2")
        self.stream("s2-s3-grow", "vol", "s3", "s2", False, "s3")
        self.stream("s3-s4-shrink", "vol", "s4", "s3", False, "s4")
        self.stream("s4-head", "vol", None, "s4", False, "head")
        self.stream("full-head", "vol", None, None, False, "head")
        self.stream("full-s4-whole-object", "vol", "s4", None, True, "s4")

        # other images for listings and errors
        self.step(["create", "--size", "16M", f"{p}/prot"])
        self.write("prot", 0, 4096, "p")
        self.step(["snap", "create", f"{p}/prot@p"])
        self.step(["snap", "protect", f"{p}/prot@p"])
        self.step(["create", "--size", "8M", "--object-size", "1M", "--image-feature", "layering", f"{p}/small"])
        self.step(["create", "--size", "16M", f"{p}/empty"])
        raw = bytearray(8 * MiB)
        raw[128 * 1024 : 128 * 1024 + 8192] = pattern("i", 8192)
        raw_path = os.path.join(self.work, "import.raw")
        with open(raw_path, "wb") as f:
            f.write(raw)
        self.steps.append(
            {"op": "file", "phase": self.phase, "path": "{work}/import.raw", "size": len(raw),
             "writes": [{"offset": 128 * 1024, "length": 8192, "seed": "i"}]}
        )
        self.step(["import", "--no-progress", raw_path, f"{p}/imported"])
        self.point("imported", "imported", None)
        self.stream("imported-full", "imported", None, None, False, "imported")

    def record_outputs(self) -> None:
        p = POOL
        for fmt_name, fmt in (("plain", []), ("json", ["--format", "json"]), ("pretty", ["--format", "json", "--pretty-format"])):
            self.output(f"ls-{fmt_name}", ["ls", *fmt, p])
            self.output(f"ls-l-{fmt_name}", ["ls", "-l", *fmt, p])
            self.output(f"info-vol-{fmt_name}", ["info", *fmt, f"{p}/vol"])
            self.output(f"info-vol-s1-{fmt_name}", ["info", *fmt, f"{p}/vol@s1"])
            self.output(f"info-prot-p-{fmt_name}", ["info", *fmt, f"{p}/prot@p"])
            self.output(f"info-small-{fmt_name}", ["info", *fmt, f"{p}/small"])
            self.output(f"snap-ls-vol-{fmt_name}", ["snap", "ls", *fmt, f"{p}/vol"])
            self.output(f"snap-ls-prot-{fmt_name}", ["snap", "ls", *fmt, f"{p}/prot"])
            self.output(f"snap-ls-empty-{fmt_name}", ["snap", "ls", *fmt, f"{p}/empty"])
            self.output(f"diff-vol-{fmt_name}", ["diff", *fmt, f"{p}/vol"])
            self.output(f"diff-vol-s1-{fmt_name}", ["diff", *fmt, f"{p}/vol@s1"])
            self.output(f"diff-vol-s1-s2-{fmt_name}", ["diff", *fmt, "--from-snap", "s1", f"{p}/vol@s2"])
            self.output(f"diff-vol-s1-s2-whole-object-{fmt_name}",
                        ["diff", *fmt, "--from-snap", "s1", "--whole-object", f"{p}/vol@s2"])
            self.output(f"diff-vol-s4-head-{fmt_name}", ["diff", *fmt, "--from-snap", "s4", f"{p}/vol"])
            self.output(f"diff-vol-whole-object-{fmt_name}", ["diff", *fmt, "--whole-object", f"{p}/vol"])
            self.output(f"diff-empty-{fmt_name}", ["diff", *fmt, f"{p}/empty"])
            self.output(f"du-vol-{fmt_name}", ["du", *fmt, f"{p}/vol"])
            self.output(f"du-vol-s2-{fmt_name}", ["du", *fmt, f"{p}/vol@s2"])
            self.output(f"du-pool-{fmt_name}", ["du", *fmt, "-p", p])
        # the same question asked with flags instead of a spec
        self.output("info-flags-json", ["info", "--pool", p, "--image", "vol", "--snap", "s1", "--format", "json"])
        self.output("ls-pool-flag-json", ["ls", "-p", p, "--format", "json"])
        self.output("snap-ls-flags-json", ["snap", "ls", "--pool", p, "--image", "vol", "--format", "json"])

    def record_errors(self) -> None:
        p = POOL
        self.phase = "errors"
        streams = os.path.join(self.out, "streams")
        self.error("info-no-such-pool", ["info", "nopool/vol"])
        self.error("ls-no-such-pool", ["ls", "nopool"])
        self.error("create-no-such-pool", ["create", "--size", "1M", "nopool/x"])
        self.error("info-no-such-image", ["info", f"{p}/missing"])
        self.error("info-no-such-snap", ["info", f"{p}/vol@nosnap"])
        self.error("rm-no-such-image", ["rm", f"{p}/missing"])
        self.error("rm-no-such-image-no-progress", ["rm", "--no-progress", f"{p}/missing"])
        self.error("snap-create-no-such-image", ["snap", "create", f"{p}/missing@s"])
        self.error("snap-ls-no-such-image", ["snap", "ls", f"{p}/missing"])
        self.error("export-no-such-image", ["export", "--no-progress", f"{p}/missing", "-"])
        self.error("export-diff-no-such-image", ["export-diff", "--no-progress", f"{p}/missing", "-"])
        self.error("resize-no-such-image", ["resize", "--size", "1M", f"{p}/missing"])
        self.error("create-exists", ["create", "--size", "1M", f"{p}/vol"])
        self.error("rename-onto-existing", ["rename", f"{p}/empty", f"{p}/vol"])
        self.error("rename-no-such-image", ["rename", f"{p}/missing", f"{p}/other"])
        self.error("import-onto-existing", ["import", "--no-progress", os.path.join(self.work, "import.raw"), f"{p}/vol"])
        self.error("rm-image-with-snapshots", ["rm", f"{p}/vol"])
        self.error("rm-image-with-snapshots-no-progress", ["rm", "--no-progress", f"{p}/vol"])
        self.error("snap-rm-protected", ["snap", "rm", f"{p}/prot@p"])
        self.error("snap-rm-no-such-snap", ["snap", "rm", f"{p}/vol@nosnap"])
        self.error("snap-unprotect-unprotected", ["snap", "unprotect", f"{p}/vol@s1"])
        self.error("snap-protect-protected", ["snap", "protect", f"{p}/prot@p"])
        self.error("snap-purge-protected", ["snap", "purge", f"{p}/prot"])
        self.error("snap-create-exists", ["snap", "create", f"{p}/vol@s1"])
        self.error("snap-create-no-snap-name", ["snap", "create", f"{p}/vol"])
        self.error("snap-rollback-no-such-snap", ["snap", "rollback", f"{p}/vol@nosnap"])
        self.error("resize-shrink-without-allow-shrink", ["resize", "--size", "8M", f"{p}/vol"])
        self.error("create-bad-size", ["create", "--size", "abc", f"{p}/x"])
        self.error("create-zero-size", ["create", "--size", "0", f"{p}/x"])
        self.error("create-no-size", ["create", f"{p}/x"])
        self.error("create-bad-feature", ["create", "--size", "1M", "--image-feature", "nosuch", f"{p}/x"])
        self.error("export-diff-no-such-from-snap",
                   ["export-diff", "--no-progress", "--from-snap", "nosnap", f"{p}/vol@s2", "-"])
        self.error("diff-no-such-from-snap", ["diff", "--from-snap", "nosnap", f"{p}/vol"])
        self.error("unknown-command", ["frobnicate"])

        # import-diff mistakes, each on its own target
        self.error("import-diff-no-such-image",
                   ["import-diff", "--no-progress", os.path.join(streams, "full-s1.diff"), f"{p}/missing"])
        self.step(["create", "--size", "32M", f"{p}/idiff"])
        self.error("import-diff-missing-from-snap",
                   ["import-diff", "--no-progress", os.path.join(streams, "s1-s2.diff"), f"{p}/idiff"])
        self.step(["import-diff", "--no-progress", os.path.join(streams, "full-s1.diff"), f"{p}/idiff"])
        self.error("import-diff-existing-to-snap",
                   ["import-diff", "--no-progress", os.path.join(streams, "full-s1.diff"), f"{p}/idiff"])
        garbage = self.crafted("bad-banner", b"rbd diff v9\n" + b"e")
        self.error("import-diff-bad-banner", ["import-diff", "--no-progress", garbage, f"{p}/idiff"])
        self.error("import-diff-bad-banner-stdin", ["import-diff", "--no-progress", "-", f"{p}/idiff"],
                   stdin=b"this is not an rbd diff stream\n")
        with open(os.path.join(streams, "full-s1.diff"), "rb") as f:
            full = f.read()
        # cut inside the first data record's payload: the import has begun writing
        truncated = self.crafted("truncated", full[: len(full) // 2])
        self.step(["create", "--size", "32M", f"{p}/itrunc"])
        self.error("import-diff-truncated", ["import-diff", "--no-progress", truncated, f"{p}/itrunc"],
                   note="real rbd leaves the data written before the cut in place and creates no snapshot")
        self.point("itrunc-after-truncated-import", "itrunc", None)
        self.output("snap-ls-itrunc-after-truncated-import-json", ["snap", "ls", "--format", "json", f"{p}/itrunc"])
        # 'x' is no record tag rbd knows
        unknown = self.crafted("unknown-tag", b"rbd diff v1\n" + b"s" + (32 * MiB).to_bytes(8, "little") + b"x")
        self.step(["create", "--size", "32M", f"{p}/iunknown"])
        self.error("import-diff-unknown-tag", ["import-diff", "--no-progress", unknown, f"{p}/iunknown"])
        # ...and one followed by a valid end: does rbd skip it, as its message says?
        skipped = self.crafted("unknown-tag-then-end", b"rbd diff v1\n" + b"s" + (32 * MiB).to_bytes(8, "little") + b"xe")
        self.error("import-diff-unknown-tag-then-end", ["import-diff", "--no-progress", skipped, f"{p}/iunknown"])
        self.error("import-diff-empty-stdin", ["import-diff", "--no-progress", "-", f"{p}/iunknown"], stdin=b"")

    def record_lifecycle(self) -> None:
        """The other verbs Cinder's drivers and operators use, succeeding, with their progress
        output: protect/unprotect, rename, rollback, rm, purge, export/import to files."""
        p = POOL
        w = self.work
        self.phase = "lifecycle"
        self.step(["create", "--size", "8M", f"{p}/life"])
        self.write("life", 0, 4096, "l")
        self.step(["snap", "create", f"{p}/life@a"])
        self.step(["snap", "protect", f"{p}/life@a"])
        self.step(["snap", "unprotect", f"{p}/life@a"])
        self.step(["snap", "rename", f"{p}/life@a", f"{p}/life@b"])
        self.write("life", 0, 4096, "m")
        self.step(["snap", "rollback", f"{p}/life@b"])
        self.point("life-after-rollback", "life", None)
        # the form Cinder's backup driver uses: --id and --pool beside a full spec
        self.step(["export-diff", "--id", "admin", "--pool", p, f"{p}/life@b", os.path.join(w, "life.diff")])
        self.step(["create", "--size", "8M", f"{p}/life-copy"])
        self.step(["import-diff", os.path.join(w, "life.diff"), f"{p}/life-copy"])
        self.step(["export", f"{p}/life@b", os.path.join(w, "life.raw")])
        self.step(["import", os.path.join(w, "life.raw"), f"{p}/life-raw"])
        self.point("life-raw", "life-raw", None)
        self.step(["resize", "--size", "16M", f"{p}/life-copy"])
        self.step(["snap", "rm", f"{p}/life@b"])
        self.step(["snap", "create", f"{p}/life@c"])
        self.step(["snap", "create", f"{p}/life@d"])
        self.step(["snap", "purge", f"{p}/life"])
        self.step(["rename", f"{p}/life", f"{p}/life-renamed"])
        self.step(["rm", f"{p}/life-renamed"])
        self.step(["rm", "--no-progress", f"{p}/life-raw"])
        # names and sizes as Cinder's backup driver makes them, and sizes that format unevenly
        base = "volume-5f4dcc3b-5aa7-4c65-a5e3-0b2f4ea1e0b1.backup.base"
        self.step(["create", "--size", "1G", f"{p}/{base}"])
        self.write(base, 512 * MiB, 4096, "cinder")
        self.step(["snap", "create", f"{p}/{base}@backup.9c1e6f0a-8d2b-4d55-bb7a-6f1d0c2e9a41.snap.1732540000.12"])
        self.step(["create", "--size", "1536M", f"{p}/size-1536m"])
        self.step(["create", "--size", "100K", f"{p}/size-100k"])
        self.step(["create", "--size", "10T", f"{p}/size-10t"])
        for fmt_name, fmt in (("plain", []), ("json", ["--format", "json"])):
            self.output(f"ls-l-cinder-names-{fmt_name}", ["ls", "-l", *fmt, p])
            self.output(f"snap-ls-cinder-base-{fmt_name}", ["snap", "ls", *fmt, f"{p}/{base}"])
            self.output(f"du-cinder-base-{fmt_name}", ["du", *fmt, f"{p}/{base}"])
            self.output(f"info-size-10t-{fmt_name}", ["info", *fmt, f"{p}/size-10t"])
            self.output(f"pool-stats-{fmt_name}", ["pool", "stats", *fmt, p])
        # import-diff into a target of another size: the stream's size record wins (Cinder
        # restoring a backup into a larger volume has to grow it back afterwards)
        streams = os.path.join(self.out, "streams")
        for image, size in (("larger-target", "64M"), ("smaller-target", "8M")):
            self.step(["create", "--size", size, f"{p}/{image}"])
            self.step(["import-diff", "--no-progress", os.path.join(streams, "full-s1.diff"), f"{p}/{image}"])
            self.output(f"info-{image}-after-import-diff-json", ["info", "--format", "json", f"{p}/{image}"])
            self.point(f"{image}-after-import-diff", image, None)
        # `rbd export --export-format 2`: the one place rbd writes "rbd diff v2" streams (one per
        # snapshot, inside an "rbd image v2" file); kept with what importing it back gives
        for image in ("prot", "life-copy"):
            # exported under {work} (a CLI under test replaying the step must not overwrite
            # the fixture), then kept as a fixture
            path = os.path.join(w, f"{image}.export-v2")
            argv = ["export", "--no-progress", "--export-format", "2", f"{p}/{image}", path]
            self.step(argv)
            with open(path, "rb") as f:
                data = f.read()
            with open(os.path.join(self.out, "streams", f"{image}.export-v2"), "wb") as f:
                f.write(data)
            self.exports.append(
                {"name": image, "file": f"streams/{image}.export-v2", "image": image,
                 "argv": self.subst(argv), "bytes": len(data), "sha256": sha256(data)}
            )
            self.step(["import", "--no-progress", "--export-format", "2", path, f"{p}/{image}-v2"])
            self.point(f"{image}-v2", f"{image}-v2", None)
            self.output(f"snap-ls-{image}-v2-json", ["snap", "ls", "--format", "json", f"{p}/{image}-v2"])
        self.point("prot-v2@p", "prot-v2", "p")
        self.point("life-copy-v2@b", "life-copy-v2", "b")
        self.output("ls-after-lifecycle-json", ["ls", "--format", "json", p])
        self.output("info-life-copy-after-lifecycle-json", ["info", "--format", "json", f"{p}/life-copy"])
        self.output("snap-ls-life-copy-after-lifecycle-json", ["snap", "ls", "--format", "json", f"{p}/life-copy"])

    def write_files(self) -> None:
        version = subprocess.run(["rbd", "--version"], capture_output=True, check=True).stdout.decode().strip()
        manifest = {
            "recordedWith": version,
            "recordedAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "generator": "packages/fake-rbd/scripts/record-real-rbd.sh",
            "pool": POOL,
            "pattern": "cinderlab-sha256: 32-byte blocks sha256('<seed>:<block index>'); seed null = zeros",
            "rbdPrefix": ["rbd", "-c", "{conf}"],
            "steps": self.steps,
            "points": self.points,
            "streams": self.streams,
            # `rbd export --export-format 2` files (not replayed by the tests yet)
            "exports": self.exports,
        }
        for name, data in (("manifest.json", manifest), ("outputs.json", self.outputs), ("errors.json", self.errors)):
            with open(os.path.join(self.out, name), "w") as f:
                json.dump(data, f, indent=2)
                f.write("\n")

    def close(self) -> None:
        self.ioctx.close()
        self.cluster.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conf", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    rec = Recorder(args.conf, os.path.abspath(args.out), os.path.abspath(args.work))
    try:
        rec.scenario()
        rec.record_outputs()
        rec.record_errors()
        rec.record_lifecycle()
        rec.write_files()
    finally:
        rec.close()


if __name__ == "__main__":
    main()
