#!/usr/bin/env bash
# A large recording downloaded from nginx over TLS on loopback, by the `curl`
# command line and by `bwconf download`, side by side (issue 13: at least as
# fast as curl, at most half its CPU time, peak RSS under 32 MiB).
#
#   bench/download.sh [BUILD_DIR] [SIZE_MIB] [REPEAT]     (defaults: build/bench 1024 5)
#
# BEFORE_BUILD_DIR=<another build> adds its bwconf as a third client, taking
# turns with the other two, for a before/after comparison in one run.
#
# nginx (one worker, on CPU 0) serves a sparse file of SIZE_MIB as the media
# of recording r-1 of conference c-1, behind Basic auth, TLS 1.3 with
# TLS_AES_128_GCM_SHA256 (as ../shared/bench-peers does). Each client runs on
# CPU 1 and writes the bytes to /dev/null: curl -o /dev/null (no ~/.curlrc,
# no proxy), bwconf download --output - > /dev/null (no BW_* from the
# caller's environment), taking turns (who goes first rotates). Prints the
# median of REPEAT runs of each: wall time, CPU time (user + sys) and peak
# RSS, from /usr/bin/time.
set -euo pipefail
build=$(realpath "${1:-build/bench}") size_mib=${2:-1024} repeat=${3:-5}
before_build=
[ -z "${BEFORE_BUILD_DIR:-}" ] || before_build=$(realpath -m "$BEFORE_BUILD_DIR")  # before the cd, like BUILD_DIR
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bwconf=$build/src/cli/bwconf
for tool in nginx curl openssl /usr/bin/time taskset; do
  command -v "$tool" >/dev/null || { echo "download.sh: $tool is not installed" >&2; exit 1; }
done
[ -x "$bwconf" ] || { echo "download.sh: build bwconf in $build first" >&2; exit 1; }
clients=(curl bwconf) before_bwconf=
if [ -n "$before_build" ]; then
  before_bwconf=$before_build/src/cli/bwconf
  [ -x "$before_bwconf" ] || { echo "download.sh: no bwconf in $BEFORE_BUILD_DIR" >&2; exit 1; }
  clients+=(bwconf-before)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bwvoice-dl.XXXXXX")
nginx_pid=
trap '[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
chmod 755 "$work"
scripts/gen-certs.sh "$work" >/dev/null
mkdir -p "$work/www" "$work/logs"
truncate -s "${size_mib}M" "$work/www/media.bin"
password=$(openssl rand -hex 12)
printf 'bench:%s\n' "$(printf '%s' "$password" | openssl passwd -apr1 -stdin)" > "$work/htpasswd"
chmod 644 "$work/htpasswd" "$work/www/media.bin"  # nginx's worker is not root
printf 'user = "bench:%s"\n' "$password" > "$work/curl.cfg"  # not on curl's command line
port=$((20000 + RANDOM % 12000))  # below the ephemeral range
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/server.crt;
        ssl_certificate_key $work/server.key;
        ssl_protocols TLSv1.3;
        ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
        auth_basic "bwvoice-download";
        auth_basic_user_file $work/htpasswd;
        location = /api/v2/accounts/9900000/conferences/c-1/recordings/r-1/media {
            default_type audio/vnd.wave;
            alias $work/www/media.bin;
        }
    }
}
CONF
taskset -c 0 nginx -p "$work" -c "$work/nginx.conf" -e "$work/logs/error.log" &
nginx_pid=$!
url=https://127.0.0.1:$port/api/v2/accounts/9900000/conferences/c-1/recordings/r-1/media
curl_args=(-q --noproxy '*' -sS --fail --cacert "$work/ca.crt" -K "$work/curl.cfg")
for try in $(seq 100); do
  kill -0 "$nginx_pid" 2>/dev/null || { echo "download.sh: nginx did not start:" >&2; cat "$work/logs/error.log" >&2; exit 1; }
  curl "${curl_args[@]}" -o /dev/null -r 0-0 "$url" 2>/dev/null && break
  [ "$try" = 100 ] && { echo "download.sh: nginx does not answer on port $port" >&2; exit 1; }
  sleep 0.05
done

# median of a column of numbers
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() {  # NAME COMMAND...: one run, a "wall cpu rss_kib" line appended to $work/NAME
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" taskset -c 1 "$@" > /dev/null 2> "$work/err" ||
    { echo "download.sh: $name failed:" >&2; cat "$work/err" >&2; exit 1; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time" >> "$work/$name"
}

download() {  # NAME BWCONF
  measure "$1" env -u BW_CLIENT_ID -u BW_CLIENT_SECRET -u BW_TOKEN_URL -u BW_VOICE_BASE_URL -u BW_ACCOUNT_ID \
    -u BW_USERNAME BW_PASSWORD="$password" "$2" download c-1 r-1 --output - \
    --base-url "https://127.0.0.1:$port/api/v2" --account 9900000 --user bench --ca-file "$work/ca.crt" \
    --timeout-ms 600000 --no-progress
}

for name in "${clients[@]}"; do : > "$work/$name"; done
run_client() {  # NAME
  case $1 in
    curl) measure curl curl "${curl_args[@]}" -o /dev/null "$url" ;;
    bwconf) download bwconf "$bwconf" ;;
    bwconf-before) download bwconf-before "$before_bwconf" ;;
  esac
}

for turn in $(seq "$repeat"); do  # taking turns, so drift falls on all; who goes first rotates
  for i in "${!clients[@]}"; do
    run_client "${clients[$(((i + turn) % ${#clients[@]}))]}"
  done
done

echo "### ${size_mib} MiB recording from nginx over TLS on loopback, median of $repeat"
echo
echo "| client | wall s | CPU s (user + sys) | MiB/s | peak RSS MiB |"
echo "|---|--:|--:|--:|--:|"
for name in "${clients[@]}"; do
  wall=$(cut -d' ' -f1 "$work/$name" | median)
  cpu=$(cut -d' ' -f2 "$work/$name" | median)
  rss=$(cut -d' ' -f3 "$work/$name" | median)
  awk -v n="$name" -v w="$wall" -v c="$cpu" -v r="$rss" -v s="$size_mib" \
    'BEGIN { printf "| %s | %.2f | %.2f | %s | %.1f |\n", n, w, c, (w > 0 ? sprintf("%.0f", s / w) : "-"), r / 1024 }'
done
