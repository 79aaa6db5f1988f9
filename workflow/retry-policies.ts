/**
 * How hard each kind of error is retried before its Catch takes over. OCP throttling and
 * timeouts back off with jitter so many executions retrying at once do not hammer OCP together.
 */
import { Duration, type RetryProps } from '../asl/index.ts';
import { ErrorNames, LambdaServiceErrors } from '../runtime/errors.ts';

export const OcpTransientErrors = [ErrorNames.OcpThrottling, ErrorNames.OcpTimeout] as const;
export const OcpErrors = [ErrorNames.OcpApi, ...OcpTransientErrors] as const;

export const RetryLambdaService: RetryProps = {
  errors: LambdaServiceErrors,
  interval: Duration.seconds(1),
  maxAttempts: 3,
  backoffRate: 2,
  jitter: 'FULL',
};

export const RetryOcpTransient: RetryProps = {
  errors: OcpTransientErrors,
  interval: Duration.seconds(2),
  maxAttempts: 4,
  backoffRate: 2,
  maxDelay: Duration.seconds(30),
  jitter: 'FULL',
};
