#!/usr/bin/env bash
# Builds a small class-folder dataset of real photos from the Debian package
# tuxpaint-stamps-default (cut-out photos of animals, food, plants):
#   data/fetched/stamps/<class>/*.png   classes: birds, fruit, flowers, vegetables
# Each stamp is composited over white and saved as 8-bit RGB (data/flatten_png.py).
# Safe to rerun: the .deb is kept and the dataset is rebuilt only when missing.
# Needs: apt-get, dpkg-deb, python3 (stdlib only). Exits non-zero on failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$root/fetched/stamps"
work="$root/fetched/.stamps-deb"
py="${FTUNE_PY:-python3}"
package="tuxpaint-stamps-default"

fail() { echo "fetch-images: $*" >&2; exit 1; }
for tool in apt-get dpkg-deb "$py"; do
  command -v "$tool" >/dev/null || fail "'$tool' not found (Debian with python3 needed)"
done

# class name -> folder inside /usr/share/tuxpaint/stamps (photo stamps only, no cartoons).
classes=(birds:animals/birds fruit:food/fruit flowers:plants/flowers
  vegetables:food/vegetables)

if [[ -f "$dest/.complete" ]]; then
  echo "ok      $dest (already built; delete it to rebuild)"
else
  mkdir -p "$work"
  deb="$(ls "$work"/${package}_*.deb 2>/dev/null | head -n 1 || true)"
  if [[ -z "$deb" ]]; then
    echo "fetch   $package (about 160 MB) with apt-get download ..."
    # apt-get download writes to the current directory.
    if ! (cd "$work" && apt-get download "$package" 2>/dev/null); then
      echo "        package lists look stale; running apt-get update first"
      apt-get update -qq || fail "apt-get update failed (run as root? network?)"
      (cd "$work" && apt-get download "$package") || fail "apt-get download $package failed"
    fi
    deb="$(ls "$work"/${package}_*.deb | head -n 1)"
  fi
  echo "unpack  $(basename "$deb")"
  rm -rf "$work/root" && dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x $deb failed"
  stamps="$work/root/usr/share/tuxpaint/stamps"
  [[ -d "$stamps" ]] || fail "$deb has no usr/share/tuxpaint/stamps; package layout changed"

  rm -rf "$dest.part" && mkdir -p "$dest.part"
  for entry in "${classes[@]}"; do
    name="${entry%%:*}" src="$stamps/${entry#*:}"
    [[ -d "$src" ]] || fail "$src missing in $package; pick another folder"
    mkdir -p "$dest.part/$name"
    # -maxdepth 1: sub-folders hold cartoons and toys, which are not photos.
    while IFS= read -r -d '' png; do
      "$py" "$root/flatten_png.py" "$png" "$dest.part/$name/$(basename "$png")" || true
    done < <(find "$src" -maxdepth 1 -name '*.png' -print0 | sort -z)
  done
  cp "$stamps/../../doc/$package/copyright" "$dest.part/COPYRIGHT" 2>/dev/null \
    || cp "$work/root/usr/share/doc/$package/copyright" "$dest.part/COPYRIGHT"
  touch "$dest.part/.complete"
  rm -rf "$dest" && mv "$dest.part" "$dest"
  rm -rf "$work"  # the .deb is not needed once the dataset is complete
fi

echo "per-class counts in $dest:"
for entry in "${classes[@]}"; do
  name="${entry%%:*}"
  count="$(find "$dest/$name" -name '*.png' | wc -l)"
  printf '  %-12s %4d\n' "$name" "$count"
  [[ "$count" -gt 0 ]] || fail "class $name is empty"
done
