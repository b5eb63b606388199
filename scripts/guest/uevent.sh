#!/bin/sh
# Kernel uevent hook of the qvm test guest (busybox `uevent`, started by /init): one run per event,
# the event in the environment. What a guest needs to be cloned from an InstanceTemplate:
# a NIC hot-plugged after the restore gets its own DHCP lease, a NIC unplugged before the save
# lets go of its lease client; a new VM generation id (each clone) is logged.
# shellcheck disable=SC2154 # ACTION, SUBSYSTEM, INTERFACE, NEW_VMGENID come from the kernel
mark() { echo "QVM-GUEST: $*" >/dev/console; echo "$*" >>/run/qvm/markers; }
[ -n "$NEW_VMGENID" ] && mark "vmgenid changed"
case "$ACTION/$SUBSYSTEM" in
  add/net)
    [ "$INTERFACE" = lo ] && exit 0
    # Interfaces present at boot are /init's; only hot-plugged ones (after boot) are ours.
    [ -f /run/qvm/booted ] || exit 0
    mark "nic added $INTERFACE"
    ip link set "$INTERFACE" up
    udhcpc -i "$INTERFACE" -s /usr/share/qvm/udhcpc.script -t 15 -T 1 -A 2 -b \
      -p "/run/udhcpc.$INTERFACE.pid" >>/var/log/udhcpc.log 2>&1
    ;;
  remove/net)
    [ -f "/run/udhcpc.$INTERFACE.pid" ] && kill "$(cat "/run/udhcpc.$INTERFACE.pid")" 2>/dev/null
    rm -f "/run/udhcpc.$INTERFACE.pid" "/run/qvm/dhcp.$INTERFACE"
    mark "nic removed $INTERFACE"
    ;;
esac
exit 0
