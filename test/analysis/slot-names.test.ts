/**
 * Naming storage slots: a fixture contract compiled with the npm `solc`
 * package (offline, about 0.3 s), slots derived in the test the way
 * Solidity derives them (keccak over padded keys and parent slots, computed
 * with ethers), and the decoder asked to name them back.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { AbiCoder, getAddress, getBytes, keccak256, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";

import { erc7201Slot, findErc7201Namespaces } from "../../plugin/analysis/erc7201";
import { MAX_AREA_OFFSET, PreimageIndex } from "../../plugin/analysis/preimages";
import { decodeSlot, describeSlot, formatStorageKey } from "../../plugin/analysis/slot-names";
import type { SlotName } from "../../plugin/analysis/slot-names";
import { contractStorage, StorageLayoutError } from "../../plugin/analysis/storage-layout";
import type { ContractStorage, SolcStorageLayout } from "../../plugin/analysis/storage-layout";

const SOURCE = "SlotNames.sol";

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { storageLayout: SolcStorageLayout }>>;
  sources: Record<string, { ast: unknown }>;
}

function compileFixture(): SolcOutput {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- solc ships no type declarations
  const solc = require("solc") as { compile(input: string): string };
  const content = readFileSync(path.join(__dirname, "fixtures", SOURCE), "utf8");
  const input = {
    language: "Solidity",
    sources: { [SOURCE]: { content } },
    settings: { outputSelection: { "*": { "*": ["storageLayout"], "": ["ast"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  return output;
}

const ALICE = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const BOB = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
const USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

const word = (value: bigint): Uint8Array => getBytes(toBeHex(value, 32));
const addressWord = (address: string): Uint8Array => getBytes(zeroPadValue(address, 32));
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("slot names (storage layout decoder)", function () {
  let output: SolcOutput;
  let layout: SolcStorageLayout;
  let storage: ContractStorage;
  let preimages: PreimageIndex;

  /** The slot of a state variable, from solc's layout. */
  const slotOf = (label: string): bigint => {
    const entry = layout.storage.find((e) => e.label === label);
    if (entry === undefined) throw new Error(`no state variable ${label}`);
    return BigInt(entry.slot);
  };
  /** keccak(preimage), recorded as the EVM's SHA3 would be. */
  const hashed = (preimage: Uint8Array): bigint => {
    preimages.add(keccak256(preimage), preimage);
    return BigInt(keccak256(preimage));
  };
  const mappingSlot = (key: Uint8Array, parent: bigint): bigint => hashed(concat(key, word(parent)));
  const dataSlot = (parent: bigint): bigint => hashed(word(parent));
  const named = (slot: bigint): SlotName => {
    const name = decodeSlot(storage, slot, preimages);
    if (name === null) throw new Error(`slot 0x${slot.toString(16)} was not named`);
    return name;
  };

  before(function () {
    output = compileFixture();
    layout = output.contracts[SOURCE]["SlotNames"].storageLayout;
    const { namespaces, skipped } = findErc7201Namespaces(output.sources, { sourceName: SOURCE, contractName: "SlotNames" });
    expect(skipped).to.deep.equal([]);
    storage = contractStorage("SlotNames", layout, namespaces);
  });

  beforeEach(function () {
    // Unrelated hashes, as a real block records (event topics, signatures): they must not disturb names.
    preimages = PreimageIndex.fromPreimages([toUtf8Bytes("Transfer(address,address,uint256) and some more text"), concat(word(1n), word(2n))]);
  });

  describe("state variables", function () {
    it("names a value variable by its own slot", function () {
      const name = named(slotOf("totalSupply"));
      expect(name).to.deep.include({ contract: "SlotNames", variable: "totalSupply", root: "totalSupply", type: "uint256", baseSlot: slotOf("totalSupply").toString() });
      expect(name.keys).to.deep.equal([]);
      expect(name.slot).to.equal("0x" + slotOf("totalSupply").toString(16).padStart(64, "0"));
      expect(name.packed).to.deep.equal([{ label: "totalSupply", offset: 0, bytes: 32, type: "uint256" }]);
    });

    it("lists every variable of a packed slot with its offset and size", function () {
      const slot = slotOf("reserve0");
      const name = named(slot);
      expect(name.variable).to.equal("reserve0");
      expect(name.type).to.equal("uint112");
      const expected = ["reserve0", "reserve1", "blockTimestampLast"].map((label) => {
        const entry = layout.storage.find((e) => e.label === label);
        expect(BigInt(entry?.slot ?? -1), `${label} shares the slot`).to.equal(slot);
        const type = layout.types?.[entry?.type ?? ""];
        return { label, offset: entry?.offset, bytes: Number(type?.numberOfBytes), type: type?.label };
      });
      expect(name.packed).to.deep.equal(expected);
    });

    it("names each slot of a static array and of an inline struct", function () {
      expect(named(slotOf("fixedValues") + 2n)).to.deep.include({ variable: "fixedValues[2]", root: "fixedValues", type: "uint256" });
      expect(named(slotOf("fixedValues") + 2n).keys).to.deep.equal(["2"]);
      expect(named(slotOf("position")).variable).to.equal("position.amount");
    });

    it("names a dynamic array's own slot as its length and a string's as the string", function () {
      expect(named(slotOf("values"))).to.deep.include({ variable: "values.length", type: "uint256[]" });
      expect(named(slotOf("name"))).to.deep.include({ variable: "name", type: "string" });
    });
  });

  describe("mapping keys", function () {
    it("address keys, EIP-55 checksummed", function () {
      const name = named(mappingSlot(addressWord(ALICE), slotOf("balanceOf")));
      expect(name).to.deep.include({ variable: `balanceOf[${getAddress(ALICE)}]`, root: "balanceOf", type: "uint256", baseSlot: slotOf("balanceOf").toString() });
      expect(name.keys).to.deep.equal([getAddress(ALICE)]);
    });

    it("uint keys in decimal, int keys in signed decimal", function () {
      expect(named(mappingSlot(word(42n), slotOf("ownerOf"))).variable).to.equal("ownerOf[42]");
      expect(named(mappingSlot(word(2n ** 255n + 7n), slotOf("ownerOf"))).variable).to.equal(`ownerOf[${2n ** 255n + 7n}]`);
      const minusFive = getBytes(AbiCoder.defaultAbiCoder().encode(["int16"], [-5]));
      expect(named(mappingSlot(minusFive, slotOf("byDelta")))).to.deep.include({ variable: "byDelta[-5]", type: "bool" });
    });

    it("bytes32 keys in hex", function () {
      const role = keccak256(toUtf8Bytes("MINTER_ROLE"));
      expect(named(mappingSlot(getBytes(role), slotOf("roles"))).variable).to.equal(`roles[${role}]`);
    });

    it("string and bytes keys: quoted UTF-8 when printable, else hex", function () {
      expect(named(mappingSlot(toUtf8Bytes("alice"), slotOf("byName"))).variable).to.equal('byName["alice"]');
      expect(named(mappingSlot(toUtf8Bytes('say "hi" ✓'), slotOf("byName"))).variable).to.equal('byName["say \\"hi\\" ✓"]');
      expect(named(mappingSlot(new Uint8Array(), slotOf("byName"))).variable).to.equal('byName[""]');
      expect(named(mappingSlot(Uint8Array.of(0xde, 0xad, 0xbe, 0xef), slotOf("byBytes"))).variable).to.equal("byBytes[0xdeadbeef]");
      expect(named(mappingSlot(Uint8Array.of(0x61, 0x00), slotOf("byBytes"))).variable).to.equal("byBytes[0x6100]");
      const long = "a key longer than thirty-two bytes, hashed whole";
      expect(named(mappingSlot(toUtf8Bytes(long), slotOf("byBytes"))).variable).to.equal(`byBytes["${long}"]`);
    });

    it("a mapping of mappings, and its inner mapping's own slot", function () {
      const inner = mappingSlot(addressWord(ALICE), slotOf("allowance"));
      const name = named(mappingSlot(addressWord(BOB), inner));
      expect(name).to.deep.include({ variable: `allowance[${getAddress(ALICE)}][${getAddress(BOB)}]`, root: "allowance", type: "uint256" });
      expect(name.keys).to.deep.equal([getAddress(ALICE), getAddress(BOB)]);
      expect(named(inner)).to.deep.include({ variable: `allowance[${getAddress(ALICE)}]`, type: "mapping(address => uint256)" });
    });

    it("every member of a struct in a mapping, packed members together", function () {
      const base = mappingSlot(addressWord(USDC), slotOf("markets"));
      const market = `markets[${getAddress(USDC)}]`;
      expect(named(base)).to.deep.include({ variable: `${market}.totalBorrows`, type: "uint256", root: "markets" });
      const packed = named(base + 1n);
      expect(packed).to.deep.include({ variable: `${market}.borrowIndex`, type: "uint128" });
      expect(packed.packed).to.deep.equal([
        { label: `${market}.borrowIndex`, offset: 0, bytes: 16, type: "uint128" },
        { label: `${market}.lastUpdate`, offset: 16, bytes: 8, type: "uint64" },
        { label: `${market}.listed`, offset: 24, bytes: 1, type: "bool" },
      ]);
      expect(named(base + 2n)).to.deep.include({ variable: `${market}.oracle`, type: "address" });
      expect(decodeSlot(storage, base + 3n, preimages), "one past the struct").to.equal(null);
    });

    it("a struct's inner mapping", function () {
      const name = named(mappingSlot(addressWord(BOB), slotOf("position") + 1n));
      expect(name).to.deep.include({ variable: `position.allowances[${getAddress(BOB)}]`, root: "position", baseSlot: slotOf("position").toString() });
    });
  });

  describe("arrays and long strings", function () {
    it("uint256[] elements, one per slot", function () {
      const data = dataSlot(slotOf("values"));
      expect(named(data)).to.deep.include({ variable: "values[0]", type: "uint256" });
      expect(named(data + 5n).keys).to.deep.equal(["5"]);
    });

    it("uint64[] elements, four per slot, named as an index range", function () {
      const data = dataSlot(slotOf("stamps"));
      const second = named(data + 1n);
      expect(second).to.deep.include({ variable: "stamps[4..7]", type: "uint64" });
      expect(second.keys).to.deep.equal(["4..7"]);
      expect(second.packed.map((p) => [p.label, p.offset, p.bytes])).to.deep.equal([
        ["stamps[4]", 0, 8],
        ["stamps[5]", 8, 8],
        ["stamps[6]", 16, 8],
        ["stamps[7]", 24, 8],
      ]);
    });

    it("arrays of structs: element and member", function () {
      const data = dataSlot(slotOf("entries"));
      // Entry takes two slots: (owner, weight) packed, then value.
      const first = named(data + 6n);
      expect(first).to.deep.include({ variable: "entries[3].owner", type: "address" });
      expect(first.packed.map((p) => p.label)).to.deep.equal(["entries[3].owner", "entries[3].weight"]);
      expect(named(data + 7n)).to.deep.include({ variable: "entries[3].value", type: "uint256" });
    });

    it("a mapping to arrays: the array's length and an element", function () {
      const array = mappingSlot(word(7n), slotOf("lists"));
      expect(named(array).variable).to.equal("lists[7].length");
      const element = named(dataSlot(array) + 2n);
      expect(element).to.deep.include({ variable: "lists[7][2]", root: "lists", type: "uint256" });
      expect(element.keys).to.deep.equal(["7", "2"]);
    });

    it("long string data by chunk", function () {
      const data = dataSlot(slotOf("name"));
      expect(named(data)).to.deep.include({ variable: "name (data chunk 0)", type: "string" });
      expect(named(data + 2n).variable).to.equal("name (data chunk 2)");
    });
  });

  describe("ERC-7201 namespaces", function () {
    const ERC20_ID = "openzeppelin.storage.ERC20";

    it("computes the namespace root as the ERC defines it (and as OpenZeppelin publishes it)", function () {
      const idHash = BigInt(keccak256(toUtf8Bytes(ERC20_ID)));
      const expected = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256"], [idHash - 1n]))) & ~0xffn;
      expect(erc7201Slot(ERC20_ID)).to.equal(expected);
      // ERC20Upgradeable's ERC20StorageLocation.
      expect(erc7201Slot(ERC20_ID)).to.equal(0x52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00n);
    });

    it("lays out the namespaced structs exactly as solc lays out the same structs as state variables", function () {
      const mirror = output.contracts[SOURCE]["NamespaceMirror"].storageLayout;
      const { namespaces } = findErc7201Namespaces(output.sources, { sourceName: SOURCE, contractName: "NamespaceMirror" });
      expect(namespaces.map((n) => n.struct).sort()).to.deep.equal(["ERC20Storage", "Everything"]);
      const solcTypes = mirror.types ?? {};
      for (const ns of namespaces) {
        const ours = ns.types.get(ns.type);
        const theirs = solcTypes[ns.type];
        expect(theirs, `solc lists ${ns.type}`).to.not.equal(undefined);
        expect(ours?.label).to.equal(theirs.label);
        expect((ours?.slots ?? 0n) * 32n).to.equal(BigInt(theirs.numberOfBytes));
        // Every member, and the members of the struct nested in it, at solc's slot and offset.
        const members = (id: string) => ns.types.get(id)?.members?.map((m) => [m.label, m.slot.toString(), m.offset, ns.types.get(m.type)?.label]);
        const solcMembers = (id: string) => solcTypes[id].members?.map((m) => [m.label, m.slot, m.offset, solcTypes[m.type].label]);
        expect(members(ns.type)).to.deep.equal(solcMembers(ns.type));
        // Type ids match solc's except for function types, so members are paired by position.
        const solcMemberTypes = solcTypes[ns.type].members?.map((m) => m.type) ?? [];
        (ns.types.get(ns.type)?.members ?? []).forEach((m, i) => {
          const t = ns.types.get(m.type);
          const size = t?.kind === "value" ? BigInt(t.bytes) : (t?.slots ?? 0n) * 32n;
          expect(size, `${m.label} size`).to.equal(BigInt(solcTypes[solcMemberTypes[i]].numberOfBytes));
          if (t?.kind === "struct") expect(members(m.type)).to.deep.equal(solcMembers(m.type));
        });
      }
    });

    it("names namespaced members, mappings in them and packed members", function () {
      const root = erc7201Slot(ERC20_ID);
      const label = `ERC20Storage(erc7201:${ERC20_ID})`;
      const balance = named(mappingSlot(addressWord(ALICE), root));
      expect(balance).to.deep.include({ variable: `${label}._balances[${getAddress(ALICE)}]`, root: label, type: "uint256", baseSlot: "0x" + root.toString(16).padStart(64, "0") });
      const allowance = named(mappingSlot(addressWord(BOB), mappingSlot(addressWord(ALICE), root + 1n)));
      expect(allowance.variable).to.equal(`${label}._allowances[${getAddress(ALICE)}][${getAddress(BOB)}]`);
      expect(named(root + 2n).variable).to.equal(`${label}._totalSupply`);
      const packed = named(root + 5n);
      expect(packed.packed.map((p) => [p.label.slice(label.length), p.offset, p.bytes, p.type])).to.deep.equal([
        ["._decimals", 0, 1, "uint8"],
        ["._status", 1, 1, "enum NamespacedToken.Status"],
        ["._oracle", 2, 20, "contract IOracle"],
      ]);
      expect(decodeSlot(storage, root + 6n, preimages), "past the namespace").to.equal(null);
    });
  });

  describe("slots that stay unnamed", function () {
    it("an unknown slot: past the variables, or a hash with no recorded preimage", function () {
      expect(decodeSlot(storage, slotOf("byDelta") + 1n, preimages)).to.equal(null);
      expect(decodeSlot(storage, BigInt(keccak256(concat(addressWord(ALICE), word(slotOf("balanceOf"))))), preimages)).to.equal(null);
    });

    it("a preimage chain that leads to a value variable, not a mapping or array", function () {
      expect(decodeSlot(storage, mappingSlot(addressWord(ALICE), slotOf("totalSupply")), preimages)).to.equal(null);
      expect(decodeSlot(storage, dataSlot(slotOf("reserve0")), preimages)).to.equal(null);
      expect(decodeSlot(storage, mappingSlot(word(1n), slotOf("fixedValues") + 1n), preimages)).to.equal(null);
    });

    it("a preimage that does not fit the mapping's key type", function () {
      // A 32-byte preimage of a mapping's slot: array data, but balanceOf is not an array.
      expect(decodeSlot(storage, dataSlot(slotOf("balanceOf")), preimages)).to.equal(null);
      // An address with its high bytes set is never a key solc hashed.
      const dirty = addressWord(ALICE);
      dirty[0] = 1;
      expect(decodeSlot(storage, mappingSlot(dirty, slotOf("balanceOf")), preimages)).to.equal(null);
      // A bool key other than 0 or 1.
      expect(formatStorageKey({ id: "t_bool", label: "bool", kind: "value", bytes: 1, slots: 1n }, word(2n))).to.equal(null);
    });

    it("a slot too far above a recorded hash", function () {
      const data = dataSlot(slotOf("values"));
      expect(decodeSlot(storage, data + MAX_AREA_OFFSET - 1n, preimages)?.variable).to.equal(`values[${MAX_AREA_OFFSET - 1n}]`);
      expect(decodeSlot(storage, data + MAX_AREA_OFFSET, preimages)).to.equal(null);
    });
  });

  describe("describeSlot", function () {
    it("a lone variable, a packed slot, packed struct members and a hashed slot", function () {
      expect(describeSlot(named(slotOf("totalSupply")))).to.equal(`SlotNames.totalSupply (slot ${slotOf("totalSupply")})`);
      expect(describeSlot(named(slotOf("reserve0")))).to.equal(`SlotNames.reserve0 (slot ${slotOf("reserve0")}, packed with reserve1 and blockTimestampLast)`);
      const base = mappingSlot(addressWord(USDC), slotOf("markets"));
      const hex = "0x" + (base + 1n).toString(16).padStart(64, "0");
      expect(describeSlot(named(base + 1n))).to.equal(`SlotNames.markets[${getAddress(USDC)}].borrowIndex (slot ${hex.slice(0, 10)}…${hex.slice(-4)}, packed with lastUpdate and listed)`);
      const key = toUtf8Bytes("a.b");
      const dotted = named(mappingSlot(key, slotOf("byName")));
      expect(describeSlot(dotted)).to.match(/^SlotNames\.byName\["a\.b"\] \(slot 0x[0-9a-f]{8}…[0-9a-f]{4}\)$/);
    });

    it("an element range names the range and no companions", function () {
      const data = dataSlot(slotOf("stamps"));
      expect(describeSlot(named(data))).to.match(/^SlotNames\.stamps\[0\.\.3\] \(slot 0x[0-9a-f]{8}…[0-9a-f]{4}\)$/);
    });
  });

  describe("inputs", function () {
    it("the preimage index: hex keys in either form, short inputs ignored, nearest hash below a slot", function () {
      const preimage = concat(addressWord(ALICE), word(2n));
      const hash = keccak256(preimage);
      const index = new PreimageIndex(new Map([[hash.slice(2).toUpperCase(), preimage], [keccak256(Uint8Array.of(1)), Uint8Array.of(1)]]));
      expect(index.size).to.equal(1);
      expect(index.get(hash)).to.deep.equal(preimage);
      expect(index.greatestAtOrBelow(BigInt(hash) + 10n)).to.deep.equal({ base: BigInt(hash), preimage, offset: 10n });
      expect(index.greatestAtOrBelow(BigInt(hash) - 1n)).to.equal(undefined);
      expect(() => index.add("0x1234", preimage)).to.throw(/64 hex digits/);
    });

    it("slots as bigint, hex or bytes; bad slots are refused", function () {
      const slot = slotOf("totalSupply");
      expect(decodeSlot(storage, "0x" + slot.toString(16), preimages)?.variable).to.equal("totalSupply");
      expect(decodeSlot(storage, word(slot), preimages)?.variable).to.equal("totalSupply");
      expect(() => decodeSlot(storage, "12", preimages)).to.throw(/0x and 1 to 64 hex digits/);
      expect(() => decodeSlot(storage, new Uint8Array(31), preimages)).to.throw(/32 bytes/);
    });

    it("a layout that is not solc's output is refused, naming the field", function () {
      expect(() => contractStorage("Broken", { storage: [] })).to.throw(StorageLayoutError, /the storage layout of Broken: types must be an object \(solc's storageLayout output\), got missing/);
      const bad = { storage: [{ label: "x", offset: 0, slot: "0", type: "t_missing" }], types: {} };
      expect(() => contractStorage("Broken", bad)).to.throw(StorageLayoutError, /storage\[0\]\.type is "t_missing" but must be a type listed in types/);
      const badSize = { storage: [], types: { t_uint256: { encoding: "inplace", label: "uint256", numberOfBytes: 32 } } };
      expect(() => contractStorage("Broken", badSize)).to.throw(StorageLayoutError, /numberOfBytes is 32 but must be a decimal string/);
    });
  });
});
