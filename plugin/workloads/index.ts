/** Seeded DeFi workloads, shared by tests and tasks. */
export { generateWorkload, GENESIS_BALANCE } from "./workload";
export type { Workload } from "./workload";
export { prepareWorkloadOnEngine, workloadBlock, WORKLOAD_COINBASE, WORKLOAD_BASE_FEE } from "./on-engine";
export type { EngineWorkload } from "./on-engine";
export { ACTIONS, PRESETS, PRESET_NAMES, DEFAULT_SIZE, MAX_SKEW, resolveKnobs } from "./knobs";
export type { Action, ActionMix, Preset, PresetName, WorkloadKnobs } from "./knobs";
export type { ArtifactReader, ContractArtifact } from "./builder";
export { shippedArtifactReader, shippedContracts } from "./bundled-artifacts";
export type { ShippedContract } from "./bundled-artifacts";
export { WorkloadParameterError, WorkloadSetupError } from "./errors";
export { mineWorkloadOnProvider } from "./on-provider";
export type { Eip1193Provider, MinedBlock, RpcReceipt } from "./on-provider";
