// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { registerClient } from '../clients';

registerClient('appAutoScaling', ApplicationAutoScalingClient);
