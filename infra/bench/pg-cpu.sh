#!/usr/bin/env bash
# Prints the CPU seconds (user+sys) the PostgreSQL cluster on $PORTAL_PG_PORT has used so far: the postmaster, its live
# children and the children it reaped (backends that exited). Take it before and after a run and subtract.
port="${PORTAL_PG_PORT:-54329}"
# Only processes named postgres: awk's own command line holds the pattern too.
pm=$(ps -eo pid,comm,args | awk -v p="-p $port " '$2 == "postgres" && index($0, "bin/postgres -D") && index($0 " ", p) {print $1; exit}')
[ -z "$pm" ] && { echo 0; exit; }
ticks=$( { cat /proc/$pm/stat; for c in $(ps -o pid= --ppid "$pm"); do cat /proc/$c/stat 2>/dev/null; done; } |
  awk -v pm="$pm" '{ t += $14 + $15; if ($1 == pm) t += $16 + $17 } END { print t + 0 }')
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f\n", t / hz }'
