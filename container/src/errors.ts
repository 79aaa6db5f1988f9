/**
 * The worker's failures. Those extending NamedError carry a name from runtime/errors.ts and go to
 * the workflow with SendTaskFailure; the others change what the worker does with the message.
 */
import { ErrorNames, NamedError } from '../../runtime/errors.ts';

export class UrlNotAllowedError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.UrlNotAllowed, message, details);
  }
}

export class ArchiveInvalidError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.ArchiveInvalid, message, details);
  }
}

export class TooLargeError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.TooLarge, message, details);
  }
}

export class DownloadFailedError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.DownloadFailed, message, details);
  }
}

export class UploadFailedError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.UploadFailed, message, details);
  }
}

/** Step Functions no longer waits for this token (TaskTimedOut, TaskDoesNotExist, InvalidToken): reporting is pointless. */
export class TaskGoneError extends Error {
  constructor(readonly sfnError: string) {
    super(`Step Functions no longer waits for this task (${sfnError}); the work is abandoned.`);
    this.name = 'TaskGone';
  }
}

/** The worker is shutting down: the message goes back to the queue for another worker. */
export class ShutdownError extends Error {
  constructor() {
    super('The worker is stopping; the message is released for another worker.');
    this.name = 'Shutdown';
  }
}
