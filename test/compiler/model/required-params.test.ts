/** Required params (default null) and a scheduled start's input: what ork run, start, backfill and the schedule share. */
import { describe, expect, it } from 'vitest';
import { missingRequiredParams, missingScheduleParams, requiredParams, scheduleInput } from '../../../compiler/index.js';

const params = { key: null, bucket: null, mode: 'full', count: 0, flag: false };

describe('required params', () => {
  it('are the params whose default is null, in params: order', () => {
    expect(requiredParams(params)).toStrictEqual(['key', 'bucket']);
    expect(requiredParams({ mode: 'full', empty: '' })).toStrictEqual([]);
  });

  it('an input lacks those it does not give, or gives as null', () => {
    expect(missingRequiredParams(params, {})).toStrictEqual(['key', 'bucket']);
    expect(missingRequiredParams(params, { key: 'a.csv', bucket: null })).toStrictEqual(['bucket']);
    expect(missingRequiredParams(params, { key: '', bucket: 0 })).toStrictEqual([]);
  });

  it('a schedule gives scheduled_time itself', () => {
    expect(missingScheduleParams({ scheduled_time: null, day: null }, { day: 'monday' })).toStrictEqual([]);
    expect(missingScheduleParams({ scheduled_time: null, day: null })).toStrictEqual(['day']);
  });
});

describe('scheduleInput', () => {
  it('is the params defaults with the schedule input over them', () => {
    expect(scheduleInput(params, { input: { key: 'daily', extra: 1 } })).toStrictEqual({
      key: 'daily',
      bucket: null,
      mode: 'full',
      count: 0,
      flag: false,
      extra: 1,
    });
    expect(scheduleInput({ mode: 'full' }, undefined)).toStrictEqual({ mode: 'full' });
  });

  it('keeps a param named __proto__ as a param', () => {
    const input = scheduleInput(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>, { input: {} });
    expect(Object.keys(input)).toStrictEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
