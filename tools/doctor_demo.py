"""`make doctor-demo`: plant known problems in a scratch copy of the demo photos, then score
what `ftune doctor` found (Python standard library only; the PNG reader is data/flatten_png.py).

  doctor_demo.py plant SRC DEST   # DEST/train/<class>, DEST/val/<class> (every 5th photo),
                                  # 4 labels swapped in train/, 4 train photos copied into val/
                                  # (exact, re-saved, resized 90 %, resized 95 % + re-saved);
                                  # the answers go to DEST/planted.json
  doctor_demo.py check DEST OUT   # recall and precision of OUT's label_issues.csv and
                                  # duplicates.csv against DEST/planted.json
"""
import csv
import json
import os
import shutil
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "data"))
from flatten_png import SIGNATURE, read_chunks, unfilter  # noqa: E402

CLASSES = ["birds", "flowers", "fruit", "vegetables"]
# (photo's class, class folder it is swapped into)
SWAPS = [("birds", "fruit"), ("fruit", "vegetables"), ("flowers", "birds"), ("vegetables", "birds")]


def decode(path):
    """8-bit RGB (colour type 2) PNG, as data/fetch-images.sh writes: width, height, rows."""
    ihdr, idat = None, bytearray()
    with open(path, "rb") as f:
        data = f.read()
    for kind, body in read_chunks(data):
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    width, height, depth, ctype = ihdr[:4]
    assert depth == 8 and ctype == 2, f"{path}: not 8-bit RGB"
    return width, height, unfilter(zlib.decompress(bytes(idat)), height, 3 * width, 3)


def encode(width, height, rows, level):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b""))


def resized(width, height, rows, scale):
    """Bilinear resize (pixel centres aligned), as a camera app's "smaller copy" would."""
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    out = []
    for y in range(h):
        sy = min(max((y + 0.5) * height / h - 0.5, 0), height - 1)
        y0, fy = int(sy), sy - int(sy)
        y1 = min(y0 + 1, height - 1)
        line = bytearray()
        for x in range(w):
            sx = min(max((x + 0.5) * width / w - 0.5, 0), width - 1)
            x0, fx = int(sx), sx - int(sx)
            x1 = min(x0 + 1, width - 1)
            for c in range(3):
                top = rows[y0][3 * x0 + c] * (1 - fx) + rows[y0][3 * x1 + c] * fx
                bottom = rows[y1][3 * x0 + c] * (1 - fx) + rows[y1][3 * x1 + c] * fx
                line.append(int(top * (1 - fy) + bottom * fy + 0.5))
        out.append(line)
    return w, h, out


def plant(src, dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    files = {c: sorted(f for f in os.listdir(os.path.join(src, c)) if f.endswith(".png"))
             for c in CLASSES}
    train = {c: [f for i, f in enumerate(files[c]) if i % 5 != 4] for c in CLASSES}
    for c in CLASSES:
        for split in ("train", "val"):
            os.makedirs(os.path.join(dest, split, c))
        for i, f in enumerate(files[c]):
            split = "val" if i % 5 == 4 else "train"
            shutil.copyfile(os.path.join(src, c, f), os.path.join(dest, split, c, f))
    swaps = []
    for k, (real, into) in enumerate(SWAPS):
        name = train[real][k]
        moved = os.path.join(dest, "train", into, name)
        os.replace(os.path.join(dest, "train", real, name), moved)
        swaps.append({"path": os.path.abspath(moved), "true": real, "given": into})
    copies = []
    for k, (c, how) in enumerate(zip(CLASSES, ["exact", "re-saved", "resized 90%", "resized 95% + re-saved"])):
        name = train[c][len(SWAPS) + k]
        original = os.path.join(dest, "train", c, name)
        copy = os.path.join(dest, "val", c, name[:-4] + "_copy.png")
        if how == "exact":
            shutil.copyfile(original, copy)
        else:
            w, h, rows = decode(original)
            if how.startswith("resized"):
                w, h, rows = resized(w, h, rows, 0.9 if "90" in how else 0.95)
            with open(copy, "wb") as f:
                f.write(encode(w, h, rows, 1))
        copies.append({"original": os.path.abspath(original), "copy": os.path.abspath(copy), "how": how})
    with open(os.path.join(dest, "planted.json"), "w") as f:
        json.dump({"swaps": swaps, "copies": copies}, f, indent=1)
    n = sum(len(files[c]) for c in CLASSES) + len(copies)
    print(f"planted in {dest}: {n} photos in train/ and val/, {len(swaps)} labels swapped,"
          f" {len(copies)} train photos copied into val/ (answers in planted.json)")


def check(dest, out):
    with open(os.path.join(dest, "planted.json")) as f:
        planted = json.load(f)
    with open(os.path.join(out, "label_issues.csv")) as f:
        issues = {os.path.abspath(r["path"]): r for r in csv.DictReader(f)}
    with open(os.path.join(out, "duplicates.csv")) as f:
        pairs = list(csv.DictReader(f))
    swapped = {s["path"]: s for s in planted["swaps"]}
    found = [p for p in swapped if p in issues]
    print(f"label swaps: {len(found)} of {len(swapped)} named (recall {len(found) / len(swapped):.2f}),"
          f" {len(issues)} images flagged (precision {len(found) / max(1, len(issues)):.2f})")
    for p, s in swapped.items():
        got = issues.get(p)
        print(f"  {'found ' if got else 'MISSED'} {os.path.relpath(p, dest)}: a {s['true']} photo in"
              f" {s['given']}" + (f", suggested {got['suggested']} (score {float(got['score']):.2f})" if got else ""))
    leaks = [p for p in pairs if p["across_split"] == "true"]
    keys = {frozenset((os.path.abspath(p["path_a"]), os.path.abspath(p["path_b"]))): p for p in leaks}
    hits = [c for c in planted["copies"] if frozenset((c["original"], c["copy"])) in keys]
    print(f"copies into val/: {len(hits)} of {len(planted['copies'])} named across the split,"
          f" {len(leaks)} across-split pairs listed, {len(pairs)} duplicate pairs in all")
    for c in planted["copies"]:
        p = keys.get(frozenset((c["original"], c["copy"])))
        print(f"  {'found ' if p else 'MISSED'} {os.path.relpath(c['copy'], dest)} ({c['how']})"
              + (f": {p['kind']} {float(p['similarity']):.3f}" if p else ""))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "plant":
        plant(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
