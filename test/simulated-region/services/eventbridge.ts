/** EventBridge: PutEvents entries (hand-offs between runbooks) land in world.busOutbox. */
import * as ebSdk from '@aws-sdk/client-eventbridge';
import type { PutEventsCommandInput, PutEventsCommandOutput, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { awsError } from '../errors';
import { arnIn, authReq, isArn } from '../iam-arns';
import type { OpContext, IamCall, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

function putEvents(ctx: OpContext, input: PutEventsCommandInput): Out<PutEventsCommandOutput> {
  const entries = input.Entries ?? [];
  if (entries.length < 1 || entries.length > 10) throw awsError('ValidationException', '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10', { status: 400, sdk: ebSdk });
  const results: PutEventsResultEntry[] = [];
  let failed = 0;
  for (const e of entries) {
    if (!e.Source || !e.DetailType || e.Detail === undefined) {
      failed++;
      results.push({ ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.' });
      continue;
    }
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      failed++;
      results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
      continue;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      failed++;
      results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' });
      continue;
    }
    const id = ctx.world.ids.uuid();
    const at = e.Time ? new Date(e.Time).getTime() : ctx.now;
    ctx.world.busOutbox.push({
      at: ctx.now,
      region: ctx.region,
      eventBusName: e.EventBusName ?? 'default',
      id,
      source: e.Source,
      detailType: e.DetailType,
      detail,
      resources: e.Resources ?? [],
      time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      account: ctx.world.account,
    });
    results.push({ EventId: id });
  }
  return { FailedEntryCount: failed, Entries: results };
}

export const service: ServiceSim = {
  name: 'EventBridge',
  sdk: ebSdk,
  throttleError: 'ThrottlingException',
  ops: { PutEvents: putEvents },
  iam: {
    PutEvents: (c) =>
      ((c.input.Entries ?? []) as IamCall['input'][]).map((e) => authReq('events:PutEvents', isArn(e.EventBusName) ? e.EventBusName : arnIn('events', c.region, c.account, `event-bus/${String(e.EventBusName ?? 'default')}`))),
  },
};

