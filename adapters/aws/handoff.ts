/**
 * Hand-offs between runbooks as EventBridge events (source runbook-autopilot on the bus of
 * ENV.eventBus): registers the production emitter of createRuntime. Imported by the entry
 * modules that hand off (investigate-5xx); a workflow's bundle leaves EventBridge out.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import './sdk/eventbridge';
import { registerHandoffEmitter } from '../runtime/create-runtime';

registerHandoffEmitter(({ aws, region, eventBusName, source }) => async (detailType, detail) => {
  const out = await aws.in(region).eventbridge.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: eventBusName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
    }),
  );
  // PutEvents reports per-entry failures in a 200 response: an unchecked one is a lost hand-off.
  if ((out.FailedEntryCount ?? 0) > 0) {
    const failed = out.Entries?.find((e) => e.ErrorCode);
    throw new Error(`PutEvents rejected ${detailType} on bus ${eventBusName}: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim());
  }
});
