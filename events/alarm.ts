/**
 * CloudWatch Alarm State Change: single-metric, metric-math and composite alarms.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * A composite alarm has configuration.alarmRule instead of metrics, and its state.reasonData
 * is JSON naming the triggering child alarms ({"triggeringAlarms":[{arn, state}]}).
 */
import { Fields, isObject, reject } from './fields';
import { ALARM_STATES, type AlarmDetail, type AlarmMetric, type AlarmState, type TriggeringAlarm } from './types';

function readState(f: Fields): AlarmState {
  const reasonData = f.optionalText('reasonData');
  return {
    value: f.oneOf('value', ALARM_STATES),
    reason: f.text('reason'),
    ...(reasonData !== undefined ? { reasonData } : {}),
    timestamp: f.isoTime('timestamp'),
  };
}

function readMetric(f: Fields): AlarmMetric {
  const id = f.string('id');
  const returnData = f.booleanOr('returnData', true);
  const label = f.optionalString('label');
  const common = { id, returnData, ...(label !== undefined ? { label } : {}) };
  if (f.has('expression')) return { ...common, expression: f.string('expression') };
  const stat = f.object('metricStat');
  const metric = stat.object('metric');
  return {
    ...common,
    metricStat: {
      namespace: metric.string('namespace'),
      name: metric.string('name'),
      dimensions: metric.has('dimensions') ? metric.stringMap('dimensions') : {},
      period: stat.number('period'),
      stat: stat.string('stat'),
    },
  };
}

function readTriggeringAlarms(state: Fields): TriggeringAlarm[] {
  const field = state.at('reasonData');
  const text = state.text('reasonData');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    reject('bad-value', field, 'expected JSON text listing triggeringAlarms');
  }
  if (!isObject(data)) reject('bad-value', field, 'expected a JSON object listing triggeringAlarms');
  const reason = new Fields(data, field);
  return reason.objectArrayOr('triggeringAlarms', []).map((child) => {
    const arn = child.matching('arn', /^arn:[^:]+:cloudwatch:[^:]*:\d*:alarm:.+$/, 'a CloudWatch alarm ARN');
    const childState = child.object('state');
    return {
      arn,
      name: arn.slice(arn.indexOf(':alarm:') + ':alarm:'.length),
      state: childState.oneOf('value', ALARM_STATES),
      timestamp: childState.isoTime('timestamp'),
    };
  });
}

export function readAlarmDetail(detail: Fields): AlarmDetail {
  const alarmName = detail.string('alarmName');
  const stateFields = detail.object('state');
  const state = readState(stateFields);
  const previous = detail.optionalObject('previousState');
  const configuration = detail.object('configuration');
  const description = configuration.optionalText('description');
  const base = {
    alarmName,
    state,
    ...(previous ? { previousState: readState(previous) } : {}),
    ...(description !== undefined ? { description } : {}),
  };

  if (configuration.has('alarmRule')) {
    const suppressor = configuration.optionalString('actionsSuppressor');
    return {
      ...base,
      alarmType: 'composite',
      alarmRule: configuration.string('alarmRule'),
      triggeringAlarms: stateFields.has('reasonData') ? readTriggeringAlarms(stateFields) : [],
      ...(suppressor !== undefined ? { actionsSuppressor: suppressor } : {}),
    };
  }
  const metrics = configuration.objectArray('metrics').map(readMetric);
  if (metrics.length === 0) reject('bad-value', configuration.at('metrics'), 'expected at least one metric');
  const isMath = metrics.some((m) => 'expression' in m);
  return isMath ? { ...base, alarmType: 'metric-math', metrics } : { ...base, alarmType: 'metric', metrics };
}
