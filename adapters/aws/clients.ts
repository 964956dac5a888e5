/**
 * AWS SDK v3 clients: one per service and region, created once per container (module
 * scope caches them across warm invocations).
 *
 * Drills and tests use the very same clients with the transport swapped: `ClientSetup.plugins`
 * adds the simulated region's middleware (test/simulated-region), which answers at the deserialize
 * step, inside the SDK's retry middleware. Commands, paginators, waiters' callers and retry
 * handling are therefore the production ones.
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentity, Pluggable, RetryStrategyV2 } from '@smithy/types';

/** One AWS call attempt as seen by the client (each retry is its own attempt). */
export interface ObservedCall {
  /** Service as the SDK names its client, without "Client": 'RDS', 'ECS', 'Route53'... */
  service: string;
  /** Operation as the SDK names it, without "Command": 'PromoteReadReplica'. */
  operation: string;
  region: string;
  attempt: number;
  durationMs: number;
  /** Error name when the attempt failed (ThrottlingException, ...). */
  error?: string;
  /** True for calls that change infrastructure (not reads, not our own state table or pages). */
  mutating: boolean;
  input: unknown;
}

export type CallListener = (call: ObservedCall) => void;

export interface ClientSetup {
  /** Middleware plugins added to every client (drill: the simulated region). */
  plugins?: Pluggable<any, any>[];
  credentials?: AwsCredentialIdentity;
  retryStrategy?: RetryStrategyV2;
  maxAttempts?: number;
  /** DynamoDB endpoint override (dynalite locally). */
  dynamoEndpoint?: string;
  /** Called once per attempt of every call, production included (logged there). */
  onCall?: CallListener;
  /**
   * The region is simulated (drills, tests): nothing beyond the SDK clients exists, so probes
   * that would leave AWS (an HTTP health check) must use the control plane instead.
   */
  simulated?: boolean;
  /** The DNS data plane (default: the resolver of the host, node:dns). The simulated region answers from its Route 53 zones. */
  dnsResolver?: DnsResolver;
}

/**
 * DNS answers: Route 53's data plane, which keeps answering while its control plane (and the
 * primary region's APIs) are down. Used by the failover's statically stable path (issue 15).
 */
export interface DnsResolver {
  /** The TXT strings a name answers with (each record's chunks joined); [] when it has none. */
  txt(name: string): Promise<string[]>;
  /** Whether `name` answers with the addresses `target` (an ALB's DNS name) answers with; undefined when either cannot be resolved. */
  answersAs(name: string, target: string): Promise<boolean | undefined>;
}

/** The host's resolver (production). Loaded on first use: intakes never pay for it. */
export const hostDnsResolver: DnsResolver = {
  async txt(name) {
    const dns = await import('node:dns/promises');
    try {
      return (await dns.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (err) {
      if ((err as { code?: string }).code === 'ENODATA' || (err as { code?: string }).code === 'ENOTFOUND') return [];
      throw err;
    }
  },
  async answersAs(name, target) {
    const dns = await import('node:dns/promises');
    try {
      const [a, b] = await Promise.all([dns.resolve4(name), dns.resolve4(target)]);
      return a.some((ip) => b.includes(ip));
    } catch {
      return undefined;
    }
  },
};

const READ_PREFIXES = /^(Describe|List|Get|Filter|Head|Query|Scan|BatchGet|StartQuery|Lookup|Test)/;
/** Writes that are bookkeeping, not remediation: our state table, pages, hand-off events, durable invokes. */
const NON_REMEDIATION_SERVICES = new Set(['DynamoDB', 'SNS', 'EventBridge', 'Lambda']);
/** Single operations that are bookkeeping too: the readiness check's own metric (RunbookReady), its IAM policy simulation. */
const NON_REMEDIATION_OPERATIONS = new Set(['CloudWatch.PutMetricData', 'IAM.SimulatePrincipalPolicy']);

export function isMutatingCall(service: string, operation: string): boolean {
  return !NON_REMEDIATION_SERVICES.has(service) && !NON_REMEDIATION_OPERATIONS.has(`${service}.${operation}`) && !READ_PREFIXES.test(operation);
}

/**
 * Names one attempt of a call as the SDK does ('RDS', 'PromoteReadReplica', attempt 2...).
 * Each observer keeps its own counter: the same input object is reused across retries.
 */
export function attemptNamer(): (context: { clientName?: unknown; commandName?: unknown }, input: unknown) => { service: string; operation: string; attempt: number } {
  const attempts = new WeakMap<object, number>();
  return (context, input) => {
    const attempt = (attempts.get(input as object) ?? 0) + 1;
    attempts.set(input as object, attempt);
    return {
      service: String(context.clientName ?? '').replace(/Client$/, ''),
      operation: String(context.commandName ?? '').replace(/Command$/, ''),
      attempt,
    };
  };
}

function observerPlugin(region: string, onCall: CallListener): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      const nameAttempt = attemptNamer();
      stack.add(
        (next, context) => async (args) => {
          const { service, operation, attempt } = nameAttempt(context, args.input);
          const started = Date.now();
          try {
            const out = await next(args);
            onCall({ service, operation, region, attempt, durationMs: Date.now() - started, mutating: isMutatingCall(service, operation), input: args.input });
            return out;
          } catch (err) {
            const name = err instanceof Error ? err.name : 'Error';
            onCall({ service, operation, region, attempt, durationMs: Date.now() - started, error: name, mutating: isMutatingCall(service, operation), input: args.input });
            throw err;
          }
        },
        // finalizeRequest/low runs inside the retry middleware: one observation per attempt.
        { step: 'finalizeRequest', priority: 'low', name: 'autopilotCallObserver' },
      );
    },
  };
}

type AnyClient = { middlewareStack: { use(p: Pluggable<any, any>): void } };

/**
 * Client classes register themselves (adapters/aws/sdk/<service>.ts) instead of being imported
 * here: each function's bundle then carries only the SDK clients its adapters use (a
 * bundle with all fourteen is ~600 KB zipped and loads ~40% slower).
 */
export interface ClientClasses {
  rds: new (config: Record<string, unknown>) => RDSClient;
  ecs: new (config: Record<string, unknown>) => ECSClient;
  cloudwatch: new (config: Record<string, unknown>) => CloudWatchClient;
  logs: new (config: Record<string, unknown>) => CloudWatchLogsClient;
  route53: new (config: Record<string, unknown>) => Route53Client;
  sns: new (config: Record<string, unknown>) => SNSClient;
  codedeploy: new (config: Record<string, unknown>) => CodeDeployClient;
  elbv2: new (config: Record<string, unknown>) => ElasticLoadBalancingV2Client;
  dynamodb: new (config: Record<string, unknown>) => DynamoDBClient;
  s3: new (config: Record<string, unknown>) => S3Client;
  appAutoScaling: new (config: Record<string, unknown>) => ApplicationAutoScalingClient;
  elasticache: new (config: Record<string, unknown>) => ElastiCacheClient;
  lambda: new (config: Record<string, unknown>) => LambdaClient;
  eventbridge: new (config: Record<string, unknown>) => EventBridgeClient;
  iam: new (config: Record<string, unknown>) => IAMClient;
  secretsManager: new (config: Record<string, unknown>) => SecretsManagerClient;
  ssm: new (config: Record<string, unknown>) => SSMClient;
}

const registry: Partial<ClientClasses> = {};

export function registerClient<K extends keyof ClientClasses>(name: K, ctor: ClientClasses[K]): void {
  registry[name] = ctor;
}

function clientClass<K extends keyof ClientClasses>(name: K): ClientClasses[K] {
  const ctor = registry[name];
  if (!ctor) throw new Error(`AWS client '${name}' is not registered: import 'adapters/aws/sdk/${name}' in the adapter that uses it`);
  return ctor;
}

export class AwsClients {
  private readonly cache = new Map<string, unknown>();

  constructor(
    readonly region: string,
    private readonly setup: ClientSetup = {},
  ) {}

  private make<T extends AnyClient>(key: string, create: (config: Record<string, unknown>) => T): T {
    const hit = this.cache.get(key);
    if (hit) return hit as T;
    const config: Record<string, unknown> = { region: this.region };
    if (this.setup.credentials) config.credentials = this.setup.credentials;
    if (this.setup.retryStrategy) config.retryStrategy = this.setup.retryStrategy;
    if (this.setup.maxAttempts) config.maxAttempts = this.setup.maxAttempts;
    if (key === 'dynamodb' && this.setup.dynamoEndpoint) config.endpoint = this.setup.dynamoEndpoint;
    const client = create(config);
    if (this.setup.onCall) client.middlewareStack.use(observerPlugin(this.region, this.setup.onCall));
    for (const p of this.setup.plugins ?? []) client.middlewareStack.use(p);
    this.cache.set(key, client);
    return client;
  }

  get rds(): RDSClient { return this.make('rds', (c) => new (clientClass('rds'))(c)); }
  get ecs(): ECSClient { return this.make('ecs', (c) => new (clientClass('ecs'))(c)); }
  get cloudwatch(): CloudWatchClient { return this.make('cloudwatch', (c) => new (clientClass('cloudwatch'))(c)); }
  get logs(): CloudWatchLogsClient { return this.make('logs', (c) => new (clientClass('logs'))(c)); }
  get route53(): Route53Client { return this.make('route53', (c) => new (clientClass('route53'))(c)); }
  get sns(): SNSClient { return this.make('sns', (c) => new (clientClass('sns'))(c)); }
  get codedeploy(): CodeDeployClient { return this.make('codedeploy', (c) => new (clientClass('codedeploy'))(c)); }
  get elbv2(): ElasticLoadBalancingV2Client { return this.make('elbv2', (c) => new (clientClass('elbv2'))(c)); }
  get dynamodb(): DynamoDBClient { return this.make('dynamodb', (c) => new (clientClass('dynamodb'))(c)); }
  get s3(): S3Client { return this.make('s3', (c) => new (clientClass('s3'))(c)); }
  get appAutoScaling(): ApplicationAutoScalingClient { return this.make('aas', (c) => new (clientClass('appAutoScaling'))(c)); }
  get elasticache(): ElastiCacheClient { return this.make('elasticache', (c) => new (clientClass('elasticache'))(c)); }
  get lambda(): LambdaClient { return this.make('lambda', (c) => new (clientClass('lambda'))(c)); }
  get eventbridge(): EventBridgeClient { return this.make('eventbridge', (c) => new (clientClass('eventbridge'))(c)); }
  /** IAM is global: its endpoint (iam.amazonaws.com) signs in us-east-1 whatever the region of these clients. */
  get iam(): IAMClient { return this.make('iam', (c) => new (clientClass('iam'))(c)); }
  get secretsManager(): SecretsManagerClient { return this.make('secretsManager', (c) => new (clientClass('secretsManager'))(c)); }
  get ssm(): SSMClient { return this.make('ssm', (c) => new (clientClass('ssm'))(c)); }
}

/** Clients for every region the runbooks touch, sharing one setup. */
export class AwsRegions {
  private readonly byRegion = new Map<string, AwsClients>();
  constructor(private readonly setup: ClientSetup = {}) {}
  /** The DNS data plane these clients see (the simulated region's in drills and tests). */
  get dns(): DnsResolver {
    return this.setup.dnsResolver ?? hostDnsResolver;
  }
  in(region: string): AwsClients {
    let c = this.byRegion.get(region);
    if (!c) {
      c = new AwsClients(region, this.setup);
      this.byRegion.set(region, c);
    }
    return c;
  }
}
