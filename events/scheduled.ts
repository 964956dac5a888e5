/**
 * The "Scheduled Event" an EventBridge schedule rule delivers to its target (the preflight
 * function's schedule, infra/preflight.ts): source aws.events, detail-type "Scheduled Event",
 * `resources` the rule's ARN, `detail` empty
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html;
 * events/samples/scheduled-preflight.json). Nothing in the detail is read.
 */
import type { Fields } from './fields';
import type { ScheduledDetail } from './types';

export function readScheduledDetail(_detail: Fields): ScheduledDetail {
  return {};
}
