// Facts about the Instance resource that the provider and the agent both check.

/** NoCloud user-data larger than this is refused: it is read from a small seed disk at boot. */
export const USER_DATA_MAX_BYTES = 1024 * 1024;
