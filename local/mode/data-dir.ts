/** The one folder a local run keeps everything in: databases, queues, objects, checkpoints, logs. */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

export interface RunFolders {
  runId: string;
  root: string;
  dynamodb: string;
  fauxqs: string;
  engine: string;
  logs: string;
}

/** A sortable run id: UTC time plus a few random characters so two runs in one second differ. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function createRunFolders(base: string, runId = newRunId()): RunFolders {
  const root = resolve(base, runId);
  const folders: RunFolders = {
    runId,
    root,
    dynamodb: join(root, 'dynamodb'),
    fauxqs: join(root, 'fauxqs'),
    engine: join(root, 'engine'),
    logs: join(root, 'logs'),
  };
  for (const dir of [folders.dynamodb, folders.fauxqs, folders.engine, folders.logs]) mkdirSync(dir, { recursive: true });
  return folders;
}
