"""Writes the 200-image class-folder set of benchmarks/e2e_vgg16_freeze13.sh.

    python e2e_data.py OUT [--count 200] [--stamps data/fetched/stamps]

With the demo photos (data/fetch-images.sh) present: every photo, then mirrored copies
until --count (a mirror is another file, so the feature cache computes it too). Without
them: --count seeded noisy colour images, 4 classes, 256x256. PNG, 8-bit RGB.
"""
import argparse
import os
import random

from PIL import Image, ImageOps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--stamps", default="")
    a = ap.parse_args()
    photos = []
    if a.stamps and os.path.isdir(a.stamps):
        for c in sorted(os.listdir(a.stamps)):
            d = os.path.join(a.stamps, c)
            if os.path.isdir(d):
                photos += [(c, os.path.join(d, f)) for f in sorted(os.listdir(d))
                           if f.lower().endswith((".png", ".jpg", ".jpeg"))]
    written = 0
    if photos:
        source = "demo photos"
        for i in range(a.count):
            c, path = photos[i % len(photos)]
            img = Image.open(path).convert("RGB")
            if (i // len(photos)) % 2 == 1:
                img = ImageOps.mirror(img)
            os.makedirs(os.path.join(a.out, c), exist_ok=True)
            img.save(os.path.join(a.out, c, "%03d.png" % i))
            written += 1
    else:
        source = "generated noise"
        rng = random.Random(1)
        for i in range(a.count):
            c = i % 4
            base = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)][c]
            img = Image.new("RGB", (256, 256))
            img.putdata([tuple(max(0, min(255, b + rng.randint(-40, 40))) for b in base)
                         for _ in range(256 * 256)])
            os.makedirs(os.path.join(a.out, "class%d" % c), exist_ok=True)
            img.save(os.path.join(a.out, "class%d" % c, "%03d.png" % i))
            written += 1
    print("%d images (%s) in %s" % (written, source, a.out))


if __name__ == "__main__":
    main()
