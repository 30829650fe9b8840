export { DiscoveryClient } from './discovery-client.js';
export type { CloseOptions } from './discovery-client.js';
export { ServiceClient } from './service-client.js';
export type { RequestOptions, ShorthandOptions, ResponsePromise } from './service-client.js';
export type { DiscoverySnapshot, ServiceSnapshot, InstanceSnapshot } from './service-state.js';
export type { FetchDispatcherOptions, FetchInterceptorOptions } from './fetch/fetch-options.js';
export { DEFAULT_CONSUL_DOMAIN } from './fetch/service-host.js';

export { register, DEFAULT_TTL, DEFAULT_DEREGISTER_CRITICAL_AFTER } from './registration/register.js';
export type { HttpCheckOptions, RegisterOptions, Registration, RegistrationEvents } from './registration/register.js';
export type { HealthStatus } from './resolver/health-entries.js';
export { parseDuration } from './registration/duration.js';

export { DEFAULT_DEADLINE_MS } from './service-options.js';
export {
  DEFAULT_RETRY_LIMIT,
  DEFAULT_RETRY_METHODS,
  DEFAULT_RETRY_BACKOFF_INITIAL_MS,
  DEFAULT_RETRY_BACKOFF_MAX_MS,
  DEFAULT_RETRY_BUDGET_RATIO,
  DEFAULT_RETRY_BUDGET_MIN_PER_SECOND,
} from './retry/retry-options.js';
export { DEFAULT_WATCH_WAIT_MS, DEFAULT_WATCH_BACKOFF_INITIAL_MS, DEFAULT_WATCH_BACKOFF_MAX_MS } from './resolver/watch-options.js';
export {
  DEFAULT_CONSECUTIVE_FAILURES,
  DEFAULT_FAILURE_PERCENTAGE_THRESHOLD,
  DEFAULT_STALL_FLOOR_MS,
  DEFAULT_STALL_MULTIPLIER,
  DEFAULT_MAX_EJECTION_PERCENT,
  DEFAULT_BASE_EJECTION_TIME_MS,
  DEFAULT_MAX_EJECTION_TIME_MS,
  DEFAULT_PROBE_PATH,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PROBE_MAX_INTERVAL_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
} from './outlier/outlier-options.js';
export {
  DEFAULT_INITIAL_LIMIT,
  DEFAULT_MIN_LIMIT,
  DEFAULT_MAX_LIMIT,
  DEFAULT_MIN_RTT_WINDOW_MS,
  DEFAULT_QUEUE_INTERVAL_MS,
  DEFAULT_QUEUE_TARGET_MS,
  DEFAULT_OVERFLOW_TARGET_MS,
  DEFAULT_MAX_QUEUED,
  DEFAULT_SLOW_START_WINDOW_MS,
} from './overload/concurrency-limit-options.js';
export type { DiscoveryClientOptions, LogPicksLevel } from './client-options.js';
export type { ServiceOptions } from './service-options.js';
export type { BreakerOptions } from './breaker/breaker-options.js';
export type { OutlierDetectionOptions, ProbeOptions } from './outlier/outlier-options.js';
export type { RetryOptions } from './retry/retry-options.js';
export type { ConcurrencyLimitOptions } from './overload/concurrency-limit-options.js';
export type { HedgingOptions } from './retry/hedging-options.js';
export type { WatchOptions } from './resolver/watch-options.js';

export { resolveConsulOptions, parseConsulAddr, DEFAULT_CONSUL_HOST, DEFAULT_CONSUL_PORT } from './consul/consul-options.js';
export type { ConsulOptions, ResolvedConsulOptions } from './consul/consul-options.js';

export { ConsulResolver } from './resolver/consul-resolver.js';
export type { ConsulResolverOptions } from './resolver/consul-resolver.js';
export { StaticResolver } from './resolver/static-resolver.js';
export { ActiveColorResolver, activeColorKey } from './resolver/active-color-resolver.js';
export { ConsulCatalog, DEFAULT_CATALOG_TIMEOUT_MS } from './resolver/consul-catalog.js';
export type { ConsulCatalogOptions, ListInstancesOptions, ListedInstance } from './resolver/consul-catalog.js';
export type { ActiveColorResolverOptions } from './resolver/active-color-resolver.js';
export type { StaticInstance } from './resolver/static-resolver.js';
export type { Resolver, ResolverListener, ResolverUpdate, InstanceFilter, ActiveColorState } from './resolver/resolver.js';
export type { UnmatchedActiveColor } from './errors/no-healthy-instances-error.js';
export { instanceColor, instanceScheme, isColorName } from './resolver/resolver.js';
export type { TlsOptions } from './transport/tls-options.js';

export type { PickResult, CompletePick, CallHooks, Picker, StrategyPicker, BalancerStrategy, BalancerName } from './balancer/picker.js';
export { RoundRobinStrategy } from './balancer/round-robin.js';
export { RandomStrategy } from './balancer/random.js';
export { LeastLoadedStrategy } from './balancer/least-loaded.js';
export type { EndpointView, BreakerState, EjectionReason } from './breaker/endpoint.js';
export type { AttemptOutcome, OutcomeVerdict } from './attempt/outcome.js';
export type { InFlightAttempt } from './attempt/attempt.js';
export {
  BREAKER_PRESETS,
  DEFAULT_BREAKER_PRESET,
  DATAWIRE_BREAKER_PRESET,
  DEFAULT_BREAKER_TIMEOUT_MS,
  DEFAULT_BREAKER_RESET_TIMEOUT_MS,
  DEFAULT_VOLUME_THRESHOLD,
  DEFAULT_ERROR_THRESHOLD_PERCENTAGE,
  DEFAULT_BREAKER_RETAIN_MS,
} from './breaker/breaker-options.js';
export type { BreakerPresetName, BreakerSettings } from './breaker/breaker-options.js';

export { GotTransport } from './transport/got-transport.js';
export type { GotTransportOptions } from './transport/got-transport.js';
export { UndiciTransport } from './transport/undici-transport.js';
export { AttemptSignal } from './attempt/attempt.js';
export type { UndiciTransportOptions } from './transport/undici-transport.js';
export { REUSED_SOCKET } from './transport/transport.js';
export type { Transport, TransportRequest, TransportResponse, TransportSignal, ServiceResponse, HttpMethod } from './transport/transport.js';

export type { RetryBudgetOptions } from './retry/retry-budget.js';
export { isRetryable } from './retry/is-retryable.js';

export { DiscoveryError } from './errors/discovery-error.js';
export { ServiceHostError, isServiceHostError } from './errors/service-host-error.js';
export { NoHealthyInstancesError, isNoHealthyInstancesError } from './errors/no-healthy-instances-error.js';
export { CircuitOpenError, isCircuitOpenError } from './errors/circuit-open-error.js';
export { RequestTimeoutError, isRequestTimeoutError } from './errors/request-timeout-error.js';
export { UpstreamHttpError, isUpstreamHttpError } from './errors/upstream-http-error.js';
export { UpstreamConnectionError, isUpstreamConnectionError } from './errors/upstream-connection-error.js';
export { RegistryUnavailableError, isRegistryUnavailableError } from './errors/registry-unavailable-error.js';
export { RegistryAccessDeniedError, isRegistryAccessDeniedError } from './errors/registry-access-denied-error.js';
export type { RegistryAccessDeniedReason } from './errors/registry-access-denied-error.js';
export { RegistryConfigError, isRegistryConfigError } from './errors/registry-config-error.js';
export { UnknownServiceError, isUnknownServiceError } from './errors/unknown-service-error.js';
export { NoMatchingInstancesError, isNoMatchingInstancesError } from './errors/no-matching-instances-error.js';
export { OverloadedError, isOverloadedError } from './errors/overloaded-error.js';
export { ClientClosedError, isClientClosedError } from './errors/client-closed-error.js';
export type { ShedReason } from './errors/overloaded-error.js';
export { MissingPeerDependencyError, isMissingPeerDependencyError } from './errors/missing-peer-dependency-error.js';

export type { CallFailureReason, DiscoveryEvents, DiscoveryEventName, DiscoveryListener, InstanceEventInfo } from './events.js';

export { createHumanLogger } from './logging/human-logger.js';
export type { HumanLoggerOptions } from './logging/human-logger.js';
export { createJsonLogger } from './logging/json-logger.js';
export type { JsonLoggerOptions } from './logging/json-logger.js';
export { silentLogger } from './logging/logger.js';
export type { Logger, LogFields, LogLevel } from './logging/logger.js';

export { METRIC_NAMES } from './metrics.js';
export type { MetricsRegistry } from './metrics.js';
export type { ServiceInstance, InstanceRef } from './instance.js';

export { deadlineGuard, withDeadline, remainingTime, DEFAULT_DEADLINE_RETRY_AFTER_SECONDS } from './deadline/deadline-guard.js';
export type { DeadlineGuardOptions, DeadlineRefusal, DeadlineRefusalReason } from './deadline/deadline-guard.js';
export { REQUEST_TIMEOUT_HEADER, MAX_REQUEST_TIMEOUT_MS, formatRequestTimeout, parseRequestTimeout, headersWithRequestTimeout } from './deadline/request-timeout-header.js';
export { BadRequestTimeoutError, isBadRequestTimeoutError } from './errors/bad-request-timeout-error.js';
