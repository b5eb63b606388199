// Independent steps run at once, and every one of them is finished before a failure is reported, so
// a caller's cleanup or lock never overlaps a step still running.

/**
 * Awaits all of `steps`; throws the first failure (in the steps' order) once all are done, else
 * their results in that order.
 */
export async function allSettledOrThrow<T>(steps: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const r = await Promise.allSettled(steps);
  const failed = r.find((x): x is PromiseRejectedResult => x.status === "rejected");
  if (failed) throw failed.reason;
  return r.map((x) => (x as PromiseFulfilledResult<T>).value);
}
