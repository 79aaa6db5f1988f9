import type { Duration } from '../duration.ts';
import { compact, type JsonObject } from '../json.ts';
import { NextableState, type NextableProps } from './nextable.ts';

/** How long a Wait state waits: exactly one of the four ASL forms. */
export class WaitTime {
  private constructor(readonly field: 'Seconds' | 'SecondsPath' | 'Timestamp' | 'TimestampPath', readonly value: number | string) {}

  static duration(duration: Duration): WaitTime {
    return new WaitTime('Seconds', duration.toSeconds());
  }

  /** Seconds read at run time from a reference path (state data, or a variable). */
  static secondsPath(path: string): WaitTime {
    return new WaitTime('SecondsPath', path);
  }

  /** An RFC 3339 timestamp, e.g. 2026-01-01T00:00:00Z. */
  static timestamp(timestamp: string): WaitTime {
    return new WaitTime('Timestamp', timestamp);
  }

  static timestampPath(path: string): WaitTime {
    return new WaitTime('TimestampPath', path);
  }
}

export interface WaitProps extends NextableProps {
  time: WaitTime;
}

export class Wait extends NextableState {
  readonly type = 'Wait' as const;

  constructor(
    name: string,
    private readonly waitProps: WaitProps,
  ) {
    super(name, waitProps);
  }

  get time(): WaitTime {
    return this.waitProps.time;
  }

  toJson(): JsonObject {
    return compact({
      Type: 'Wait',
      Comment: this.comment,
      [this.waitProps.time.field]: this.waitProps.time.value,
      ...this.io(),
      Assign: this.assignJson(),
      ...this.ending(),
    });
  }
}
