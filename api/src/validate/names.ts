// Names both sides check the same way: resource ids, Linux interface names, host names.

/** Ids are chosen by the caller; 8 characters keep `qvm<id>h` within IFNAMSIZ-1 (15). */
export const ID_PATTERN = /^[a-z0-9]{1,8}$/;

/** Linux's IFNAMSIZ less the terminating NUL. */
export const IFNAME_MAX = 15;

const IFNAME = /^[a-zA-Z0-9_.-]+$/;

/** A Linux interface name we are willing to pass to `ip`: no '/', spaces or ':', at most 15. */
export const isIfName = (s: string) => IFNAME.test(s) && s.length <= IFNAME_MAX;

/** One DNS label used as a host name: letters, digits and '-', 1-63 characters, no '-' at an end. */
export const HOSTNAME_PATTERN = /^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

export const isHostName = (s: string) => HOSTNAME_PATTERN.test(s);
