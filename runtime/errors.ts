/**
 * The error names that cross the boundary between code and the state machine.
 * A thrown error's `name` becomes the ASL error a Retry or Catch matches, so both sides
 * import from this one list and cannot drift apart.
 */
export const ErrorNames = {
  // OCP export API (runtime/ocp): throttling and timeouts are retried, other failures are not.
  OcpThrottling: 'OCPAPIThrottlingError',
  OcpTimeout: 'OCPAPITimeoutError',
  OcpApi: 'OCPAPIError',
  // A handler's event failed its schema: retrying cannot help.
  InvalidInput: 'InvalidInputError',
  // The stored recording does not match OCP's metadata.
  AudioMismatch: 'AudioMismatchError',
  // A conditional write met a record that is already terminal or further along.
  RecordConflict: 'RecordConflictError',
  // A new execution for a call whose record is already COMPLETED: nothing to do, not a failure.
  AlreadyReconciled: 'AlreadyReconciledError',
  // Download worker (container/) failures, sent with SendTaskFailure.
  UrlNotAllowed: 'UrlNotAllowed',
  ArchiveInvalid: 'ArchiveInvalid',
  TooLarge: 'TooLarge',
  DownloadFailed: 'DownloadFailed',
  UploadFailed: 'UploadFailed',
} as const;

export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

/** Transient AWS Lambda service errors that Step Functions should retry (AWS's recommended list). */
export const LambdaServiceErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** Errors the download worker reports through SendTaskFailure. */
export const DownloadErrors = [
  ErrorNames.UrlNotAllowed,
  ErrorNames.ArchiveInvalid,
  ErrorNames.TooLarge,
  ErrorNames.DownloadFailed,
  ErrorNames.UploadFailed,
] as const;

/** Predefined Step Functions error names used by the workflow. */
export const StatesErrors = {
  ALL: 'States.ALL',
  Timeout: 'States.Timeout',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  TaskFailed: 'States.TaskFailed',
} as const;

/** Base class: a named error carrying what a person needs to act on it. */
export class NamedError extends Error {
  constructor(
    name: ErrorName,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = name;
  }
}

export class InvalidInputError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.InvalidInput, message, details);
  }
}

export class AudioMismatchError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.AudioMismatch, message, details);
  }
}

export class RecordConflictError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.RecordConflict, message, details);
  }
}

/** The call's recording is already recovered (its record is COMPLETED); the message says where it is. */
export class AlreadyReconciledError extends NamedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorNames.AlreadyReconciled, message, details);
  }
}
