/**
 * Every simulated service, in one list: adding a service is its module under services/ and
 * one entry here (README.md, "Adding a service").
 */
import type { ChangeHandler, ServiceChangeKind, ServiceSim } from './index';
import { service as rds } from './rds';
import { service as ecs } from './ecs';
import { service as route53 } from './route53';
import { service as cloudwatch } from './cloudwatch';
import { service as logs } from './logs';
import { service as codedeploy } from './codedeploy';
import { service as elbv2 } from './elbv2';
import { service as s3 } from './s3';
import { service as autoscaling } from './autoscaling';
import { service as elasticache } from './elasticache';
import { service as sns } from './sns';
import { service as eventbridge } from './eventbridge';
import { service as lambda } from './lambda';
import { service as iam } from './iam';
import { service as secretsmanager } from './secretsmanager';
import { service as ssm } from './ssm';

/** In the order the core visits them: a WorldSpec's problems are reported in this order. */
export const SERVICES: readonly ServiceSim[] = [rds, ecs, route53, cloudwatch, logs, codedeploy, elbv2, s3, autoscaling, elasticache, sns, eventbridge, lambda, iam, secretsmanager, ssm];

const BY_NAME = new Map(SERVICES.map((s) => [s.name, s]));

/** The service a client talks to, by client name without "Client" ('RDS'). */
export function serviceNamed(name: string): ServiceSim | undefined {
  return BY_NAME.get(name);
}

/** The service that applies a world change of this kind. */
export function changeHandler<C extends ServiceChangeKind>(kind: C): ChangeHandler<C> | undefined {
  for (const s of SERVICES) if (s.changes && Object.hasOwn(s.changes, kind)) return s.changes[kind];
  return undefined;
}
