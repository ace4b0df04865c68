#!/usr/bin/env bash
# Usage: scripts/gen-certs.sh DIR
# Writes DIR/ca.crt, DIR/server.crt and DIR/server.key: a throw-away CA and a
# certificate it signed for localhost / 127.0.0.1 (EC P-256, 30 days), for
# running bwvoice-mock by hand or from the CLI tests. Leaves existing files
# alone while they still verify and have more than a day to run. Quiet unless
# something fails.
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"

if [[ -s "$dir/ca.crt" && -s "$dir/server.crt" && -s "$dir/server.key" ]] &&
    openssl x509 -in "$dir/server.crt" -noout -checkend 86400 >/dev/null 2>&1 &&
    openssl verify -CAfile "$dir/ca.crt" "$dir/server.crt" >/dev/null 2>&1; then
    exit 0
fi

work=$(mktemp -d "$dir/.gen-certs.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077

cat >"$work/server.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

# The CA key lives only in the temporary directory: nothing can ever be
# signed by this CA again once the script ends.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/ca.key" -out "$work/ca.crt" -days 30 -sha256 \
    -subj "/O=bwvoice-mock/CN=bwvoice-mock test CA" \
    -addext "basicConstraints = critical, CA:TRUE, pathlen:0" \
    -addext "keyUsage = critical, keyCertSign, cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/server.key" -out "$work/server.csr" \
    -subj "/O=bwvoice-mock/CN=localhost" 2>/dev/null
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 30 -sha256 \
    -extfile "$work/server.ext" -out "$work/server.crt" 2>/dev/null

chmod 644 "$work/ca.crt" "$work/server.crt"
# Renamed into place, so nobody ever reads a half-written file.
mv -f "$work/server.key" "$dir/server.key"
mv -f "$work/server.crt" "$dir/server.crt"
mv -f "$work/ca.crt" "$dir/ca.crt"
