/** Public surface of events/: parse an incoming event into a typed AutopilotEvent. */
export { parseEvent, describeRejection, MAX_EVENT_BYTES, type ParseContext, type ParseResult } from './parse';
export type { Rejection, RejectionCode } from './fields';
export * from './types';
