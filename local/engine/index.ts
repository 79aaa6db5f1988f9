/** Public entry point of the local Step Functions engine. */
export { Engine } from './engine.ts';
export { VirtualClock, RealClock } from './clock.ts';
export { States, StatesError } from './states-error.ts';
export * from './types.ts';
