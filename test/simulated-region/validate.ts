/**
 * WorldSpec validation: every problem names its path (`regions.us-east-1.rds.instances.x.status: ...`).
 * Unknown keys are errors too: a typo in a scenario must not silently fall back to the baseline.
 */
import { SIM_REGIONS, type WorldSpec } from './spec';

type Problems = string[];
type Json = unknown;

const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function keysOk(p: Problems, path: string, v: Record<string, Json>, allowed: string[]): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) p.push(`${path}.${k}: unknown field (expected one of: ${allowed.join(', ')})`);
}

function obj(p: Problems, path: string, v: Json, allowed: string[], required: string[] = []): Record<string, Json> | undefined {
  if (!isObj(v)) {
    p.push(`${path}: expected an object, got ${JSON.stringify(v)}`);
    return undefined;
  }
  keysOk(p, path, v, allowed);
  for (const r of required) if (v[r] === undefined) p.push(`${path}.${r}: required`);
  return v;
}

function map(p: Problems, path: string, v: Json, each: (path: string, key: string, v: Json) => void): void {
  if (v === undefined) return;
  if (!isObj(v)) {
    p.push(`${path}: expected an object keyed by id/name, got ${Array.isArray(v) ? 'an array' : JSON.stringify(v)}`);
    return;
  }
  for (const [k, x] of Object.entries(v)) each(`${path}.${k}`, k, x);
}

function str(p: Problems, path: string, v: Json, optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string' || v === '') p.push(`${path}: expected a non-empty string, got ${JSON.stringify(v)}`);
}

function num(p: Problems, path: string, v: Json, opts: { optional?: boolean; min?: number; max?: number; integer?: boolean } = {}): void {
  if (v === undefined && opts.optional !== false) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    p.push(`${path}: expected a number, got ${JSON.stringify(v)}`);
    return;
  }
  if (opts.integer && !Number.isInteger(v)) p.push(`${path}: expected an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) p.push(`${path}: must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) p.push(`${path}: must be <= ${opts.max}, got ${v}`);
}

function bool(p: Problems, path: string, v: Json): void {
  if (v !== undefined && typeof v !== 'boolean') p.push(`${path}: expected true or false, got ${JSON.stringify(v)}`);
}

function oneOf(p: Problems, path: string, v: Json, values: readonly string[], optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string' || !values.includes(v)) p.push(`${path}: expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
}

function time(p: Problems, path: string, v: Json, optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v === 'number' && Number.isFinite(v)) return;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return;
  p.push(`${path}: expected seconds from start (number) or an ISO time, got ${JSON.stringify(v)}`);
}

function strings(p: Problems, path: string, v: Json): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) p.push(`${path}: expected an array of strings`);
}

function stringMap(p: Problems, path: string, v: Json): void {
  if (v === undefined) return;
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== 'string')) p.push(`${path}: expected an object of strings`);
}

function series(p: Problems, path: string, v: Json, optional = false): void {
  if (v === undefined && optional) return;
  if (typeof v === 'number' && Number.isFinite(v)) return;
  const o = obj(p, path, v, ['points', 'interpolate'], ['points']);
  if (!o) return;
  oneOf(p, `${path}.interpolate`, o.interpolate, ['step', 'linear']);
  if (!Array.isArray(o.points) || o.points.length === 0) {
    p.push(`${path}.points: expected a non-empty array of { t, v }`);
    return;
  }
  o.points.forEach((pt, i) => {
    const q = obj(p, `${path}.points[${i}]`, pt, ['t', 'v'], ['t', 'v']);
    if (q) {
      num(p, `${path}.points[${i}].t`, q.t);
      num(p, `${path}.points[${i}].v`, q.v);
    }
  });
}

const CONDITION_KINDS = ['serving', 'runningBelow', 'dbStatus', 'dnsPointsTo', 'after', 'before', 'not', 'all', 'any'];

function condition(p: Problems, path: string, v: Json): void {
  if (!isObj(v) || Object.keys(v).length !== 1) {
    p.push(`${path}: expected exactly one of ${CONDITION_KINDS.join(', ')}`);
    return;
  }
  const [kind, body] = Object.entries(v)[0] ?? ['', undefined];
  const at = `${path}.${kind}`;
  switch (kind) {
    case 'serving': {
      const o = obj(p, at, body, ['region', 'cluster', 'service', 'taskDefinition'], ['region', 'cluster', 'service', 'taskDefinition']);
      if (o) region(p, `${at}.region`, o.region);
      return;
    }
    case 'runningBelow': {
      const o = obj(p, at, body, ['region', 'cluster', 'service', 'count'], ['region', 'cluster', 'service', 'count']);
      if (o) num(p, `${at}.count`, o.count, { min: 0 });
      return;
    }
    case 'dbStatus': {
      const o = obj(p, at, body, ['region', 'id', 'status'], ['region', 'id', 'status']);
      if (o && typeof o.status !== 'string') strings(p, `${at}.status`, o.status);
      return;
    }
    case 'dnsPointsTo':
      obj(p, at, body, ['zoneId', 'name', 'setIdentifier', 'contains'], ['zoneId', 'name', 'contains']);
      return;
    case 'after':
    case 'before':
      num(p, at, body, { optional: false });
      return;
    case 'not':
      condition(p, at, body);
      return;
    case 'all':
    case 'any':
      if (!Array.isArray(body)) p.push(`${at}: expected an array of conditions`);
      else body.forEach((c, i) => condition(p, `${at}[${i}]`, c));
      return;
    default:
      p.push(`${path}: unknown condition '${kind}' (expected one of ${CONDITION_KINDS.join(', ')})`);
  }
}

function region(p: Problems, path: string, v: Json): void {
  oneOf(p, path, v, SIM_REGIONS, false);
}

const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
const HANG_TARGETS = ['rds-promotion', 'rds-modify', 'rds-restore', 'rds-snapshot', 'ecs-deployment', 'route53-change', 'codedeploy-rollback'] as const;

export function validateFault(p: Problems, path: string, v: Json): void {
  if (!isObj(v)) {
    p.push(`${path}: expected a fault object`);
    return;
  }
  oneOf(p, `${path}.kind`, v.kind, ['throttle', 'server-error', 'timeout', 'hang'], false);
  str(p, `${path}.id`, v.id);
  if (v.kind === 'hang') {
    keysOk(p, path, v, ['id', 'kind', 'what', 'region', 'resource']);
    oneOf(p, `${path}.what`, v.what, HANG_TARGETS, false);
    if (v.region !== undefined) region(p, `${path}.region`, v.region);
    str(p, `${path}.resource`, v.resource);
    return;
  }
  keysOk(p, path, v, ['id', 'kind', 'service', 'operation', 'region', 'first', 'probability', 'from', 'until', 'status']);
  str(p, `${path}.service`, v.service);
  str(p, `${path}.operation`, v.operation);
  if (v.region !== undefined && v.region !== '*') region(p, `${path}.region`, v.region);
  num(p, `${path}.first`, v.first, { min: 0, integer: true });
  num(p, `${path}.probability`, v.probability, { min: 0, max: 1 });
  num(p, `${path}.from`, v.from);
  num(p, `${path}.until`, v.until);
  if (v.status !== undefined && v.status !== 500 && v.status !== 503) p.push(`${path}.status: expected 500 or 503, got ${JSON.stringify(v.status)}`);
  if (v.service === undefined && v.operation === undefined) p.push(`${path}: a call fault needs a service and/or an operation (a fault on every call is never what a scenario means)`);
}

const CHANGE_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  'db-status': { required: ['region', 'id', 'status'], optional: [] },
  'replica-lag': { required: ['region', 'id', 'seconds'], optional: [] },
  'health-check': { required: ['id', 'status'], optional: [] },
  'alarm-state': { required: ['region', 'name', 'state'], optional: ['reason'] },
  metric: { required: ['region', 'metric', 'series'], optional: [] },
  log: { required: ['region', 'group', 'message'], optional: ['stream'] },
  'task-definition-fails': { required: ['region', 'taskDefinition', 'reason'], optional: [] },
  'ecs-deploy': { required: ['region', 'cluster', 'service'], optional: ['taskDefinition', 'desiredCount', 'forceNewDeployment'] },
  'ecs-tasks-stop': { required: ['region', 'cluster', 'service'], optional: ['count', 'reason'] },
  'cache-status': { required: ['region', 'id', 'status'], optional: [] },
  fault: { required: ['fault'], optional: [] },
  'clear-faults': { required: [], optional: ['ids'] },
};

export function validateChange(p: Problems, path: string, v: Json): void {
  if (!isObj(v)) {
    p.push(`${path}: expected a change object with a kind`);
    return;
  }
  const fields = typeof v.kind === 'string' ? CHANGE_FIELDS[v.kind] : undefined;
  if (!fields) {
    p.push(`${path}.kind: expected one of ${Object.keys(CHANGE_FIELDS).join(', ')}, got ${JSON.stringify(v.kind)}`);
    return;
  }
  obj(p, path, v, ['kind', ...fields.required, ...fields.optional], fields.required);
  if (v.region !== undefined) region(p, `${path}.region`, v.region);
  if (v.kind === 'alarm-state') oneOf(p, `${path}.state`, v.state, ALARM_STATES, false);
  if (v.kind === 'metric') series(p, `${path}.series`, v.series);
  if (v.kind === 'replica-lag') num(p, `${path}.seconds`, v.seconds, { min: 0 });
  if (v.kind === 'health-check') oneOf(p, `${path}.status`, v.status, ['healthy', 'unhealthy'], false);
  if (v.kind === 'task-definition-fails' && v.reason !== null) str(p, `${path}.reason`, v.reason, false);
  if (v.kind === 'ecs-tasks-stop') num(p, `${path}.count`, v.count, { min: 1, integer: true });
  if (v.kind === 'ecs-deploy') {
    str(p, `${path}.taskDefinition`, v.taskDefinition);
    num(p, `${path}.desiredCount`, v.desiredCount, { min: 0, integer: true });
    bool(p, `${path}.forceNewDeployment`, v.forceNewDeployment);
    if (v.taskDefinition === undefined && v.desiredCount === undefined && v.forceNewDeployment !== true) p.push(`${path}: an ecs-deploy needs taskDefinition, desiredCount or forceNewDeployment`);
  }
  if (v.kind === 'fault') validateFault(p, `${path}.fault`, v.fault);
  if (v.kind === 'clear-faults') strings(p, `${path}.ids`, v.ids);
}

function validateRegion(p: Problems, path: string, v: Json): void {
  const r = obj(p, path, v, ['rds', 'ecs', 'cloudwatch', 'logs', 'codedeploy', 'elbv2', 's3', 'autoscaling', 'elasticache', 'sns']);
  if (!r) return;
  if (r.rds !== undefined) {
    const rds = obj(p, `${path}.rds`, r.rds, ['instances', 'snapshots', 'timings']);
    map(p, `${path}.rds.instances`, rds?.instances, (at, _k, x) => {
      const i = obj(p, at, x, ['status', 'instanceClass', 'engine', 'engineVersion', 'endpointAddress', 'port', 'dbName', 'masterUsername', 'replicaOf', 'replicaLagSeconds', 'backupRetentionPeriod', 'multiAZ', 'createdAt', 'earliestRestorableTime', 'latestRestorableTime', 'subnetGroupName', 'vpcSecurityGroupIds', 'deletionProtection', 'availabilityZone', 'tags', 'parameterGroupName', 'optionGroupName', 'storageType', 'kmsKeyId', 'monitoringInterval', 'monitoringRoleArn']);
      if (!i) return;
      for (const f of ['status', 'instanceClass', 'engine', 'engineVersion', 'endpointAddress', 'dbName', 'masterUsername', 'replicaOf', 'subnetGroupName', 'availabilityZone', 'parameterGroupName', 'optionGroupName', 'storageType', 'kmsKeyId', 'monitoringRoleArn']) str(p, `${at}.${f}`, i[f]);
      // RDS Enhanced Monitoring intervals: 0, 1, 5, 10, 15, 30, 60 (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html MonitoringInterval).
      if (i.monitoringInterval !== undefined && ![0, 1, 5, 10, 15, 30, 60].includes(i.monitoringInterval as number)) p.push(`${at}.monitoringInterval: expected one of 0, 1, 5, 10, 15, 30, 60`);
      num(p, `${at}.port`, i.port, { min: 1, integer: true });
      num(p, `${at}.backupRetentionPeriod`, i.backupRetentionPeriod, { min: 0, max: 35, integer: true });
      series(p, `${at}.replicaLagSeconds`, i.replicaLagSeconds, true);
      bool(p, `${at}.multiAZ`, i.multiAZ);
      bool(p, `${at}.deletionProtection`, i.deletionProtection);
      for (const f of ['createdAt', 'earliestRestorableTime', 'latestRestorableTime']) time(p, `${at}.${f}`, i[f]);
      strings(p, `${at}.vpcSecurityGroupIds`, i.vpcSecurityGroupIds);
      stringMap(p, `${at}.tags`, i.tags);
      if (i.replicaLagSeconds !== undefined && i.replicaOf === undefined) p.push(`${at}.replicaLagSeconds: only a read replica (replicaOf) has a replica lag`);
    });
    map(p, `${path}.rds.snapshots`, rds?.snapshots, (at, _k, x) => {
      const s = obj(p, at, x, ['instanceId', 'type', 'status', 'createdAt', 'engine', 'allocatedStorage'], ['instanceId', 'createdAt']);
      if (!s) return;
      str(p, `${at}.instanceId`, s.instanceId, false);
      oneOf(p, `${at}.type`, s.type, ['automated', 'manual']);
      time(p, `${at}.createdAt`, s.createdAt, false);
    });
    if (rds?.timings !== undefined) {
      const t = obj(p, `${path}.rds.timings`, rds.timings, ['promoteModifyingSeconds', 'promoteTotalSeconds', 'modifySeconds', 'snapshotSeconds', 'restoreSeconds']);
      if (t) for (const [k, x] of Object.entries(t)) num(p, `${path}.rds.timings.${k}`, x, { min: 1 });
    }
  }
  if (r.ecs !== undefined) {
    const ecs = obj(p, `${path}.ecs`, r.ecs, ['clusters', 'taskDefinitions', 'timings']);
    const defs = isObj(ecs?.taskDefinitions) ? ecs.taskDefinitions : {};
    map(p, `${path}.ecs.taskDefinitions`, ecs?.taskDefinitions, (at, key, x) => {
      const t = obj(p, at, x, ['family', 'revision', 'status', 'containers', 'cpu', 'memory', 'registeredAt', 'tags', 'failsWith', 'failExitCode', 'taskRoleArn', 'executionRoleArn'], ['family', 'revision', 'containers']);
      if (!t) return;
      str(p, `${at}.family`, t.family, false);
      num(p, `${at}.revision`, t.revision, { min: 1, integer: true, optional: false });
      if (typeof t.family === 'string' && typeof t.revision === 'number' && key !== `${t.family}:${t.revision}`) p.push(`${at}: key must be '${t.family}:${t.revision}' (family:revision)`);
      oneOf(p, `${at}.status`, t.status, ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS']);
      time(p, `${at}.registeredAt`, t.registeredAt);
      stringMap(p, `${at}.tags`, t.tags);
      str(p, `${at}.failsWith`, t.failsWith);
      if (isObj(t.containers) && Object.keys(t.containers).length === 0) p.push(`${at}.containers: at least one container`);
      map(p, `${at}.containers`, t.containers, (cat, _n, c) => {
        const co = obj(p, cat, c, ['image', 'environment', 'secrets', 'cpu', 'memory', 'essential', 'portMappings'], ['image']);
        if (!co) return;
        str(p, `${cat}.image`, co.image, false);
        stringMap(p, `${cat}.environment`, co.environment);
        stringMap(p, `${cat}.secrets`, co.secrets);
      });
    });
    map(p, `${path}.ecs.clusters`, ecs?.clusters, (cat, _c, c) => {
      const co = obj(p, cat, c, ['services']);
      map(p, `${cat}.services`, co?.services, (at, _s, s) => {
        const so = obj(p, at, s, ['taskDefinition', 'desiredCount', 'runningCount', 'deployments', 'deployedAt', 'launchType', 'loadBalancers', 'circuitBreaker', 'minimumHealthyPercent', 'maximumPercent', 'events', 'deploymentController'], ['taskDefinition', 'desiredCount']);
        if (!so) return;
        oneOf(p, `${at}.deploymentController`, so.deploymentController, ['ECS', 'CODE_DEPLOY', 'EXTERNAL']);
        str(p, `${at}.taskDefinition`, so.taskDefinition, false);
        if (typeof so.taskDefinition === 'string' && !(so.taskDefinition in defs)) p.push(`${at}.taskDefinition: '${so.taskDefinition}' is not in ${path}.ecs.taskDefinitions`);
        num(p, `${at}.desiredCount`, so.desiredCount, { min: 0, integer: true, optional: false });
        num(p, `${at}.runningCount`, so.runningCount, { min: 0, integer: true });
        time(p, `${at}.deployedAt`, so.deployedAt);
        map(p, `${at}.deployments`, so.deployments, (dat, _d, d) => {
          const dep = obj(p, dat, d, ['taskDefinition', 'status', 'rolloutState', 'createdAt', 'runningCount'], ['taskDefinition', 'status']);
          if (!dep) return;
          oneOf(p, `${dat}.status`, dep.status, ['PRIMARY', 'ACTIVE'], false);
          oneOf(p, `${dat}.rolloutState`, dep.rolloutState, ['COMPLETED', 'IN_PROGRESS', 'FAILED']);
          if (typeof dep.taskDefinition === 'string' && !(dep.taskDefinition in defs)) p.push(`${dat}.taskDefinition: '${dep.taskDefinition}' is not in ${path}.ecs.taskDefinitions`);
        });
        if (isObj(so.deployments) && Object.values(so.deployments).filter((d) => isObj(d) && d.status === 'PRIMARY').length !== 1) p.push(`${at}.deployments: exactly one PRIMARY deployment`);
      });
    });
  }
  if (r.cloudwatch !== undefined) {
    const cw = obj(p, `${path}.cloudwatch`, r.cloudwatch, ['metrics', 'alarms']);
    map(p, `${path}.cloudwatch.metrics`, cw?.metrics, (at, _k, x) => {
      const m = obj(p, at, x, ['namespace', 'metricName', 'dimensions', 'unit', 'series', 'overrides', 'gaps', 'perTask'], ['namespace', 'metricName', 'series']);
      if (!m) return;
      if (m.perTask !== undefined) {
        const pt = obj(p, `${at}.perTask`, m.perTask, ['region', 'cluster', 'service', 'baselineTasks', 'max'], ['region', 'cluster', 'service', 'baselineTasks']);
        if (pt) {
          region(p, `${at}.perTask.region`, pt.region);
          num(p, `${at}.perTask.baselineTasks`, pt.baselineTasks, { min: 1, integer: true });
          num(p, `${at}.perTask.max`, pt.max, { min: 0 });
        }
      }
      str(p, `${at}.namespace`, m.namespace, false);
      str(p, `${at}.metricName`, m.metricName, false);
      stringMap(p, `${at}.dimensions`, m.dimensions);
      series(p, `${at}.series`, m.series);
      if (m.overrides !== undefined) {
        if (!Array.isArray(m.overrides)) p.push(`${at}.overrides: expected an array of { when, series }`);
        else
          m.overrides.forEach((o, i) => {
            const oo = obj(p, `${at}.overrides[${i}]`, o, ['when', 'series'], ['when', 'series']);
            if (!oo) return;
            condition(p, `${at}.overrides[${i}].when`, oo.when);
            series(p, `${at}.overrides[${i}].series`, oo.series);
          });
      }
    });
    map(p, `${path}.cloudwatch.alarms`, cw?.alarms, (at, _k, x) => {
      const a = obj(p, at, x, ['namespace', 'metricName', 'dimensions', 'statistic', 'period', 'evaluationPeriods', 'datapointsToAlarm', 'threshold', 'comparison', 'treatMissingData', 'mode', 'state', 'stateReason', 'timeline', 'actionsEnabled', 'alarmActions', 'okActions', 'description']);
      if (!a) return;
      oneOf(p, `${at}.statistic`, a.statistic, ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']);
      oneOf(p, `${at}.comparison`, a.comparison, ['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold']);
      oneOf(p, `${at}.treatMissingData`, a.treatMissingData, ['missing', 'breaching', 'notBreaching', 'ignore']);
      oneOf(p, `${at}.mode`, a.mode, ['metric', 'fixed']);
      oneOf(p, `${at}.state`, a.state, ALARM_STATES);
      num(p, `${at}.period`, a.period, { min: 60 });
      if (typeof a.period === 'number' && a.period % 60 !== 0) p.push(`${at}.period: must be a multiple of 60`);
      num(p, `${at}.evaluationPeriods`, a.evaluationPeriods, { min: 1, integer: true });
      num(p, `${at}.datapointsToAlarm`, a.datapointsToAlarm, { min: 1, integer: true });
      num(p, `${at}.threshold`, a.threshold);
      if (a.mode === 'metric' && (a.metricName === undefined || a.threshold === undefined)) p.push(`${at}: a 'metric' alarm needs metricName and threshold`);
      if (a.timeline !== undefined) {
        if (!Array.isArray(a.timeline)) p.push(`${at}.timeline: expected an array of { t, state, reason? }`);
        else
          a.timeline.forEach((s, i) => {
            const so = obj(p, `${at}.timeline[${i}]`, s, ['t', 'state', 'reason'], ['t', 'state']);
            if (!so) return;
            num(p, `${at}.timeline[${i}].t`, so.t);
            oneOf(p, `${at}.timeline[${i}].state`, so.state, ALARM_STATES, false);
          });
      }
    });
  }
  if (r.logs !== undefined) {
    const l = obj(p, `${path}.logs`, r.logs, ['groups']);
    map(p, `${path}.logs.groups`, l?.groups, (at, _k, x) => {
      const g = obj(p, at, x, ['lines', 'generators']);
      if (!g) return;
      if (g.lines !== undefined && !Array.isArray(g.lines)) p.push(`${at}.lines: expected an array of { t, message, stream? }`);
      else
        (g.lines ?? []).forEach((ln, i) => {
          const lo = obj(p, `${at}.lines[${i}]`, ln, ['t', 'message', 'stream'], ['t', 'message']);
          if (lo) num(p, `${at}.lines[${i}].t`, lo.t);
        });
      if (g.generators !== undefined && !Array.isArray(g.generators)) p.push(`${at}.generators: expected an array`);
      else
        (g.generators ?? []).forEach((gen, i) => {
          const go = obj(p, `${at}.generators[${i}]`, gen, ['from', 'to', 'everySeconds', 'message', 'stream', 'when'], ['from', 'to', 'everySeconds', 'message']);
          if (!go) return;
          num(p, `${at}.generators[${i}].everySeconds`, go.everySeconds, { min: 1 });
          if (go.when !== undefined) condition(p, `${at}.generators[${i}].when`, go.when);
        });
    });
  }
  if (r.codedeploy !== undefined) {
    const cd = obj(p, `${path}.codedeploy`, r.codedeploy, ['applications']);
    map(p, `${path}.codedeploy.applications`, cd?.applications, (at, _k, x) => {
      const a = obj(p, at, x, ['computePlatform', 'groups']);
      map(p, `${at}.groups`, a?.groups, (gat, _g, g) => {
        const go = obj(p, gat, g, ['deployments', 'rollbackOutcome', 'rollbackSeconds']);
        if (!go) return;
        oneOf(p, `${gat}.rollbackOutcome`, go.rollbackOutcome, ['Succeeded', 'Failed']);
        num(p, `${gat}.rollbackSeconds`, go.rollbackSeconds, { min: 1 });
        map(p, `${gat}.deployments`, go.deployments, (dat, id, d) => {
          if (!/^d-[A-Z0-9]{9}$/.test(id)) p.push(`${dat}: deployment ids look like d-XXXXXXXXX (9 upper-case letters or digits)`);
          const dep = obj(p, dat, d, ['status', 'createdAt', 'completedAt', 'taskDefinition', 'creator', 'description'], ['status', 'createdAt']);
          if (!dep) return;
          oneOf(p, `${dat}.status`, dep.status, ['Created', 'Queued', 'InProgress', 'Baking', 'Succeeded', 'Failed', 'Stopped', 'Ready'], false);
          time(p, `${dat}.createdAt`, dep.createdAt, false);
        });
      });
    });
  }
  if (r.elbv2 !== undefined) {
    const e = obj(p, `${path}.elbv2`, r.elbv2, ['targetGroups', 'listeners']);
    const tgs = isObj(e?.targetGroups) ? e.targetGroups : {};
    map(p, `${path}.elbv2.targetGroups`, e?.targetGroups, (at, _k, x) => {
      obj(p, at, x, ['name', 'port', 'protocol', 'healthCheckPath', 'loadBalancerArns', 'targets'], ['name']);
    });
    map(p, `${path}.elbv2.listeners`, e?.listeners, (at, _k, x) => {
      const l = obj(p, at, x, ['loadBalancerArn', 'port', 'protocol', 'forward'], ['loadBalancerArn', 'port', 'protocol', 'forward']);
      if (!l) return;
      if (!Array.isArray(l.forward) || !l.forward.length) p.push(`${at}.forward: expected a non-empty array of { targetGroupArn, weight? }`);
      else l.forward.forEach((f, i) => isObj(f) && typeof f.targetGroupArn === 'string' && !(f.targetGroupArn in tgs) && p.push(`${at}.forward[${i}].targetGroupArn: not in ${path}.elbv2.targetGroups`));
    });
  }
  if (r.s3 !== undefined) {
    const s3 = obj(p, `${path}.s3`, r.s3, ['buckets']);
    map(p, `${path}.s3.buckets`, s3?.buckets, (at, _k, x) => {
      const b = obj(p, at, x, ['versioning', 'objects', 'kmsKeyId']);
      if (!b) return;
      str(p, `${at}.kmsKeyId`, b.kmsKeyId);
      oneOf(p, `${at}.versioning`, b.versioning, ['Enabled', 'Suspended']);
      map(p, `${at}.objects`, b.objects, (oat, _key, vs) => {
        if (!Array.isArray(vs) || !vs.length) {
          p.push(`${oat}: expected a non-empty array of versions (oldest first)`);
          return;
        }
        vs.forEach((v, i) => {
          const vo = obj(p, `${oat}[${i}]`, v, ['versionId', 'lastModified', 'size', 'etag', 'deleteMarker', 'tags'], ['versionId', 'lastModified']);
          if (vo) time(p, `${oat}[${i}].lastModified`, vo.lastModified, false);
          if (vo) stringMap(p, `${oat}[${i}].tags`, vo.tags);
        });
      });
    });
  }
  if (r.autoscaling !== undefined) {
    const a = obj(p, `${path}.autoscaling`, r.autoscaling, ['targets']);
    map(p, `${path}.autoscaling.targets`, a?.targets, (at, _k, x) => {
      const t = obj(p, at, x, ['namespace', 'resourceId', 'dimension', 'minCapacity', 'maxCapacity', 'policies'], ['resourceId', 'minCapacity', 'maxCapacity']);
      if (!t) return;
      num(p, `${at}.minCapacity`, t.minCapacity, { min: 0, integer: true });
      num(p, `${at}.maxCapacity`, t.maxCapacity, { min: 0, integer: true });
    });
  }
  if (r.elasticache !== undefined) {
    const ec = obj(p, `${path}.elasticache`, r.elasticache, ['clusters']);
    map(p, `${path}.elasticache.clusters`, ec?.clusters, (at, _k, x) => void obj(p, at, x, ['status', 'engine', 'nodeType', 'numNodes']));
  }
  if (r.sns !== undefined) {
    const s = obj(p, `${path}.sns`, r.sns, ['topics', 'subscriptions']);
    strings(p, `${path}.sns.topics`, s?.topics);
    if (s?.subscriptions !== undefined) {
      if (!Array.isArray(s.subscriptions)) p.push(`${path}.sns.subscriptions: must be an array`);
      else
        s.subscriptions.forEach((x, i) => {
          const at = `${path}.sns.subscriptions[${i}]`;
          const sub = obj(p, at, x, ['topicArn', 'protocol', 'endpoint', 'pending'], ['topicArn', 'protocol', 'endpoint']);
          str(p, `${at}.topicArn`, sub?.topicArn, false);
          str(p, `${at}.protocol`, sub?.protocol, false);
          str(p, `${at}.endpoint`, sub?.endpoint, false);
          if (sub?.pending !== undefined) bool(p, `${at}.pending`, sub.pending);
        });
    }
  }
}

export function validateWorld(spec: WorldSpec): string[] {
  const p: Problems = [];
  const w = obj(p, 'world', spec as unknown, ['account', 'start', 'seed', 'regions', 'route53', 'faults', 'schedule'], ['start', 'regions']);
  if (!w) return p;
  if (typeof w.start !== 'string' || Number.isNaN(Date.parse(w.start))) p.push(`start: expected an ISO timestamp, got ${JSON.stringify(w.start)}`);
  if (w.account !== undefined && (typeof w.account !== 'string' || !/^\d{12}$/.test(w.account))) p.push(`account: expected a 12-digit account id, got ${JSON.stringify(w.account)}`);
  num(p, 'seed', w.seed, { integer: true });
  map(p, 'regions', w.regions, (at, name, r) => {
    if (!(SIM_REGIONS as readonly string[]).includes(name)) p.push(`${at}: unknown region (simulated: ${SIM_REGIONS.join(', ')})`);
    else validateRegion(p, at, r);
  });
  if (w.route53 !== undefined) {
    const r = obj(p, 'route53', w.route53, ['zones', 'propagationSeconds', 'healthChecks']);
    num(p, 'route53.propagationSeconds', r?.propagationSeconds, { min: 1 });
    map(p, 'route53.healthChecks', r?.healthChecks, (at, _id, hc) => {
      const ho = obj(p, at, hc, ['status']);
      oneOf(p, `${at}.status`, ho?.status, ['healthy', 'unhealthy']);
    });
    map(p, 'route53.zones', r?.zones, (at, _id, z) => {
      const zo = obj(p, at, z, ['name', 'privateZone', 'records'], ['name']);
      map(p, `${at}.records`, zo?.records, (rat, _k, rec) => {
        const ro = obj(p, rat, rec, ['name', 'type', 'setIdentifier', 'failover', 'weight', 'ttl', 'values', 'alias', 'healthCheckId'], ['name', 'type']);
        if (!ro) return;
        oneOf(p, `${rat}.failover`, ro.failover, ['PRIMARY', 'SECONDARY']);
        if (ro.alias === undefined && ro.values === undefined) p.push(`${rat}: needs alias or values`);
        if (ro.alias !== undefined) obj(p, `${rat}.alias`, ro.alias, ['hostedZoneId', 'dnsName', 'evaluateTargetHealth'], ['hostedZoneId', 'dnsName']);
        strings(p, `${rat}.values`, ro.values);
      });
    });
  }
  if (w.faults !== undefined) {
    if (!Array.isArray(w.faults)) p.push('faults: expected an array');
    else w.faults.forEach((f, i) => validateFault(p, `faults[${i}]`, f));
  }
  if (w.schedule !== undefined) {
    if (!Array.isArray(w.schedule)) p.push('schedule: expected an array of { at, change, note? }');
    else
      w.schedule.forEach((s, i) => {
        const so = obj(p, `schedule[${i}]`, s, ['at', 'change', 'note'], ['at', 'change']);
        if (!so) return;
        num(p, `schedule[${i}].at`, so.at, { optional: false });
        validateChange(p, `schedule[${i}].change`, so.change);
      });
  }
  return p;
}
