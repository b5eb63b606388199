// MAC addresses as both sides accept them: six colon-separated octets, either case.

/** The lower-case form of a MAC address, or undefined when `s` is not one (aa:bb:cc:dd:ee:ff). */
export function normalizeMac(s: string): string | undefined {
  const m = s.trim().toLowerCase();
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(m) ? m : undefined;
}

/** A NIC needs a unicast address: the group bit (lowest bit of the first octet) clear. */
export const isUnicastMac = (mac: string) => (parseInt(mac.slice(0, 2), 16) & 1) === 0;
