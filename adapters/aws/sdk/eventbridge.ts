// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { registerClient } from '../clients';

registerClient('eventbridge', EventBridgeClient);
