/**
 * The autopilot's configuration: every name, bound and window the runbooks use.
 *
 * One source of truth. The defaults below are the values written in
 * ../shared/regami-incident-runbooks.md; a stage overrides them in config/<stage>.json
 * (merged by config/load.ts). serverless.yml builds its EventBridge patterns, IAM
 * resource ARNs and environment from this same object, and the handlers receive it
 * through AUTOPILOT_CONFIG, so what is deployed and what the code decides cannot drift.
 */

import type { RunbookMode } from './modes';

export type Severity = 'P1' | 'P2' | 'P3' | 'P4';

export type RunbookId =
  | 'database-failover'
  | 'rollback-deployment'
  | 'scale-ecs'
  | 'investigate-5xx'
  | 'restore-from-backup';

export const RUNBOOKS: readonly RunbookId[] = [
  'database-failover',
  'rollback-deployment',
  'scale-ecs',
  'investigate-5xx',
  'restore-from-backup',
];

/**
 * Every fixed tunable of the autopilot, in one place (the per-stage ones live in
 * AutopilotConfig.guardrails). Modules export named aliases of these values; none defines its own.
 */
export const TUNABLES = {
  /** Event claims are remembered this long: EventBridge retries a delivery for up to 24 h. */
  dedupeTtlSeconds: 24 * 3600,
  /** A workflow start (and a once-a-day page claim) is remembered this long. */
  workflowClaimTtlSeconds: 24 * 3600,
  /** The controls-unreadable P1 is sent once per distinct anomaly set in this long. */
  controlsPageClaimTtlSeconds: 24 * 3600,
  /** A verified operator proof can be used once within this long. */
  operatorProofClaimTtlSeconds: 900,
  /** A proof's X-Amz-Date may be this old: stricter than STS's own 15 minutes (an approval is typed seconds before it is sent). */
  operatorProofMaxAgeSeconds: 300,
  /** A failover's pause of the primary-region service stays a freeze this long after it was made (the failback is a human's). */
  failoverFreezeSeconds: 24 * 3600,
  /** Restore approval gates opened at most: the first, and two more after refused self-approvals. */
  restoreApprovalRounds: 3,
  scaling: {
    /** Monitoring rounds of one scaling episode (each a cooldown or the rest of the stabilisation apart). */
    maxMonitorRounds: 48,
  },
  investigation: {
    /** An open investigation older than this is a new incident when the alarm fires again. */
    maxIncidentSeconds: 24 * 3600,
    /** A memory-leak restart's deployment is created within this of the restart's action record (the call follows the record at once). */
    restartDeploymentWindowSeconds: 60,
  },
  failover: {
    /** Triggers within one bucket start (or join) one execution even before an incident record exists. */
    episodeBucketSeconds: 900,
    /** Poll interval of the durable waits (promotion, service rollout, DNS, health). */
    pollSeconds: 30,
    /** Poll interval for the end of a promotion once the secondary runs alongside it. */
    promotionEndPollSeconds: 10,
    /** GetChange poll interval (Route53 changes are INSYNC within ~60 s). */
    dnsPollSeconds: 10,
    /** Route53 changes are INSYNC within ~60 s; give up after this. */
    dnsSyncTimeoutSeconds: 600,
    /** Health checks after DNS (the record's TTL and client caches need a moment). */
    healthChecks: 6,
    /** Poll interval of the failover rollback's durable waits (primary service stable). */
    rollbackPollSeconds: 30,
  },
  rollback: {
    /** Seconds between two looks at a rollout, a CodeDeploy deployment or an alarm. */
    pollSeconds: 30,
    /** After the rollout completes, how long running tasks may take to all be on the revision. */
    tasksSettleSeconds: 120,
  },
  restore: {
    /** Seconds between two looks at a restoring instance or snapshot. */
    pollSeconds: 60,
  },
} as const;

export interface EcsServiceConfig {
  region: string;
  clusterName: string;
  serviceName: string;
  /** Task definition family (runbook: regami-api). */
  taskFamily: string;
  /** Container whose environment carries DATABASE_URL. */
  containerName: string;
  /**
   * The IAM roles the service's task definitions carry ('' when they carry none): the task role
   * (taskRoleArn) and the task execution role (executionRoleArn). Registering a copy for a new
   * DATABASE_URL (failover step 5, restore step 5) passes them (iam:PassRole to
   * ecs-tasks.amazonaws.com), and the deployed grant covers exactly these; `autopilot preflight`
   * checks the live task definition carries them.
   */
  taskRoleArn: string;
  executionRoleArn: string;
}

/**
 * A role a live task definition carries is the configured one: equal, both none ('' / absent),
 * or a short name (RegisterTaskDefinition takes "the short name or full ARN" of the task role)
 * equal to the configured ARN's name.
 */
export function sameTaskRole(live: string | undefined, configured: string): boolean {
  const value = live ?? '';
  if (value === configured) return true;
  return value !== '' && !value.startsWith('arn:') && configured.split('/').pop() === value;
}

/** Each role of `live` that is not the one configured for `svc`, as "<key> <live>, <field>.<key> is <configured>". */
export function taskRoleMismatches(live: { taskRoleArn?: string; executionRoleArn?: string }, svc: EcsServiceConfig, field: string): string[] {
  return (['taskRoleArn', 'executionRoleArn'] as const)
    .filter((k) => !sameTaskRole(live[k], svc[k]))
    .map((k) => `${k} ${live[k] || '(none)'}, ${field}.${k} is ${svc[k] || '(none)'}`);
}

export interface AutopilotConfig {
  stage: string;
  /**
   * Where this stage's functions run and which runbooks it deploys. The primary stage runs
   * every runbook in the primary region; a standby stage (config/prod-dr.json: the statically
   * stable failover of issue 15) runs only database-failover in the secondary region, with
   * its own state table and topics there, so it works while the primary region is down.
   */
  deployment: {
    region: string;
    runbooks: RunbookId[];
    /**
     * When the scheduled readiness check (the preflight function) runs: an EventBridge schedule
     * expression, `rate(1 day)` by default (`rate(12 hours)`, `cron(0 6 * * ? *)`...). Absent:
     * DEFAULT_PREFLIGHT_SCHEDULE.
     */
    preflightSchedule?: string;
  };
  /** Accounts whose events we accept; anything else is rejected at parse time. */
  accountIds: string[];
  primaryRegion: string;
  secondaryRegion: string;
  /** Events older than this are recorded and ignored (EventBridge retries for up to 24 h). */
  maxEventAgeSeconds: number;
  /** Decide, record and page, but never mutate. The kill switch in the state table overrides at run time. */
  dryRun: boolean;

  service: EcsServiceConfig & {
    /** ALB full name as used in the CloudWatch LoadBalancer dimension (app/regami-alb/xxx). */
    loadBalancerDimension: string;
    listenerArn: string;
    targetGroupArn: string;
    blueTargetGroupArn: string;
    greenTargetGroupArn: string;
    logGroupName: string;
    healthCheckUrl: string;
  };
  secondaryService: EcsServiceConfig & {
    desiredCount: number;
    albDnsName: string;
    /** Canonical hosted zone of the ALB (us-west-2: Z1H1FL5HABSF5). */
    albHostedZoneId: string;
    /**
     * The secondary stack's own health URL (through its ALB, not the service name), checked
     * before the failover moves DNS. Default: the path of service.healthCheckUrl on albDnsName.
     */
    healthCheckUrl?: string;
  };
  primaryAlb: { dnsName: string; hostedZoneId: string };

  database: {
    primaryInstanceId: string;
    replicaInstanceId: string;
    replicaRegion: string;
    engine: 'postgres';
    port: number;
    databaseName: string;
    /** Name of the Secrets Manager secret / SSM parameter holding credentials: never the password itself. */
    credentialsSecretName: string;
    /**
     * Where a container's DATABASE_URL may come from when it is a `secrets` reference instead
     * of an environment value: Secrets Manager secret names and SSM parameter names starting
     * with these. The failover and the restore read the reference and write a NEW one next to
     * it (`<name>/<incident key>`, domain/database-url-reference.ts); their roles may read and
     * write only under these prefixes (infra/permissions.ts), and the preflight reports NOT
     * READY for a reference outside them. An empty prefix: no reference of that kind is followed.
     */
    urlReferences: { secretNamePrefix: string; parameterNamePrefix: string };
    backupRetentionDays: number;
    instanceClass: string;
    subnetGroupName: string;
    securityGroupIds: string[];
    /** Connection limit used to judge DatabaseConnections (max_connections of the parameter group). */
    maxConnections: number;
  };

  dns: {
    hostedZoneId: string;
    recordName: string;
    primarySetIdentifier: string;
    secondarySetIdentifier: string;
    /**
     * The primary database's Route 53 health check, read through the DNS data plane (no
     * control-plane API, so it answers while the primary region's APIs are down): a failover
     * TXT record pair whose PRIMARY (governed by the health check) answers `healthyValue`.
     * An empty recordName turns the probe off.
     */
    primaryHealthProbe: { recordName: string; healthyValue: string };
  };

  codeDeploy: { applicationName: string; deploymentGroupName: string };

  dependencies: { s3Buckets: string[]; elastiCacheClusterIds: string[] };

  /**
   * The alarms that route to each runbook: exact alarm names or alarm ARNs, never prefixes (an
   * alarm of another resource whose name began the same way once scaled our service). Each is
   * also bound by what it measures (domain/alarm-binding.ts).
   */
  alarms: {
    fiveXx: string[];
    cpu: string[];
    databaseDown: string[];
  };

  guardrails: {
    /** Locks on a resource expire after this, so a crashed execution never blocks forever. */
    lockTtlSeconds: number;
    /** Automation circuit breaker: mutating actions across all runbooks per window. */
    circuitBreaker: {
      maxActions: number;
      windowSeconds: number;
      /** Mutating calls across all runbooks per window: one S3 page of 1,000 copies counts 1,000. */
      maxMutations: number;
    };
    scaling: {
      minTasks: number;
      maxTasks: number;
      /** A step never more than doubles the count and never adds more than this. */
      maxStepUp: number;
      scaleDownStep: number;
      cooldownSeconds: number;
      actionsPerHour: number;
      /** Alarm must be OK this long before scaling back in. */
      stabilisationSeconds: number;
      /** A memory-leak restart (forced new deployment) at most this often. */
      restartCooldownSeconds: number;
    };
    failover: {
      confirmChecks: number;
      confirmIntervalSeconds: number;
      /** Replica lag budget (RPO). Unknown lag fails the gate. */
      maxReplicaLagSeconds: number;
      minSecondsBetweenFailovers: number;
      requireApproval: boolean;
      approvalTimeoutSeconds: number;
      pausePrimaryService: boolean;
      promotionTimeoutSeconds: number;
      serviceStableTimeoutSeconds: number;
    };
    rollback: {
      windowSeconds: number;
      rolloutTimeoutSeconds: number;
      alarmOkTimeoutSeconds: number;
      /** A revision that stayed PRIMARY and steady this long counts as known-good. */
      stableForSeconds: number;
      approvalTimeoutSeconds: number;
    };
    restore: {
      approvalTimeoutSeconds: number;
      restoreTimeoutSeconds: number;
      s3MaxObjectsPerRun: number;
      /** S3 restore: restoreTime at most this many days back (older versions are not a repair, they are a rewrite). */
      s3RestoreWindowDays: number;
      /** S3 restore: objects copied per bucket per UTC day, across every request (an atomic counter in the state table). */
      s3MaxObjectsPerBucketPerDay: number;
    };
  };

  /**
   * Per-runbook mode default (domain/modes.ts): off | shadow | live. The state table's
   * controls item overrides one at run time (attribute mode#<runbook>).
   */
  modes: Record<RunbookId, RunbookMode>;

  /**
   * Who may ask and who may approve, by IAM principal ARN as STS reports it (verified by the
   * operator-request function, never typed). An entry is an exact ARN, or a role's sessions:
   * 'arn:aws:sts::<account>:assumed-role/<role>/*'. Empty lists refuse everyone (fail closed).
   */
  operators: {
    requesters: string[];
    approvers: string[];
  };

  paging: {
    /** SNS topic ARNs per severity. P1/P2 are subscribed to PagerDuty over HTTPS; P3 email; P4 chat. */
    topics: Record<Severity, string>;
    /**
     * P4 through AWS Chatbot (Amazon Q Developer in chat applications): the Slack workspace
     * (team) id and channel id of a workspace already authorised in the Chatbot console. Both
     * set: the template gets a SlackChannelConfiguration on the P4 topic and P4 pages use
     * Chatbot's custom notification format. Empty: P4 goes to the chatWebhookUrl subscription.
     */
    chat: { slackWorkspaceId: string; slackChannelId: string };
  };
}

const ACCOUNT = '123456789012';

/** The readiness check runs once a day (issue 16 item 3): a broken precondition is found the day it breaks. */
export const DEFAULT_PREFLIGHT_SCHEDULE = 'rate(1 day)';

/** The stage's preflight schedule expression (config deployment.preflightSchedule, else the daily default). */
export function preflightScheduleOf(config: Pick<AutopilotConfig, 'deployment'>): string {
  return config.deployment.preflightSchedule ?? DEFAULT_PREFLIGHT_SCHEDULE;
}

/** Defaults: the runbook's own names and numbers. */
export const defaultConfig: AutopilotConfig = {
  deployment: { region: 'us-east-1', runbooks: [...RUNBOOKS], preflightSchedule: DEFAULT_PREFLIGHT_SCHEDULE },
  stage: 'dev',
  accountIds: [ACCOUNT],
  primaryRegion: 'us-east-1',
  secondaryRegion: 'us-west-2',
  maxEventAgeSeconds: 900,
  dryRun: false,
  service: {
    region: 'us-east-1',
    clusterName: 'regami-cluster',
    serviceName: 'regami-service',
    taskFamily: 'regami-api',
    containerName: 'app',
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/regami-api-task`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
    loadBalancerDimension: 'app/regami-alb/50dc6c495c0c9188',
    listenerArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/regami-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`,
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/regami-tg/73e2d6bc24d8a067`,
    blueTargetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/regami-blue-tg/2453ed029918f21f`,
    greenTargetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/regami-green-tg/6d0ecf831eec9f09`,
    logGroupName: '/ecs/regami-api',
    healthCheckUrl: 'https://api.regami.com/health?check=db',
  },
  secondaryService: {
    region: 'us-west-2',
    clusterName: 'regami-cluster-secondary',
    serviceName: 'regami-service-secondary',
    taskFamily: 'regami-api',
    containerName: 'app',
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/regami-api-task`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
    desiredCount: 2,
    albDnsName: 'regami-alb-secondary.us-west-2.elb.amazonaws.com',
    albHostedZoneId: 'Z1H1FL5HABSF5',
  },
  primaryAlb: { dnsName: 'regami-alb.us-east-1.elb.amazonaws.com', hostedZoneId: 'Z35SXDOTRQ7X7K' },
  database: {
    primaryInstanceId: 'regami-db-primary',
    replicaInstanceId: 'regami-db-replica',
    replicaRegion: 'us-west-2',
    engine: 'postgres',
    port: 5432,
    databaseName: 'regami',
    credentialsSecretName: 'regami/db/app',
    urlReferences: { secretNamePrefix: 'regami/', parameterNamePrefix: '/regami/' },
    backupRetentionDays: 7,
    instanceClass: 'db.t3.medium',
    subnetGroupName: 'regami-db-subnet-group',
    securityGroupIds: ['sg-0a1b2c3d4e5f60718'],
    maxConnections: 170,
  },
  dns: {
    hostedZoneId: 'Z1234567890ABC',
    recordName: 'api.regami.com',
    primarySetIdentifier: 'primary',
    secondarySetIdentifier: 'secondary',
    primaryHealthProbe: { recordName: 'db-health.regami.com', healthyValue: 'primary-healthy' },
  },
  codeDeploy: { applicationName: 'regami-codedeploy', deploymentGroupName: 'regami-deployment-group' },
  dependencies: { s3Buckets: ['regami-uploads'], elastiCacheClusterIds: ['regami-redis'] },
  alarms: {
    fiveXx: ['regami-alb-5xx-high'],
    cpu: ['regami-ecs-cpu-high'],
    databaseDown: ['regami-db-down', 'regami-db-connections-zero'],
  },
  guardrails: {
    lockTtlSeconds: 1800,
    circuitBreaker: { maxActions: 20, windowSeconds: 3600, maxMutations: 2500 },
    scaling: {
      minTasks: 2,
      maxTasks: 10,
      maxStepUp: 4,
      scaleDownStep: 1,
      cooldownSeconds: 300,
      actionsPerHour: 6,
      stabilisationSeconds: 900,
      restartCooldownSeconds: 3600,
    },
    failover: {
      confirmChecks: 3,
      confirmIntervalSeconds: 60,
      maxReplicaLagSeconds: 60,
      minSecondsBetweenFailovers: 86400,
      requireApproval: false,
      approvalTimeoutSeconds: 900,
      pausePrimaryService: true,
      promotionTimeoutSeconds: 1800,
      serviceStableTimeoutSeconds: 900,
    },
    rollback: {
      windowSeconds: 3600,
      rolloutTimeoutSeconds: 900,
      alarmOkTimeoutSeconds: 600,
      stableForSeconds: 600,
      approvalTimeoutSeconds: 900,
    },
    restore: {
      approvalTimeoutSeconds: 86400,
      restoreTimeoutSeconds: 3600,
      s3MaxObjectsPerRun: 1000,
      s3RestoreWindowDays: 30,
      s3MaxObjectsPerBucketPerDay: 5000,
    },
  },
  modes: {
    'database-failover': 'live',
    'rollback-deployment': 'live',
    'scale-ecs': 'live',
    'investigate-5xx': 'live',
    'restore-from-backup': 'live',
  },
  operators: { requesters: [], approvers: [] },
  paging: {
    topics: {
      P1: `arn:aws:sns:us-east-1:${ACCOUNT}:runbook-autopilot-dev-p1`,
      P2: `arn:aws:sns:us-east-1:${ACCOUNT}:runbook-autopilot-dev-p2`,
      P3: `arn:aws:sns:us-east-1:${ACCOUNT}:runbook-autopilot-dev-p3`,
      P4: `arn:aws:sns:us-east-1:${ACCOUNT}:runbook-autopilot-dev-p4`,
    },
    chat: { slackWorkspaceId: '', slackChannelId: '' },
  },
};

/**
 * True when an alarm is one of the configured ones: the exact name, or the name inside a
 * configured alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>). No prefixes.
 */
export function alarmNameMatches(configured: readonly string[], alarmName: string): boolean {
  return configured.some((c) => (c.startsWith('arn:') ? c.slice(c.indexOf(':alarm:') + ':alarm:'.length) === alarmName && c.includes(':alarm:') : c === alarmName));
}
