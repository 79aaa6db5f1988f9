/**
 * The error a promise rejects with, for asserting on it; fails the test when the promise
 * resolves instead, or rejects with something that is not an instance of `type`.
 */
export async function rejectionOf<E extends Error = Error>(
  p: Promise<unknown>,
  type: abstract new (...args: never[]) => E = Error as unknown as abstract new (...args: never[]) => E,
): Promise<E> {
  let settled: { error: unknown } | undefined;
  try {
    await p;
  } catch (error) {
    settled = { error };
  }
  if (!settled) throw new Error('expected the promise to reject, but it resolved');
  if (!(settled.error instanceof type)) {
    throw new Error(`expected a rejection with ${type.name}, got ${String(settled.error)}`);
  }
  return settled.error;
}
