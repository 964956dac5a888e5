/**
 * What the rollback runbook reads and changes, as an interface. adapters/aws/rollback.ts
 * implements it with the SDK (production and the simulated region alike). Mutations here
 * are only ever called from inside an `act(...)` (Actuator: guardrails first), and each
 * re-reads live state first: called twice, it finds the change made and does not repeat it.
 */
import type { RevisionHistory, TaskDefinitionRevision } from './revisions';
import type { TargetHealthReading, TaskSetState } from './switch-target';

export interface ServiceDeploymentState {
  id: string;
  taskDefinitionArn: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE' | string;
  rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | string;
  rolloutStateReason?: string;
  createdAt?: number;
  runningCount: number;
  desiredCount: number;
}

export interface ServiceState {
  clusterName: string;
  serviceName: string;
  /** ECS | CODE_DEPLOY | EXTERNAL (DescribeServices deploymentController.type; absent = ECS). */
  deploymentController: string;
  taskDefinitionArn: string;
  desiredCount: number;
  runningCount: number;
  deployments: ServiceDeploymentState[];
  /** Latest service events, newest first (the first few, for the page). */
  recentEvents: { at: number; message: string }[];
  /** Task sets (CODE_DEPLOY / EXTERNAL controllers only; absent or empty otherwise). */
  taskSets?: TaskSetState[];
}

export interface RunningTask {
  taskArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
}

export interface AlarmReading {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | string;
  reason?: string;
  updatedAt?: number;
}

export interface CodeDeployDeploymentState {
  id: string;
  status: string;
  creator?: string;
  createdAt?: number;
  completedAt?: number;
  /** Set on a deployment that was rolled back: the rollback deployment's id. */
  rollbackDeploymentId?: string;
  /** Set on a rollback deployment: the deployment it rolls back. */
  rolledBackDeploymentId?: string;
  errorMessage?: string;
  /** The task definition the deployment deploys (its AppSpec's TargetService TaskDefinition), when readable. */
  taskDefinition?: string;
}

export interface RollbackOperations {
  /** DescribeServices for config.service. */
  describeService(): Promise<ServiceState>;
  /** Task-definition history (ListTaskDefinitions + DescribeTaskDefinition with tags) and deployment history. */
  readHistory(service: ServiceState, triggerDeploymentId?: string): Promise<RevisionHistory>;
  describeTaskDefinition(taskDefinitionArn: string): Promise<TaskDefinitionRevision | undefined>;
  /**
   * UpdateService(taskDefinition, forceNewDeployment). Re-reads first: when the PRIMARY
   * deployment already runs `taskDefinitionArn` and was created after `notBefore`, returns it
   * instead of starting another. Returns the deployment id ECS created (or found).
   */
  rollServiceTo(taskDefinitionArn: string, notBefore: number): Promise<{ deploymentId: string; reused: boolean }>;
  /** ListTasks (RUNNING) + DescribeTasks for the service. */
  runningTasks(): Promise<RunningTask[]>;
  /** DescribeAlarms for the names/prefixes ('name*') given. */
  readAlarms(patterns: readonly string[]): Promise<AlarmReading[]>;

  /** ListDeployments(includeOnlyStatuses InProgress...) of config.codeDeploy, each with GetDeployment. */
  activeCodeDeployDeployments(): Promise<CodeDeployDeploymentState[]>;
  getCodeDeployDeployment(deploymentId: string): Promise<CodeDeployDeploymentState>;
  /** StopDeployment(autoRollbackEnabled). Re-reads first: a deployment already stopped/rolled back is returned as is. */
  stopCodeDeployWithRollback(deploymentId: string): Promise<CodeDeployDeploymentState>;

  /** The listener's default forward target groups (DescribeListeners). */
  listenerTargets(): Promise<string[]>;
  /** DescribeTargetHealth: how many of the group's targets are healthy. */
  targetHealth(targetGroupArn: string): Promise<TargetHealthReading>;
  /** ModifyListener: default action forward to `targetGroupArn` only. Re-reads first. */
  switchListenerTo(targetGroupArn: string): Promise<string[]>;
}
