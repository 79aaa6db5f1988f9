import { stopSharedServices } from './services.ts';

// Root hooks: shared local servers live for the whole run and are stopped once at the end.
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(15_000);
    await stopSharedServices();
  },
};
