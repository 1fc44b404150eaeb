/** Program counters to source: the compressed source map and the runtime code's instruction boundaries. */
import { expect } from "chai";

import { decodeSourceMap, instructionIndexes, siteLocator } from "../../plugin/analysis/source-sites";

describe("source sites", function () {
  it("decodes compressed source maps: empty fields repeat the previous entry", function () {
    expect(decodeSourceMap("10:5:0:-:0;;20::1;:7;-1:0:-1")).to.deep.equal([
      [10, 5, 0],
      [10, 5, 0],
      [20, 5, 1],
      [20, 7, 1],
      [-1, 0, -1],
    ]);
  });

  it("skips PUSH data when numbering instructions", function () {
    // PUSH1 0x01, PUSH2 0x0203, SLOAD, PUSH32 <32 bytes>, STOP
    const code = Uint8Array.from([0x60, 0x01, 0x61, 0x02, 0x03, 0x54, 0x7f, ...new Array(32).fill(0xaa), 0x00]);
    expect([...instructionIndexes(code)]).to.deep.equal([
      [0, 0],
      [2, 1],
      [5, 2],
      [6, 3],
      [39, 4],
    ]);
  });

  it("gives the file, line, enclosing function and code of an instruction", function () {
    const content = "contract C {\n  uint x;\n  function bump() external {\n    x += 1;\n  }\n}\n";
    const start = content.indexOf("x += 1");
    const fnStart = content.indexOf("function");
    const ast = {
      nodeType: "SourceUnit",
      src: `0:${content.length}:0`,
      nodes: [{ nodeType: "ContractDefinition", src: `0:${content.length}:0`, nodes: [{ nodeType: "FunctionDefinition", kind: "function", name: "bump", src: `${fnStart}:${content.indexOf("}\n}") + 1 - fnStart}:0` }] }],
    };
    const code = Uint8Array.from([0x60, 0x00, 0x54, 0x00]);
    const locate = siteLocator(code, `0:10:0;${start}:6:0;;`, new Map([[0, { name: "C.sol", content, ast }]]));
    expect(locate(2)).to.deep.equal({ file: "C.sol", line: 4, function: "bump()", code: "x += 1" });
    expect(locate(1), "inside PUSH data").to.equal(undefined);
  });
});
