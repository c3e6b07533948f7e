#!/usr/bin/env bash
# Starts (or stops) a one-node Slurm on this machine for tests and CI: munged, slurmctld and slurmd in the
# background, no systemd, no cgroups, no accounting. Needs root and Debian's slurm-wlm and munge.
#   .ci/slurm.sh start   # writes /etc/slurm/slurm.conf, starts the daemons, waits until the node is idle
#   .ci/slurm.sh stop    # stops them
#   .ci/slurm.sh status  # exit 0 when the node answers and is idle or busy
set -euo pipefail
state=/var/lib/hwgen-slurm
conf=/etc/slurm/slurm.conf

need() {
    for tool in munged slurmctld slurmd sbatch sinfo scontrol; do
        command -v "$tool" >/dev/null 2>&1 || { echo "slurm.sh: $tool is missing: apt-get install slurm-wlm munge" >&2; exit 3; }
    done
    [ "$(id -u)" = 0 ] || { echo "slurm.sh: run as root (it starts daemons and writes $conf)" >&2; exit 3; }
}

write_conf() {
    local node cpus mem
    node=$(hostname -s)
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    mkdir -p "$state/ctld" "$state/d" /etc/slurm
    cat >"$conf" <<CONF
# Written by .ci/slurm.sh: a one-node cluster for HwGen's tests and CI.
ClusterName=hwgen
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=hwgen Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
}

start() {
    need
    if status >/dev/null 2>&1; then echo "slurm.sh: already running"; return 0; fi
    write_conf
    [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
    # Foreground in a background session: daemonizing opens /dev/null read-write, which some sandboxes deny.
    pgrep -x munged >/dev/null || setsid runuser -u munge -- munged -F >>"$state/munged.log" 2>&1 < /dev/zero &
    for _ in $(seq 20); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.25; done
    pgrep -x slurmctld >/dev/null || slurmctld -c
    pgrep -x slurmd >/dev/null || slurmd -c
    for _ in $(seq 60); do
        if status >/dev/null 2>&1; then echo "slurm.sh: one-node Slurm up ($(hostname -s), $(nproc) CPUs)"; return 0; fi
        sleep 1
    done
    echo "slurm.sh: the node did not come up; logs: $state/slurmctld.log $state/slurmd.log" >&2
    tail -5 "$state/slurmctld.log" "$state/slurmd.log" >&2 || true
    exit 1
}

stop() {
    pkill -x slurmd 2>/dev/null || true
    pkill -x slurmctld 2>/dev/null || true
    for _ in $(seq 20); do { pgrep -x slurmd || pgrep -x slurmctld; } >/dev/null || break; sleep 0.5; done
    echo "slurm.sh: stopped"
}

status() {
    local s
    s=$(sinfo -h -o %T 2>/dev/null | head -1)
    case "$s" in idle*|mixed*|allocated*|completing*) echo "$s"; return 0 ;; *) echo "${s:-down}"; return 1 ;; esac
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: .ci/slurm.sh start|stop|status" >&2; exit 2 ;;
esac
