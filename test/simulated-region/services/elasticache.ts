/** ElastiCache (the dependency checks read the cache clusters' status). */
import * as ecSdk from '@aws-sdk/client-elasticache';
import type { CacheCluster, DescribeCacheClustersCommandInput, DescribeCacheClustersCommandOutput } from '@aws-sdk/client-elasticache';
import { awsError } from '../errors';
import { paginate } from '../paging';
import type { CacheClusterSpec, ElastiCacheSpec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq } from '../iam-arns';
import { obj, map, type Json, type Problems } from '../spec-checks';
import type { OpContext, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

export interface ElastiCacheState {
  clusters: Map<string, CacheClusterSpec & { createdAt: number }>;
}

declare module '../state' {
  interface RegionState {
    elasticache: ElastiCacheState;
  }
}

function initElastiCache(world: SimWorld, spec: ElastiCacheSpec | undefined): ElastiCacheState {
  return { clusters: new Map(Object.entries(spec?.clusters ?? {}).map(([id, c]) => [id, { ...c, createdAt: world.startMs - 200 * 86400_000 }])) };
}

function setCacheStatus(world: SimWorld, region: string, id: string, status: string): void {
  const c = world.region(region).elasticache.clusters.get(id);
  if (!c) throw new Error(`world change: no cache cluster '${id}' in ${region}`);
  c.status = status;
}

function describeCacheClusters(ctx: OpContext, input: DescribeCacheClustersCommandInput): Out<DescribeCacheClustersCommandOutput> {
  if (input.MaxRecords !== undefined && (input.MaxRecords < 20 || input.MaxRecords > 100)) throw awsError('InvalidParameterValue', 'MaxRecords must be between 20 and 100', { status: 400, sdk: ecSdk });
  let list = [...ctx.r.elasticache.clusters.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (input.CacheClusterId) {
    list = list.filter(([id]) => id === input.CacheClusterId);
    if (!list.length) throw awsError('CacheClusterNotFoundFault', `CacheCluster not found: ${input.CacheClusterId}`, { status: 404, sdk: ecSdk });
  }
  const page = paginate(list, input.Marker, input.MaxRecords, 2, 'ec:clusters');
  const regionCode = ctx.region === 'us-east-1' ? 'use1' : ctx.region === 'us-west-2' ? 'usw2' : ctx.region;
  return {
    CacheClusters: page.items.map(([id, c]): CacheCluster => ({
      CacheClusterId: id,
      ARN: `arn:aws:elasticache:${ctx.region}:${ctx.world.account}:cluster:${id}`,
      CacheNodeType: c.nodeType ?? 'cache.t3.micro',
      Engine: c.engine ?? 'redis',
      EngineVersion: '7.1.0',
      CacheClusterStatus: c.status ?? 'available',
      NumCacheNodes: c.numNodes ?? 1,
      PreferredAvailabilityZone: `${ctx.region}a`,
      CacheClusterCreateTime: new Date(c.createdAt),
      ...(input.ShowCacheNodeInfo
        ? {
            CacheNodes: Array.from({ length: c.numNodes ?? 1 }, (_, i) => ({
              CacheNodeId: String(i + 1).padStart(4, '0'),
              CacheNodeStatus: c.status ?? 'available',
              CacheNodeCreateTime: new Date(c.createdAt),
              Endpoint: { Address: `${id}.abc123.${String(i + 1).padStart(4, '0')}.${regionCode}.cache.amazonaws.com`, Port: 6379 },
              ParameterGroupStatus: 'in-sync',
            })),
          }
        : {}),
    })),
    Marker: page.next,
  };
}

/** `regions.<r>.elasticache` of a WorldSpec. */
function validateElastiCacheSpec(p: Problems, path: string, spec: Json): void {
  const ec = obj(p, path, spec, ['clusters']);
  map(p, `${path}.clusters`, ec?.clusters, (at, _k, x) => void obj(p, at, x, ['status', 'engine', 'nodeType', 'numNodes']));
}

export const service: ServiceSim = {
  name: 'ElastiCache',
  sdk: ecSdk,
  throttleError: 'Throttling',
  ops: { DescribeCacheClusters: describeCacheClusters },
  iam: {
    DescribeCacheClusters: (c) => [authReq('elasticache:DescribeCacheClusters', arnIn('elasticache', c.region, c.account, `cluster:${String(c.input.CacheClusterId ?? '*')}`))],
  },
  region: { key: 'elasticache', init: (world, _region, spec) => initElastiCache(world, spec), validate: validateElastiCacheSpec },
  changes: {
    'cache-status': { required: ['region', 'id', 'status'], optional: [], apply: (world, c) => setCacheStatus(world, c.region, c.id, c.status) },
  },
};
