#!/usr/bin/env bash
# Prints the machine's tuning as it is (never changes it): what a benchmark CI job must record rather than
# assume. ctxbench's JSON `machine` block holds the same facts; this is the human-readable log line.
set -u
show() {  # label, file
  local v="-"
  [[ -r "$2" ]] && v=$(tr '\n' ' ' <"$2" | sed 's/ *$//')
  printf '%-22s %s\n' "$1" "$v"
}
show "kernel" /proc/sys/kernel/osrelease
show "cmdline" /proc/cmdline
show "governor (cpu0)" /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
show "scaling driver" /sys/devices/system/cpu/cpu0/cpufreq/scaling_driver
show "boost" /sys/devices/system/cpu/cpufreq/boost
show "intel no_turbo" /sys/devices/system/cpu/intel_pstate/no_turbo
show "smt" /sys/devices/system/cpu/smt/control
show "isolated cpus" /sys/devices/system/cpu/isolated
show "nohz_full" /sys/devices/system/cpu/nohz_full
show "clocksource" /sys/devices/system/clocksource/clocksource0/current_clocksource
show "cpuidle driver" /sys/devices/system/cpu/cpuidle/current_driver
show "thp" /sys/kernel/mm/transparent_hugepage/enabled
show "loadavg" /proc/loadavg
printf '%-22s %s\n' "hypervisor" "$(grep -qw hypervisor /proc/cpuinfo && echo yes || echo no)"
printf '%-22s %s\n' "online cpus" "$(nproc --all) (allowed: $(nproc))"
