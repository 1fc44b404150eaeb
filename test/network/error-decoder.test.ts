/**
 * The custom-error decoder behind revert messages ("reverted with custom
 * error 'Name(args)'"): errors repeated across ABIs, descriptions kept by
 * revert data, and an ABI added later naming a selector unknown before.
 */
import { expect } from "chai";
import { Interface } from "ethers";

import { CustomErrorDecoder } from "../../plugin/network/errors";

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
