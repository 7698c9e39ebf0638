#!/usr/bin/env bash
# Linker launcher of the static release binary (KETCD_STATIC). glibc marks its
# name-service and dlopen entry points so that a static link prints "Using 'NAME' in
# statically linked applications requires at runtime the shared libraries from the glibc
# version used for linking". For the names below that does not hold for this binary:
#   getaddrinfo, gethostbyname, getservbyname, getservbyport_r, getpwuid_r: glibc 2.34+
#     carries its "files" and "dns" sources inside libc.a, so host names, /etc/hosts,
#     /etc/services and /etc/passwd are read without any shared library (the release
#     tests resolve names in a root with no libc at all); other NSS sources (LDAP, mDNS,
#     systemd's resolve/myhostname) are not consulted.
#   dlopen: reached only through OpenSSL's loadable engines and providers, which the
#     binary never configures.
# Those notes are dropped; every other line of the linker's output is passed through,
# and the link's exit status is kept.
set -uo pipefail
log=$(mktemp)
"$@" >"$log" 2>&1
status=$?
names='getaddrinfo|gethostbyname|getservbyname|getservbyport_r|getpwuid_r|dlopen'
awk -v names="^($names)\$" '
  function known(line,   name) {
    if (line !~ /warning: Using .* in statically linked applications requires at runtime the shared libraries from the glibc version used for linking/) return 0
    name = line
    sub(/.*warning: Using \047/, "", name)
    sub(/\047.*/, "", name)
    return name ~ names
  }
  { lines[NR] = $0 }
  END {
    for (i = 1; i <= NR; i++) {
      if (known(lines[i])) continue
      # The "in function" line that introduces a dropped note goes with it.
      if (lines[i] ~ /: in function .*:$/ && i < NR && known(lines[i + 1])) continue
      print lines[i]
    }
  }' "$log" >&2
rm -f "$log"
exit $status
