/**
 * The check that makes COMPLETED mean "the archive really holds this call's recording": the WAV
 * the worker stored must agree with what OCP says the recording is.
 */
import type { RecordingMetadata, DownloadResult } from '../contracts.ts';

export interface AudioDifference {
  field: 'channels' | 'sampleRate' | 'duration';
  expected: number;
  actual: number;
  description: string;
}

export function compareAudio(
  metadata: RecordingMetadata,
  stored: DownloadResult['audio'],
  durationToleranceSeconds: number,
): AudioDifference[] {
  const diffs: AudioDifference[] = [];
  if (stored.channels !== metadata.channels) {
    diffs.push({
      field: 'channels',
      expected: metadata.channels,
      actual: stored.channels,
      description: `channels: OCP says ${metadata.channels}, stored file has ${stored.channels}`,
    });
  }
  if (stored.sampleRate !== metadata.sampleRate) {
    diffs.push({
      field: 'sampleRate',
      expected: metadata.sampleRate,
      actual: stored.sampleRate,
      description: `sample rate: OCP says ${metadata.sampleRate} Hz, stored file has ${stored.sampleRate} Hz`,
    });
  }
  const drift = Math.abs(stored.durationSeconds - metadata.duration);
  if (drift > durationToleranceSeconds) {
    diffs.push({
      field: 'duration',
      expected: metadata.duration,
      actual: stored.durationSeconds,
      description: `duration: OCP says ${metadata.duration} s, stored file has ${stored.durationSeconds} s (off by ${round(drift)} s, tolerance ${durationToleranceSeconds} s)`,
    });
  }
  return diffs;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
