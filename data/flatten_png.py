"""Composite a PNG stamp over white and write it as 8-bit RGB (Python stdlib only).

Tux Paint stamps are cut-out photos with an alpha channel, and the colour under fully
transparent pixels is arbitrary (white, black or left-over photo). A classifier fed the RGB
alone would see those leftovers, so the image fetch script flattens each stamp onto white,
as a photo of the object on a plain background. Handles 8-bit RGB/RGBA/grey(+alpha) and
palette images (any bit depth, tRNS honoured), non-interlaced; anything else is reported
and skipped by the caller.

usage: flatten_png.py SRC DEST
"""
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Unsupported(Exception):
    pass


def read_chunks(data):
    if data[:8] != SIGNATURE:
        raise Unsupported("not a PNG")
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        yield kind, data[pos + 8:pos + 8 + length]
        pos += 12 + length


def unfilter(raw, height, stride, bpp):
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        elif ftype != 0:
            raise Unsupported(f"bad filter type {ftype}")
        rows.append(line)
        prev = line
    return rows


def flatten(data):
    ihdr, idat, palette, trns = None, bytearray(), None, b""
    for kind, body in read_chunks(data):
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            trns = body
    if ihdr is None:
        raise Unsupported("no IHDR")
    width, height, depth, ctype, _, _, interlace = ihdr
    if interlace:
        raise Unsupported("interlaced")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ctype)
    if channels is None or (ctype != 3 and depth != 8):
        raise Unsupported(f"colour type {ctype} depth {depth}")
    bits = channels * depth
    stride, bpp = (width * bits + 7) // 8, max(1, bits // 8)
    rows = unfilter(zlib.decompress(bytes(idat)), height, stride, bpp)
    out = bytearray()
    for line in rows:
        out.append(0)
        for x in range(width):
            if ctype == 3:
                per = 8 // depth
                byte = line[x // per]
                idx = (byte >> (8 - depth * (x % per + 1))) & ((1 << depth) - 1)
                r, g, b = palette[3 * idx:3 * idx + 3]
                a = trns[idx] if idx < len(trns) else 255
            else:
                px = line[x * channels:(x + 1) * channels]
                if ctype in (0, 4):
                    r = g = b = px[0]
                else:
                    r, g, b = px[0], px[1], px[2]
                a = px[-1] if ctype in (4, 6) else 255
            # Straight alpha over white: c*a + 255*(1-a), rounded.
            out += bytes((c * a + 255 * (255 - a) + 127) // 255 for c in (r, g, b))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    return (SIGNATURE
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(out), 9)) + chunk(b"IEND", b""))


def main():
    src, dest = sys.argv[1:3]
    with open(src, "rb") as f:
        data = f.read()
    try:
        flat = flatten(data)
    except (Unsupported, zlib.error, struct.error, IndexError) as err:
        print(f"skip {src}: {err}", file=sys.stderr)
        return 3
    with open(dest + ".part", "wb") as f:
        f.write(flat)
    import os
    os.replace(dest + ".part", dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
