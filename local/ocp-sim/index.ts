/** Public entry of the OCP simulator: start it in process, or run `npm run ocp-sim` (cli.ts). */
export {
  startOcpSimulator,
  DefaultOcpToken,
  type OcpSimulator,
  type OcpSimulatorOptions,
  type OcpSimulatorStats,
  type OcpRequestLogEntry,
  type ExpectedRecording,
} from './simulator.ts';
export { DefaultScenario, type Scenario, type ScenarioPatch, type ScenarioTarget, type Fault, type Endpoint } from './scenario.ts';
