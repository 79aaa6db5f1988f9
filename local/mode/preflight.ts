/**
 * Checks local mode makes before it starts anything, each failing with what to do about it:
 * Java for DynamoDB Local, the requested ports, and a clock speed the worker can heartbeat at.
 */
import { spawnSync } from 'node:child_process';
import { assertPortFree } from '../services/ports.ts';
import { maxSpeedForHeartbeat } from './clock-speed.ts';

export interface RequestedPorts {
  dynamodb?: number;
  sqsS3?: number;
  stepFunctions?: number;
  secretsManager?: number;
  ocp?: number;
}

/** Fails early, with the fix, when Java (needed by DynamoDB Local) is missing. */
export function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. Install a JRE (for example `sudo apt-get install openjdk-17-jre-headless`) and run again.');
  }
  const version = /version "(\d+)/.exec(probe.stderr)?.[1];
  if (version && Number(version) < 17) throw new Error(`DynamoDB Local needs Java 17 or newer; \`java -version\` reports ${version}. Install a newer JRE and run again.`);
}

/**
 * The worker takes the download state's HeartbeatSeconds in real seconds (at least 3) and beats at a
 * third of it. On a sped-up clock the engine allows HeartbeatSeconds / speed real seconds.
 */
export function workerHeartbeatSeconds(heartbeatSeconds: number, speed: number): number {
  const real = heartbeatSeconds / speed;
  if (real < 3) {
    throw new Error(
      `At clock speed ${speed} the download heartbeat (${heartbeatSeconds} s) lasts ${real.toFixed(2)} real seconds, shorter than the worker's minimum of 3 s; lower --speed to at most ${maxSpeedForHeartbeat(heartbeatSeconds)}.`,
    );
  }
  return Math.floor(real);
}

const Descriptions: Record<keyof RequestedPorts, string> = {
  dynamodb: 'DynamoDB Local',
  sqsS3: 'the local SQS/S3 server (fauxqs)',
  stepFunctions: 'the local Step Functions endpoint',
  secretsManager: 'the local Secrets Manager endpoint',
  ocp: 'the OCP simulator',
};

/** Fails, naming the service, when a port the user asked for is taken. */
export async function assertRequestedPortsFree(ports: RequestedPorts): Promise<void> {
  for (const [key, port] of Object.entries(ports) as [keyof RequestedPorts, number | undefined][]) {
    if (port) await assertPortFree(port, Descriptions[key]);
  }
}
