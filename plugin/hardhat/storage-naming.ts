/**
 * Names a block's storage locations with the project's compiled contracts:
 * which contract's code sits at an address (runtime bytecode compared with
 * the immutables masked), that contract's storage layout (the plugin asks
 * solc for `storageLayout`, see config.ts), its ERC-7201 namespaces from the
 * AST, and, behind an EIP-1967 proxy, the implementation's layout. Slots are
 * then decoded through the keccak preimages the block's run recorded.
 */
import { readFile } from "node:fs/promises";

import { Interface } from "ethers";
import type { FunctionFragment } from "ethers";
import type { Artifacts, BuildInfo } from "hardhat/types";

import type { LocationName, Naming } from "../analysis/conflict-report";
import { findErc7201Namespaces } from "../analysis/erc7201";
import { PreimageIndex } from "../analysis/preimages";
import { siteLocator } from "../analysis/source-sites";
import type { SiteLocator, SourceFile } from "../analysis/source-sites";
import { decodeSlot } from "../analysis/slot-names";
import type { SlotName } from "../analysis/slot-names";
import { contractStorage } from "../analysis/storage-layout";
import type { ContractStorage } from "../analysis/storage-layout";
import type { TracedBlock } from "../analysis/trace-block";
import { shippedContracts } from "../workloads";
import type { ShippedContract } from "../workloads";
import { EMPTY_CODE_HASH } from "../engine/flat-state";
import { addressOf, infoKey, kindOf, slotOf, storageKey } from "../engine/location";
import type { AccountInfo, LocationKey } from "../engine/types";

/** A compiled contract the analysis can recognise at an address. */
export interface KnownContract {
  name: string;
  /** Runtime bytecode. */
  code: Uint8Array;
  /** Byte ranges of immutables in the runtime code (their values differ per deployment). */
  immutables: { start: number; length: number }[];
  /** Null when the compiler output carries no storage layout. */
  storage: ContractStorage | null;
  /** Program counter to source line, when the build has the sources and the runtime source map. */
  locate?: SiteLocator;
  /** Function names by selector (8 hex digits), from the ABI. */
  functions?: ReadonlyMap<string, string>;
}

export interface ProjectNaming {
  contracts: readonly KnownContract[];
  /** Contracts compiled without `storageLayout` (recompile with `npx hardhat compile --force` to name their variables). */
  withoutLayout: string[];
  forBlock(traced: TracedBlock): Naming;
}

/** EIP-1967: the slot holding a proxy's implementation address, keccak("eip1967.proxy.implementation") - 1. */
const IMPLEMENTATION_SLOT = "360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

/**
 * The project's contracts (build-info outputs), then `shipped` ones (the
 * package's bundled contracts, which the workloads deploy) not already known
 * by name.
 */
export async function projectNaming(artifacts: Artifacts, shipped: readonly ShippedContract[] = shippedContracts()): Promise<ProjectNaming> {
  const contracts: KnownContract[] = [];
  const withoutLayout: string[] = [];
  let files: string[] = [];
  try {
    files = await artifacts.getBuildInfoPaths();
  } catch {
    // No artifacts yet (a fresh project before its first compile): nothing to name with.
  }
  // One pass per build-info file (many contracts share one file of tens of MB).
  for (const file of files) {
    const buildInfo = JSON.parse(await readFile(file, "utf8")) as BuildInfo;
    const sourceFiles = new Map<number, SourceFile>();
    for (const [name, source] of Object.entries(buildInfo.output.sources ?? {})) {
      const content = buildInfo.input.sources[name]?.content;
      if (content !== undefined) sourceFiles.set(source.id, { name, content, ast: source.ast });
    }
    for (const [sourceName, byName] of Object.entries(buildInfo.output.contracts ?? {})) {
      for (const [contractName, compiled] of Object.entries(byName)) {
        const output = compiled as {
          abi?: readonly unknown[];
          storageLayout?: unknown;
          evm?: { deployedBytecode?: { object?: string; sourceMap?: string; immutableReferences?: Record<string, { start: number; length: number }[]> } };
        };
        const runtime = output.evm?.deployedBytecode;
        if (runtime?.object === undefined || runtime.object.length === 0) continue;
        let storage: ContractStorage | null = null;
        if (output.storageLayout !== undefined) {
          const { namespaces } = findErc7201Namespaces(buildInfo.output.sources as never, { sourceName, contractName });
          storage = contractStorage(contractName, output.storageLayout, namespaces);
        } else {
          withoutLayout.push(contractName);
        }
        const code = hexBytes(runtime.object);
        const locate = runtime.sourceMap !== undefined && runtime.sourceMap !== "" ? siteLocator(code, runtime.sourceMap, sourceFiles) : undefined;
        contracts.push({
          name: contractName,
          code,
          immutables: Object.values(runtime.immutableReferences ?? {}).flat(),
          storage,
          functions: functionsOf(output.abi),
          ...(locate === undefined ? {} : { locate }),
        });
      }
    }
  }
  const known = new Set(contracts.map((c) => c.name));
  for (const c of shipped) {
    if (known.has(c.contractName)) continue;
    contracts.push({
      name: c.contractName,
      code: hexBytes(c.deployedBytecode),
      immutables: Object.values(c.immutableReferences ?? {}).flat(),
      storage: c.storageLayout === undefined ? null : contractStorage(c.contractName, c.storageLayout),
      functions: functionsOf(c.abi),
    });
    if (c.storageLayout === undefined) withoutLayout.push(c.contractName);
  }
  return { contracts, withoutLayout, forBlock: (traced) => blockNaming(traced, contracts) };
}

/** Selector (8 hex digits) to function name, or to its signature when the name is overloaded. */
function functionsOf(abi: readonly unknown[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (abi === undefined) return out;
  const fragments: FunctionFragment[] = [];
  new Interface(abi as never).forEachFunction((f) => fragments.push(f));
  for (const f of fragments) {
    const overloaded = fragments.some((o) => o !== f && o.name === f.name);
    out.set(f.selector.slice(2), overloaded ? f.format("sighash") : f.name);
  }
  return out;
}

function blockNaming(traced: TracedBlock, contracts: readonly KnownContract[]): Naming {
  const preimages = new PreimageIndex(traced.preimages);
  const { preState } = traced.input;
  // The state a location's account had by the end of the block: its last write, or the pre-state.
  const lastWrite = new Map<LocationKey, unknown>();
  const codes = new Map<string, Uint8Array>();
  for (const tx of traced.trace.txs) for (const w of tx.writes) lastWrite.set(w.key, w.value);
  for (const ws of traced.result.writeSets) for (const [hash, code] of ws.code) codes.set(hash, code);
  // Through read(): a pre-state may be a view of an earlier block (the network's history).
  const valueAt = (key: LocationKey): unknown => (lastWrite.has(key) ? lastWrite.get(key) : preState.read(key));
  const infoAt = (address: string): AccountInfo | null => valueAt(infoKey(address)) as AccountInfo | null;
  const slotAt = (address: string, slot: string): bigint => valueAt(storageKey(address, slot)) as bigint;
  const byAddress = new Map<string, KnownContract | null>();
  const contractAt = (address: string): KnownContract | null => {
    let known = byAddress.get(address);
    if (known === undefined) {
      const info = infoAt(address);
      const code = info === null || info.codeHash === EMPTY_CODE_HASH ? undefined : (codes.get(info.codeHash) ?? preState.code.get(info.codeHash));
      known = code === undefined ? null : (contracts.find((c) => sameCode(c, code)) ?? null);
      byAddress.set(address, known);
    }
    return known;
  };
  /** The layout that applies to an address's storage: an EIP-1967 proxy's is its implementation's. */
  const layoutFor = (address: string): KnownContract | null => {
    const implementation = slotAt(address, IMPLEMENTATION_SLOT);
    if (implementation !== 0n) {
      const impl = contractAt(implementation.toString(16).padStart(40, "0"));
      if (impl?.storage != null) return impl;
    }
    return contractAt(address);
  };
  const names = new Map<LocationKey, LocationName | undefined>();
  const byName = new Map(contracts.map((c) => [c.name, c]));
  return {
    contractAt: (address) => contractAt(address)?.name,
    functionOf: (contract, selector) => byName.get(contract)?.functions?.get(selector),
    sourceOf: (codeAddress, pc) => contractAt(codeAddress)?.locate?.(pc),
    isContract: (address) => {
      const info = infoAt(address);
      return info !== null && info.codeHash !== EMPTY_CODE_HASH;
    },
    name(key) {
      if (names.has(key)) return names.get(key);
      let name: LocationName | undefined;
      if (kindOf(key) === "storage") {
        const address = addressOf(key);
        const slot = slotOf(key);
        const layout = layoutFor(address);
        const decoded = layout?.storage != null ? decodeSlot(layout.storage, BigInt("0x" + slot), preimages) : null;
        name = decoded !== null ? fromSlotName(decoded, layout!.name) : keyOnly(slot, preimages);
      }
      names.set(key, name);
      return name;
    },
  };
}

function fromSlotName(n: SlotName, contract: string): LocationName {
  return {
    contract,
    variable: n.variable,
    key: [...n.keys],
    type: n.type,
    packed: n.packed.map((p) => lastSegment(p.label)),
    arrayLength: n.variable.endsWith(".length"),
    derived: n.keys.length > 0 || n.variable.includes("(data chunk"),
    changedFields: (before, after) =>
      n.packed.filter((p) => field(before, p.offset, p.bytes) !== field(after, p.offset, p.bytes)).map((p) => lastSegment(p.label)),
  };
}

/** Without a layout: a slot derived from a 64-byte preimage is a mapping entry; show its key as the decoder would. */
function keyOnly(slot: string, preimages: PreimageIndex): LocationName | undefined {
  // A mapping entry is the hash itself; struct members and array elements sit a little above it.
  const area = preimages.greatestAtOrBelow(BigInt("0x" + slot));
  if (area === undefined || area.offset >= 256n) return undefined;
  const pre = area.preimage;
  const key = pre.length === 64 ? keyText(pre.subarray(0, 32)) : undefined;
  return { contract: null, variable: null, key: key === undefined ? [] : [key], type: null, packed: [], arrayLength: false, derived: true };
}

/** A 32-byte mapping key as an address when it looks like one, else a number. */
function keyText(word: Uint8Array): string {
  const hex = Buffer.from(word).toString("hex");
  if (/^0{24}/.test(hex) && !/^0{40}/.test(hex)) return "0x" + hex.slice(24);
  return BigInt("0x" + hex).toString();
}

function lastSegment(label: string): string {
  const dot = label.lastIndexOf(".");
  return dot >= 0 && !label.slice(dot).includes("]") ? label.slice(dot + 1) : label;
}

function field(value: bigint, offset: number, bytes: number): bigint {
  return (value >> BigInt(8 * offset)) & ((1n << BigInt(8 * bytes)) - 1n);
}

function sameCode(c: KnownContract, code: Uint8Array): boolean {
  if (c.code.length !== code.length) return false;
  for (let i = 0; i < code.length; i++) {
    if (c.code[i] !== code[i] && !c.immutables.some((m) => i >= m.start && i < m.start + m.length)) return false;
  }
  return true;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex"));
}
