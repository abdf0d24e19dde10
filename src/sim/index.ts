// Public surface of the traffic simulator.
export { simulate, DEFAULT_START } from './simulate.js';
export type { SimOptions, SimResult, Truth, TruthAccount, TruthCampaign } from './simulate.js';
export { SCENARIO_LIST, scenario } from './scenarios.js';
export type { Scenario } from './scenarios.js';
export { DEFAULTS, applyOverrides, cloneParams } from './params.js';
export type { SimParams, FarmParams } from './params.js';
export { runSimulate, simulatedLine, SCENARIOS } from './run.js';
export type { SimulateOptions, Simulated } from './run.js';
