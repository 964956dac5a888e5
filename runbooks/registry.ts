/**
 * The runbooks, each declared once (cloud-custodian's pattern: a registry of what there is,
 * by name). One entry says everything about one runbook: the section of the incident runbooks
 * it automates and its steps, the events that trigger it (its EventBridge rules, built by its
 * own domain/<runbook>/event-rules.ts), its intake (run by the shared pipeline,
 * pipeline/intake.ts) and its durable workflow (run in the workflow shell,
 * pipeline/workflow-shell.ts), the guardrails that can refuse it and what it pages.
 *
 * Routing is generated from here: runbooks/routing.ts's eventRules(config) is the entries'
 * triggers, flattened; infra/ deploys exactly those rules and routeEvent/matchingRules
 * (`autopilot route`, the drill) evaluate them. A runbook's events reach it only through
 * the triggers declared in its entry.
 *
 * Entry modules (handlers/) import their own runbook's modules, never this registry: an
 * intake bundle carries one runbook. The registry is for people, the route command, the
 * infrastructure and the tests that keep every entry true (runbooks/registry.test.ts).
 * It is loaded at package time (infra/autopilot-plugin.cjs, through runbooks/routing.ts), so
 * it imports only pure modules and the light handler contract: never the AWS SDK.
 */
import type { AutopilotConfig, RunbookId, Severity } from '../domain/config';
import type { GuardrailName } from '../domain/guardrails';
import type { RuleSpec } from '../domain/event-patterns';
import { databaseFailoverRules } from '../domain/failover/event-rules';
import { investigate5xxRules } from '../domain/investigation/event-rules';
import { restoreFromBackupRules } from '../domain/restore/event-rules';
import { rollbackDeploymentRules } from '../domain/rollback/event-rules';
import { scaleEcsRules } from '../domain/scaling/event-rules';
import { RUNBOOK_FUNCTIONS, type RunbookFunctions } from '../handlers/shared/contract';

export interface RunbookDefinition {
  id: RunbookId;
  /** The section of ../shared/regami-incident-runbooks.md it automates. */
  runbook: string;
  /** The runbook's steps, as the runbook names them: the workflow's step functions carry these names. */
  steps: readonly string[];
  /** Severity of its incident when it opens one. */
  severity: Severity;
  /**
   * The EventBridge rules that deliver its events, each naming this runbook (its builder in
   * `<domain>event-rules.ts`). runbooks/routing.ts eventRules deploys and routes with these.
   */
  triggers(config: AutopilotConfig): RuleSpec[];
  /** Module of its intake definition (a RunbookIntake, exported as `<camelId>IntakeDefinition`). */
  intake: string;
  /** Module of its durable workflow, when the runbook waits. */
  workflow?: string;
  /** The pure decisions it runs on (domain/). */
  domain: string;
  /** The runbook's own guardrails; every mutation also passes the Actuator's (ACTUATOR_GUARDRAILS). */
  guardrails: readonly GuardrailName[];
  /** What it pages, and when. */
  pages: readonly string[];
  /** The deployed functions (serverless.yml): intake, and workflow when it waits. */
  functions: RunbookFunctions;
}

/** Every mutation, whichever runbook proposes it, passes these in the Actuator (adapters/runtime/actuator.ts). */
export const ACTUATOR_GUARDRAILS: readonly GuardrailName[] = ['RunbookMode', 'KillSwitch', 'CircuitBreaker', 'Cooldown', 'ActionBudget', 'ResourceLock', 'Arbiter'];

export const RUNBOOK_REGISTRY: Readonly<Record<RunbookId, RunbookDefinition>> = {
  'database-failover': {
    id: 'database-failover',
    runbook: 'Runbook 1: Database Failover',
    steps: [
      'Verify Primary Database Status',
      'Check Read Replica Health',
      'Pause Application (Optional)',
      'Promote Read Replica',
      'Update Application Configuration',
      'Start Application in Secondary Region',
      'Update DNS (Route53)',
      'Verify Application',
      'Document Incident',
      'Rollback Procedure',
    ],
    severity: 'P1',
    triggers: databaseFailoverRules,
    intake: 'runbooks/database-failover/intake.ts',
    workflow: 'runbooks/database-failover/workflow.ts',
    domain: 'domain/failover/',
    guardrails: ['PrimaryCheck', 'PrimaryConfirmedDown', 'SecondaryReady', 'FailoverInterval', 'Approval'],
    pages: [
      'P1 when the primary is confirmed down: what it checked, whether it failed over or why not',
      'P1 when a step stops midway (the step, what was done, the commands to continue by hand)',
      'P1 asking for approval when guardrails.failover.requireApproval is on',
    ],
    functions: RUNBOOK_FUNCTIONS['database-failover'],
  },
  'rollback-deployment': {
    id: 'rollback-deployment',
    runbook: 'Runbook 2: Rollback Deployment',
    steps: ['Identify Previous Task Definition', 'Rollback to Previous Version', 'Verify Rollback', 'Stop Deployment', 'Monitor Rollback', 'Emergency Rollback (ALB Listener)'],
    severity: 'P1',
    triggers: rollbackDeploymentRules,
    intake: 'runbooks/rollback-deployment/intake.ts',
    workflow: 'runbooks/rollback-deployment/workflow.ts',
    domain: 'domain/rollback/',
    guardrails: ['KnownGoodRevision', 'LiveStateAgrees', 'RevisionNotRollbackSafe', 'RollbackWindow', 'SwitchTargetHealthy', 'HumanApproval'],
    pages: [
      'P1 when a rollback is done or refused (the revision, the verification, the reason)',
      'P1 asking a human before the emergency ALB listener switch',
      'P1 when the rollback stops midway (the runbook step it stopped in)',
    ],
    functions: RUNBOOK_FUNCTIONS['rollback-deployment'],
  },
  'scale-ecs': {
    id: 'scale-ecs',
    runbook: 'Runbook 3: Scale ECS Tasks Manually',
    steps: ['Check Current Capacity', 'Scale Up', 'Verify Health', 'Scale Down'],
    severity: 'P3',
    triggers: scaleEcsRules,
    intake: 'runbooks/scale-ecs/intake.ts',
    workflow: 'runbooks/scale-ecs/workflow.ts',
    domain: 'domain/scaling/',
    guardrails: ['ServiceActive', 'Bounds', 'StepLimit', 'MinFloor', 'Stabilisation', 'ScalingWouldNotHelp', 'AlarmBinding'],
    pages: [
      'P3 when it scaled out and when it scaled back in',
      'P2 when it will not scale (at the maximum, a refusal, pool exhaustion or a dependency down found before scaling)',
      'P2 when the workflow cannot start or stops midway',
    ],
    functions: RUNBOOK_FUNCTIONS['scale-ecs'],
  },
  'investigate-5xx': {
    id: 'investigate-5xx',
    runbook: 'Runbook 4: Investigate High 5XX Error Rate',
    steps: ['Check Current Error Rate', 'Check Application Logs', 'Check Database Connectivity', 'Check Resource Utilization', 'Check External Dependencies', 'Common Causes and Solutions'],
    severity: 'P2',
    triggers: investigate5xxRules,
    intake: 'runbooks/investigate-5xx/intake.ts',
    domain: 'domain/investigation/',
    guardrails: ['AlarmBinding', 'CodeDeployControlledService', 'HandOffFailed'],
    pages: [
      'P2 with the cause and its evidence (and the hand-off to scale-ecs or rollback-deployment, or the restart, when it acts)',
      'P2 when the investigation itself fails',
      'resolve when the 5XX alarm is OK again',
    ],
    functions: RUNBOOK_FUNCTIONS['investigate-5xx'],
  },
  'restore-from-backup': {
    id: 'restore-from-backup',
    runbook: 'Runbook 5: Restore from Backup',
    steps: ['List Available Snapshots', 'Create Snapshot (Before Restore)', 'Restore from Snapshot', 'Verify Restored Data', 'Switch Application to Restored Database', 'Restore Previous Version', 'Bulk Restore'],
    severity: 'P2',
    triggers: restoreFromBackupRules,
    intake: 'runbooks/restore-from-backup/intake.ts',
    workflow: 'runbooks/restore-from-backup/workflow.ts',
    domain: 'domain/restore/',
    guardrails: ['VerifiedRequester', 'SourceDatabaseExists', 'SnapshotBelongsToDatabase', 'RestoreTimeInWindow', 'NeverRestoreOverPrimary', 'SecondPerson', 'HumanApproval', 'WholeBucketConfirmed'],
    pages: [
      'P2 at each human gate (verify the restored data, switch the application) and at the end',
      'P2 when a request is not verified (not relayed by the operator-request function): nothing restored',
      'P3 on an RDS backup or snapshot failure event: nothing to remediate, a human looks within 4 hours',
    ],
    functions: RUNBOOK_FUNCTIONS['restore-from-backup'],
  },
};
