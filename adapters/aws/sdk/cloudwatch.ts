// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { registerClient } from '../clients';

registerClient('cloudwatch', CloudWatchClient);
