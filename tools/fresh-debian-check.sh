#!/usr/bin/env bash
# Runs the README's two commands from a fresh clone inside a minimal Debian bookworm chroot
# that has none of ftune's system packages (only what the machine image brings: the Swift
# toolchain, bound in read-only, its runtime libraries, git, make, python3 and the image's CA
# bundle and pip.conf). Needs root and debootstrap; the chroot is made once.
#   tools/fresh-debian-check.sh [demo|ci|both]      (default both; logs in /tmp)
set -uo pipefail
what="${1:-both}"
C="${FRESH_CHROOT:-/work/chroot}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [[ ! -x $C/bin/bash ]]; then
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
  debootstrap --variant=minbase --include=ca-certificates,git,make,python3,python3-pip,\
python3-venv,binutils,libc6-dev,libcurl4-openssl-dev,libedit2,libgcc-12-dev,libpython3-dev,\
libsqlite3-0,libstdc++-12-dev,libxml2-dev,libz3-dev,zlib1g-dev,tzdata,gnupg2,unzip,curl,\
libncurses6,libcurl4 bookworm "$C" http://deb.debian.org/debian || exit 1
  mkdir -p "$C/opt/swift" "$C/opt/swift-packages"
fi
for f in /etc/gitconfig /etc/resolv.conf /etc/pip.conf /etc/ssl/certs/ca-certificates.crt; do
  [[ -f $f ]] && cp "$f" "$C$f"
done
for d in proc sys dev dev/pts; do mountpoint -q "$C/$d" || mount --bind "/$d" "$C/$d"; done
for d in /opt/swift /opt/swift-packages; do
  [[ -d $d ]] && { mountpoint -q "$C$d" || mount --bind -o ro "$d" "$C$d"; }
done
enter() {
  chroot "$C" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
rm -rf "$C/root/ftune" && git clone -q --no-local "$repo" "$C/root/ftune"
echo "fresh clone at $(git -C "$C/root/ftune" log --oneline -1)"
status=0
if [[ $what == demo || $what == both ]]; then
  enter bash -c 'cd /root/ftune && make demo' >/tmp/fresh-debian-demo.log 2>&1
  rc=$?; echo "make demo: exit $rc (/tmp/fresh-debian-demo.log)"; ((rc)) && status=1
fi
if [[ $what == ci || $what == both ]]; then
  enter bash -c 'cd /root/ftune && CI=true bash .ci/run' >/tmp/fresh-debian-ci.log 2>&1
  rc=$?; echo "bash .ci/run: exit $rc (/tmp/fresh-debian-ci.log)"; ((rc)) && status=1
fi
exit $status
