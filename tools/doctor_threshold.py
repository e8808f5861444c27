"""How similar are copies, and how similar are distinct photos? The measurement behind
`ftune doctor`'s near-duplicate threshold (docs/doctor.md). Needs Pillow (tools/fixtures/venv.sh).

  doctor_threshold.py make SRC DEST      # DEST/<class>/: every photo of SRC plus 4 copies:
                                         # JPEG quality 75 and 90, resized to 90 % and 80 %
  ftune doctor ... --data DEST --near 0.3 --no-curve --out OUT
  doctor_threshold.py report DEST OUT    # similarity of each copy kind to its original, and
                                         # of each photo to its most similar other photo
"""
import csv
import os
import sys

from PIL import Image

KINDS = {"jpeg75": ("JPEG", 75, 1.0), "jpeg90": ("JPEG", 90, 1.0),
         "resize90": ("PNG", None, 0.9), "resize80": ("PNG", None, 0.8)}


def make(src, dest):
    for c in sorted(os.listdir(src)):
        if not os.path.isdir(os.path.join(src, c)):
            continue
        os.makedirs(os.path.join(dest, c), exist_ok=True)
        for f in sorted(os.listdir(os.path.join(src, c))):
            image = Image.open(os.path.join(src, c, f)).convert("RGB")
            image.save(os.path.join(dest, c, f))
            for kind, (fmt, quality, scale) in KINDS.items():
                size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
                copy = image.resize(size, Image.BILINEAR) if scale != 1 else image
                name = f"{f[:-4]}.{kind}.{'jpg' if fmt == 'JPEG' else 'png'}"
                copy.save(os.path.join(dest, c, name), fmt, **({"quality": quality} if quality else {}))


def report(dest, out):
    def original(path):
        base = os.path.basename(path)
        parts = base.split(".")
        return (os.path.join(os.path.dirname(path), parts[0] + ".png"),
                parts[1] if len(parts) == 3 else None)
    copy_sim = {k: [] for k in KINDS}
    nearest = {}
    with open(os.path.join(out, "duplicates.csv")) as f:
        for row in csv.DictReader(f):
            a, b, s = row["path_a"], row["path_b"], float(row["similarity"])
            (oa, ka), (ob, kb) = original(a), original(b)
            if oa == ob and (ka is None) != (kb is None):
                copy_sim[ka or kb].append(s)
            elif ka is None and kb is None and oa != ob:
                nearest[a] = max(nearest.get(a, 0), s)
                nearest[b] = max(nearest.get(b, 0), s)
    for k, v in copy_sim.items():
        v.sort()
        print(f"{k}: {len(v)} copies, similarity to the original min {v[0]:.4f},"
              f" 1st percentile {v[len(v) // 100]:.4f}, median {v[len(v) // 2]:.4f}")
    v = sorted(nearest.values())
    above = lambda t: sum(x >= t for x in v)
    print(f"distinct photos: {len(v)} with a neighbour >= 0.3; most similar other photo: median"
          f" {v[len(v) // 2]:.4f}, 99th percentile {v[min(len(v) - 1, len(v) * 99 // 100)]:.4f},"
          f" max {v[-1]:.4f}; photos with a distinct neighbour >= 0.90: {above(0.9)},"
          f" >= 0.95: {above(0.95)}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("make", "report"):
        (make if sys.argv[1] == "make" else report)(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
