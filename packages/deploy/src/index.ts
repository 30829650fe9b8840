/**
 * The deploy operations as a library, for the benchmarks that drive them (packages/fault-bench): the same
 * functions `make roll`, `make scale` and `make cutover` run, and the load client's run loop.
 */
export { ConsulApi } from './ops/consul.js';
export type { RegisteredInstance } from './ops/consul.js';
export { cutover, DeployError, NO_COLOR, retireInstance, roll, scale, startInstance } from './ops/fleet.js';
export type { FleetEvent, FleetOptions } from './ops/fleet.js';
export { SERVICES, serviceDefinition } from './services.js';
export type { ServiceDefinition } from './services.js';
