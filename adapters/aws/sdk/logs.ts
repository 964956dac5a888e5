// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { registerClient } from '../clients';

registerClient('logs', CloudWatchLogsClient);
