/**
 * Runbook 3 pages: what was seen, what was decided and why, and the runbook's next manual
 * step as a command to paste.
 */
import type { Severity } from '../config';
import type { Verdict } from '../guardrails';
import type { Page } from '../paging';
import type { ServiceCapacity } from './capacity';
import { describeCapacity } from './capacity';

export interface ServiceRef {
  region: string;
  cluster: string;
  service: string;
}

/** Runbook 3 step 1, "Check Current Capacity". */
export function checkCapacityCommand(ref: ServiceRef): string {
  return `aws ecs describe-services --cluster ${ref.cluster} --services ${ref.service} --region ${ref.region} --query 'services[0].[desiredCount,runningCount,pendingCount]'`;
}

/** Runbook 3 step 2, "Scale Up" (or "Scale Down"). */
export function setDesiredCountCommand(ref: ServiceRef, desired: number): string {
  return `aws ecs update-service --cluster ${ref.cluster} --service ${ref.service} --desired-count ${desired} --region ${ref.region}`;
}

/** Restores the scalable target's minimum (runbook 3, "Auto Scaling Configuration"). */
export function restoreAutoScalingMinCommand(ref: ServiceRef, min: number): string {
  return `aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id service/${ref.cluster}/${ref.service} --min-capacity ${min} --region ${ref.region}`;
}

export function resourceOf(ref: ServiceRef): string {
  return `service/${ref.cluster}/${ref.service}`;
}

export interface ScalingPageArgs {
  incidentKey: string;
  ref: ServiceRef;
  at: number;
  severity: Severity;
  title: string;
  seen: string[];
  capacity?: ServiceCapacity;
  done?: string[];
  refused?: { action: string; verdict: Verdict }[];
  nextStep: string;
}

export function scalingPage(args: ScalingPageArgs): Page {
  const diagnosis = [...args.seen];
  if (args.capacity) diagnosis.push(`capacity: ${describeCapacity(args.capacity)}`);
  return {
    incidentKey: args.incidentKey,
    action: 'trigger',
    severity: args.severity,
    runbook: 'scale-ecs',
    title: args.title,
    resource: resourceOf(args.ref),
    at: args.at,
    diagnosis,
    done: args.done ?? [],
    refused: (args.refused ?? []).map((r) => ({ action: r.action, guardrail: r.verdict.guardrail, reason: r.verdict.reason })),
    nextStep: args.nextStep,
  };
}

export function scalingResolvePage(incidentKey: string, ref: ServiceRef, at: number, severity: Severity, done: string[], capacity: ServiceCapacity): Page {
  return {
    incidentKey,
    action: 'resolve',
    severity,
    runbook: 'scale-ecs',
    title: `Scaling incident on ${ref.service} resolved: back to ${capacity.desired} tasks`,
    resource: resourceOf(ref),
    at,
    diagnosis: [`capacity: ${describeCapacity(capacity)}`],
    done,
    refused: [],
    nextStep: 'None: the alarm has been OK for the stabilisation period and capacity is back at its floor.',
  };
}
