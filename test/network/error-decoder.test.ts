/**
 * The custom-error decoder behind revert messages ("reverted with custom
 * error 'Name(args)'"): errors repeated across ABIs, descriptions kept by
 * revert data, and an ABI added later naming a selector unknown before.
 */
import { expect } from "chai";
import { Interface } from "ethers";

import { CustomErrorDecoder, ethersErrorArgs, staticErrorArgs } from "../../plugin/network/errors";

const INSUFFICIENT = { type: "error", name: "Insufficient", inputs: [{ name: "who", type: "address" }, { name: "needed", type: "uint256" }] } as const;
const LATE = { type: "error", name: "Late", inputs: [{ name: "by", type: "string" }] } as const;
const WHO = "0x1111111111111111111111111111111111111111";

describe("custom error decoder", function () {
  it("describes an error declared in several ABIs, and the same revert data again alike", async function () {
    const decoder = new CustomErrorDecoder(async () => [[INSUFFICIENT, { type: "function", name: "f", inputs: [], outputs: [] }], [INSUFFICIENT]]);
    const data = new Interface([INSUFFICIENT]).encodeErrorResult("Insufficient", [WHO, 7n]);
    const expected = `Insufficient("${WHO}", 7)`;
    expect(await decoder.describe(data)).to.equal(expected);
    expect(await decoder.describe(data)).to.equal(expected);
    expect(await decoder.describe("0xdeadbeef")).to.equal(undefined);
  });

  it("describes a selector it did not know once an ABI declaring it is added", async function () {
    const decoder = new CustomErrorDecoder();
    decoder.add([INSUFFICIENT]);
    const data = new Interface([LATE]).encodeErrorResult("Late", ["two blocks"]);
    expect(await decoder.describe(data)).to.equal(undefined);
    decoder.add([LATE]);
    expect(await decoder.describe(data)).to.equal('Late("two blocks")');
  });
});

describe("custom error arguments read straight from the words", function () {
  it("are what ethers decodes, for every one-word type, random values, and data ethers would judge otherwise", function () {
    const types = ["address", "bool", "uint8", "uint64", "uint256", "int8", "int128", "int256", "bytes1", "bytes20", "bytes32"];
    const iface = new Interface(types.map((t, i) => ({ type: "error", name: `E${i}`, inputs: [{ name: "a", type: t }, { name: "b", type: "uint256" }] })));
    let seed = 7;
    const byte = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) & 0xff;
    const word = (kind: number) =>
      Array.from({ length: 32 }, (_, i) => (kind === 0 ? 0 : kind === 1 ? 0xff : kind === 2 && i < 31 ? 0 : byte()))
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
    let fast = 0;
    iface.forEachError((fragment) => {
      for (let kind = 0; kind < 4; kind++) {
        for (const data of [`${fragment.selector}${word(kind)}${word(3)}`, `${fragment.selector}${word(kind)}`, `${fragment.selector}${word(kind)}${word(3)}00`]) {
          const direct = staticErrorArgs(fragment, data);
          if (direct !== undefined) fast++;
          expect(direct ?? ethersErrorArgs(iface, fragment, data), `${fragment.format()} ${data}`).to.deep.equal(ethersErrorArgs(iface, fragment, data));
        }
      }
    });
    // Not vacuous: most cases took the direct path (the rest: too short, or an address word with high bits).
    expect(fast).to.be.greaterThan(types.length * 4);
  });
});
