#!/usr/bin/env python3
"""An independent, standard-library-only safetensors reader and writer for interop tests.

Python's `safetensors` package is not installable on the project's machines (not in Debian, and
PyPI is not reachable), so this script re-implements the format as the Rust/Python library
writes and checks it: compact JSON header with `__metadata__` first, tensors sorted by dtype
alignment (descending) then name, header padded with spaces to a multiple of 8, little-endian
data, offsets that tile the data buffer exactly.

  safetensors_interop.py read FILE          -> prints {"metadata", "tensors": {name: {dtype, shape, values}}}
  safetensors_interop.py write FILE SPEC    -> SPEC (JSON file) has the same shape as read's output
"""
import json
import math
import struct
import sys

SIZES = {"F32": 4, "F16": 2, "BF16": 2}
# The Rust library's Dtype order (increasing alignment); files are written in descending order.
ORDER = {"F16": 7, "BF16": 8, "F32": 11}
MAX_HEADER = 100_000_000


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in header")
    return dict(pairs)


def bf16_bits(x):
    (u,) = struct.unpack("<I", struct.pack("<f", x))
    if (u & 0x7F800000) == 0x7F800000 and (u & 0x7FFFFF):
        return (u >> 16) | 0x40
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF


def encode_values(dtype, values):
    if dtype == "F32":
        return struct.pack("<%df" % len(values), *values)
    if dtype == "F16":
        return struct.pack("<%de" % len(values), *values)  # round-half-even, OverflowError past 65504
    return struct.pack("<%dH" % len(values), *[bf16_bits(v) for v in values])


def decode_values(dtype, raw):
    n = len(raw) // SIZES[dtype]
    if dtype == "F32":
        return list(struct.unpack("<%df" % n, raw))
    if dtype == "F16":
        return list(struct.unpack("<%de" % n, raw))
    bits = struct.unpack("<%dH" % n, raw)
    return [struct.unpack("<f", struct.pack("<I", b << 16))[0] for b in bits]


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER or 8 + n > len(data):
        raise ValueError("bad header length %d" % n)
    header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    metadata = header.pop("__metadata__", None) or {}
    buffer = data[8 + n:]
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    start = 0
    tensors = {}
    for name, info in entries:
        begin, end = info["data_offsets"]
        numel = math.prod(info["shape"])
        if begin != start or end - begin != numel * SIZES[info["dtype"]]:
            raise ValueError("bad offsets for %s" % name)
        start = end
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"],
                         "values": decode_values(info["dtype"], buffer[begin:end])}
    if start != len(buffer):
        raise ValueError("data buffer not fully covered")
    return {"metadata": metadata, "tensors": tensors, "header_aligned": n % 8 == 0}


def write(path, spec):
    items = sorted(spec["tensors"].items(),
                   key=lambda kv: (-ORDER[kv[1]["dtype"]], kv[0].encode("utf-8")))
    header = {}
    if spec.get("metadata"):
        header["__metadata__"] = dict(sorted(spec["metadata"].items()))
    chunks = []
    offset = 0
    for name, t in items:
        raw = encode_values(t["dtype"], t["values"])
        header[name] = {"dtype": t["dtype"], "shape": t["shape"], "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def main(argv):
    if argv[1] == "read":
        json.dump(read(argv[2]), sys.stdout)
    elif argv[1] == "write":
        with open(argv[3], encoding="utf-8") as f:
            write(argv[2], json.load(f))
    else:
        raise SystemExit("usage: read FILE | write FILE SPEC")


if __name__ == "__main__":
    main(sys.argv)
