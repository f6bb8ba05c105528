/**
 * The error `fn` throws; fails the test when it returns normally. Assertions on the error then
 * run unconditionally (unlike checks inside a `catch`, which a non-throwing call skips).
 */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}
