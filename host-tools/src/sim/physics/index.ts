// The simulated hardware of the pen (docs/simulator.md, "Physics" sections).
export * from './pen-hardware';
export * from './params';
export * from './skin';
export * from './traces';
export { Rng, STREAM, hashSeed } from './rng';
export { strokeTrain, dutyForBottom, type StrokeTrainOptions, type StrokeTrainResult } from './characterise';
export { benchmarkPhysics, type BenchResult } from './bench';
