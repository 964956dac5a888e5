/** Importing this registers every simulated service (each module registers itself). */
import './rds';
import './ecs';
import './route53';
import './cloudwatch';
import './logs';
import './codedeploy';
import './elbv2';
import './s3';
import './capacity';
import './messaging';
