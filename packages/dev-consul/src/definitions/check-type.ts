/**
 * Turning a decoded `CheckType` / `CheckDefinition` into a check record and the runner that drives it,
 * with Consul's validation (`CheckType.Validate`) and error texts.
 */
import type { HttpProbe } from '../checks/http-check.js';
import { formatGoDuration } from '../duration.js';
import type { Decoded } from '../json-decode.js';
import { CHECK_STATUSES } from '../state/types.js';
import type { CheckRecord, CheckStatus } from '../state/types.js';

/** What drives a check once registered. */
export type RunnerSpec =
  | { kind: 'ttl'; ttlMs: number }
  | ({ kind: 'http' } & HttpProbe)
  | { kind: 'tcp'; address: string; intervalMs: number; timeoutMs: number }
  | { kind: 'script'; args: string[]; intervalMs: number; timeoutMs: number }
  | { kind: 'none' };

/** A check ready to store, with its runner and the values runners need. */
export interface CheckSpec {
  record: Omit<CheckRecord, 'createIndex' | 'modifyIndex'>;
  runner: RunnerSpec;
  outputMaxSize: number;
  /** SuccessBeforePassing / FailuresBeforeWarning / FailuresBeforeCritical (probe checks only). */
  thresholds: { successBeforePassing: number; failuresBeforeWarning: number; failuresBeforeCritical: number };
  /** DeregisterCriticalServiceAfter as requested (ns), before clamping. */
  requestedDeregisterAfterNs: number;
}

const str = (d: Decoded, k: string): string => (typeof d[k] === 'string' ? (d[k] as string) : '');
const num = (d: Decoded, k: string): number => (typeof d[k] === 'number' ? (d[k] as number) : 0);
const bool = (d: Decoded, k: string): boolean => d[k] === true;

/** True when every field is at its zero value (Consul skips such `Check: {}` objects). */
export function isEmptyCheck(d: Decoded): boolean {
  return Object.values(d).every((v) => v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0));
}

/** Consul's `CheckType.Type()`. */
export function checkTypeName(d: Decoded): string {
  const interval = num(d, 'Interval') > 0;
  const args = (d.ScriptArgs as string[] | undefined) ?? [];
  if (str(d, 'GRPC') !== '' && interval) return 'grpc';
  if (str(d, 'HTTP') !== '' && interval) return 'http';
  if (num(d, 'TTL') > 0) return 'ttl';
  if (str(d, 'TCP') !== '' && interval) return 'tcp';
  if (str(d, 'UDP') !== '' && interval) return 'udp';
  if (str(d, 'AliasNode') !== '' || str(d, 'AliasService') !== '') return 'alias';
  if (str(d, 'DockerContainerID') !== '' && interval) return 'docker';
  if (args.length > 0 && interval) return 'script';
  if (str(d, 'H2PING') !== '' && interval) return 'h2ping';
  if (str(d, 'OSService') !== '' && interval) return 'os_service';
  return '';
}

/** Consul's `CheckType.Validate()`; returns the reason or undefined. */
export function validateCheckType(d: Decoded): string | undefined {
  const args = (d.ScriptArgs as string[] | undefined) ?? [];
  const isScript = args.length > 0 || str(d, 'DockerContainerID') !== '';
  const intervalCheck = isScript || ['HTTP', 'TCP', 'UDP', 'GRPC', 'H2PING', 'OSService'].some((k) => str(d, k) !== '');
  const isAlias = str(d, 'AliasNode') !== '' || str(d, 'AliasService') !== '';
  if (num(d, 'Interval') > 0 && num(d, 'TTL') > 0) return 'Interval and TTL cannot both be specified';
  if (intervalCheck && num(d, 'Interval') <= 0) return 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks';
  if (isAlias && num(d, 'TTL') > 0) return 'TTL must be not be set for Alias checks';
  if (isAlias && num(d, 'Interval') > 0) return 'Interval cannot be set for Alias checks';
  if (!intervalCheck && !isAlias && num(d, 'TTL') <= 0) return 'TTL must be > 0 for TTL checks';
  if (num(d, 'OutputMaxSize') < 0) return 'MaxOutputMaxSize must be positive';
  return undefined;
}

/** True if `status` is one of `passing`, `warning`, `critical`. */
export function isValidStatus(status: string): status is CheckStatus {
  return (CHECK_STATUSES as readonly string[]).includes(status);
}

function definitionOf(d: Decoded): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const copy = (k: string): void => {
    const v = d[k];
    if (v === undefined || v === '' || v === false || v === 0) return;
    if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return;
    out[k] = v;
  };
  for (const k of ['HTTP', 'TLSServerName', 'TLSSkipVerify', 'Header', 'Method', 'Body', 'DisableRedirects', 'TCP', 'TCPUseTLS', 'UDP', 'H2PING', 'OSService']) copy(k);
  for (const k of ['Interval', 'Timeout', 'DeregisterCriticalServiceAfter']) {
    const ns = num(d, k);
    if (ns > 0) out[k] = formatGoDuration(ns);
  }
  for (const k of ['ScriptArgs', 'DockerContainerID', 'Shell', 'GRPC', 'GRPCUseTLS', 'AliasNode', 'AliasService']) copy(k);
  return out;
}

/** Defaults used when building a check. */
export interface CheckBuildDefaults {
  checkId: string;
  name: string;
  serviceId: string;
  serviceName: string;
  minIntervalMs: number;
  defaultTimeoutMs: number;
  defaultOutputMaxSize: number;
}

/** Builds the stored check and its runner from a validated definition. */
export function buildCheck(d: Decoded, defaults: CheckBuildDefaults): CheckSpec {
  const type = checkTypeName(d);
  const status = str(d, 'Status');
  const intervalNs = num(d, 'Interval');
  const timeoutNs = num(d, 'Timeout');
  const intervalMs = Math.max(intervalNs / 1e6, defaults.minIntervalMs);
  const timeoutMs = timeoutNs > 0 ? timeoutNs / 1e6 : defaults.defaultTimeoutMs;
  const outputMaxSize = num(d, 'OutputMaxSize') > 0 ? num(d, 'OutputMaxSize') : defaults.defaultOutputMaxSize;
  let runner: RunnerSpec = { kind: 'none' };
  if (type === 'ttl') runner = { kind: 'ttl', ttlMs: num(d, 'TTL') / 1e6 };
  else if (type === 'http') {
    runner = {
      kind: 'http',
      url: str(d, 'HTTP'),
      method: str(d, 'Method') === '' ? 'GET' : str(d, 'Method'),
      header: (d.Header as Record<string, string[]> | undefined) ?? {},
      body: str(d, 'Body'),
      intervalMs,
      timeoutMs,
      disableRedirects: bool(d, 'DisableRedirects'),
      tlsSkipVerify: bool(d, 'TLSSkipVerify'),
      tlsServerName: str(d, 'TLSServerName'),
    };
  } else if (type === 'tcp') runner = { kind: 'tcp', address: str(d, 'TCP'), intervalMs, timeoutMs };
  else if (type === 'script') runner = { kind: 'script', args: (d.ScriptArgs as string[]) ?? [], intervalMs, timeoutMs };
  const initial: CheckStatus = isValidStatus(status) ? status : 'critical';
  return {
    record: {
      checkId: defaults.checkId,
      name: defaults.name,
      status: initial,
      notes: str(d, 'Notes'),
      output: '',
      syncedOutput: '',
      serviceId: defaults.serviceId,
      serviceName: defaults.serviceName,
      type,
      intervalNs: type === 'ttl' ? 0 : intervalNs,
      timeoutNs: type === 'ttl' ? 0 : timeoutNs,
      ttlNs: num(d, 'TTL'),
      definition: definitionOf(d),
      deregisterCriticalAfterNs: num(d, 'DeregisterCriticalServiceAfter'),
      criticalSince: undefined,
      local: true,
    },
    runner,
    outputMaxSize,
    thresholds: {
      successBeforePassing: num(d, 'SuccessBeforePassing'),
      failuresBeforeWarning: num(d, 'FailuresBeforeWarning'),
      failuresBeforeCritical: num(d, 'FailuresBeforeCritical'),
    },
    requestedDeregisterAfterNs: num(d, 'DeregisterCriticalServiceAfter'),
  };
}
