/** Logical ids of the resources infra/ adds to the serverless template (tests and builders share them). */
import type { Severity } from '../domain/config';

export const STATE_TABLE_ID = 'AutopilotStateTable';
export const PAGING_KEY_ID = 'PagingTopicKey';
export const PAGING_KEY_ALIAS_ID = 'PagingTopicKeyAlias';
export const EVENT_DLQ_ID = 'EventDeliveryDeadLetterQueue';
export const EVENT_DLQ_POLICY_ID = 'EventDeliveryDeadLetterQueuePolicy';
export const ASYNC_FAILURE_QUEUE_ID = 'AsyncInvokeFailureQueue';

export const topicId = (severity: Severity): string => `PagingTopic${severity}`;
export const aliasId = (functionLogicalId: string): string => `${functionLogicalId.replace(/LambdaFunction$/, '')}LiveAlias`;
export const invokeConfigId = (functionLogicalId: string): string => `${functionLogicalId.replace(/LambdaFunction$/, '')}AsyncInvokeConfig`;
export const queueAlarmId = (queueLogicalId: string): string => `${queueLogicalId}MessagesAlarm`;

/** The private bus for requests and hand-offs (infra/event-bus.ts). */
export const PRIVATE_BUS_ID = 'AutopilotRequestBus';
/** The role people assume to call the operator-request function (and nothing else). */
export const OPERATOR_ROLE_ID = 'AutopilotOperatorRole';
