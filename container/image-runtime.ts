/**
 * How the image runs the worker, read from container/Dockerfile's final stage: the Node flags of
 * its exec-form CMD and the variables its ENV lines set. The download bench runs the worker with
 * exactly these, so what it measures is what the image does.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ImageRuntime {
  nodeFlags: string[];
  env: Record<string, string>;
}

export const dockerfilePath = join(dirname(fileURLToPath(import.meta.url)), 'Dockerfile');

export function imageRuntime(dockerfile = readFileSync(dockerfilePath, 'utf8')): ImageRuntime {
  // Continuation lines joined, comments dropped, final stage only.
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/).filter((l) => !l.trimStart().startsWith('#'));
  const stage = lines.slice(lines.findLastIndex((l) => /^FROM\s/.test(l)));
  const cmd = stage.findLast((l) => l.startsWith('CMD '));
  if (!cmd || !/^CMD\s+\[/.test(cmd)) throw new Error('container/Dockerfile: the final stage has no exec-form CMD');
  const args = JSON.parse(cmd.slice(4)) as string[];
  const env: Record<string, string> = {};
  for (const line of stage.filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`container/Dockerfile: use ENV KEY=value, not "${line.trim()}"`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return { nodeFlags: args.filter((a) => a.startsWith('--')), env };
}
