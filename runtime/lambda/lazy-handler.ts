/**
 * A deployed handler builds its dependencies from the environment on the first invocation and
 * keeps them for the life of the container. Built on first call rather than at import, so tests and
 * the local mode can import a module without its environment, and a bad environment fails the
 * invocation with the variable named. A failed build is not cached: the next call tries again.
 */
export function lazyHandler<E, C, R>(build: () => (event: E, context: C) => Promise<R>) {
  let built: ((event: E, context: C) => Promise<R>) | undefined;
  return (event: E, context: C): Promise<R> => {
    built ??= build();
    return built(event, context);
  };
}
