// The MQTT side of Stipple (docs/mqtt.md): topic scheme v1 and the zod schemas of every
// payload the fleet bridge publishes or accepts.
export * from './common';
export * from './topics';
export * from './pen-status';
export * from './bridge-status';
export * from './pen-info';
export * from './counters';
export * from './fault';
export * from './telemetry-summary';
export * from './stroke-record';
export * from './calibration-summary';
export * from './command';
export * from './topic-table';
