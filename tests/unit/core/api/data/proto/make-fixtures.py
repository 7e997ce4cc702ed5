#!/usr/bin/env python3
"""Make the protobuf request bodies the decoder tests read.

Each NAME.txtpb is an object in protobuf text format, written the way
kubectl 1.32's gogo-generated Marshal encodes it: every non-pointer field,
zero or not, and pointer fields only when set. Its header names the message
and the typeMeta:
    # message: k8s.io.api.core.v1.ConfigMap
    # apiVersion: v1
    # kind: ConfigMap
protoc --encode turns it into the object's bytes; this script wraps them as
kubectl does: "k8s\\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw,
contentEncoding "", contentType ""}, and writes NAME.pb. NAME.json beside it
is the JSON kubectl would send for the same object (written by hand).

    python3 make-fixtures.py [PROTO_DIR]   (default: ../../../../../../../shared/proto)
"""
import glob, os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
proto_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, *[".."] * 7, "shared", "proto")


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


for path in sorted(glob.glob(os.path.join(here, "*.txtpb"))):
    text = open(path).read()
    hdr = dict(re.findall(r"^# (\w+): (\S+)$", text, re.M))
    msg = hdr["message"]
    pkg = msg.rsplit(".", 1)[0]
    proto = "k8s.io/" + pkg[len("k8s.io."):].replace(".", "/") + "/generated.proto"
    res = subprocess.run(["protoc", "-I", proto_dir, "--encode=" + msg, proto],
                         input=text.encode(), capture_output=True)
    if res.returncode:
        sys.exit(os.path.basename(path) + ": " + res.stderr.decode())
    raw = res.stdout
    type_meta = field(1, hdr["apiVersion"].encode()) + field(2, hdr["kind"].encode())
    unknown = field(1, type_meta) + field(2, raw) + field(3, b"") + field(4, b"")
    with open(path[:-len(".txtpb")] + ".pb", "wb") as f:
        f.write(b"k8s\0" + unknown)
