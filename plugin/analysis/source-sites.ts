/**
 * Program counter to Solidity source: the compiler's runtime source map
 * (`evm.deployedBytecode.sourceMap`, one `s:l:f:j:m` entry per instruction,
 * empty fields repeating the previous entry) read against the runtime code
 * (PUSH data is not an instruction), then the source's line and the function
 * or modifier around it from the AST. With the optimizer on, an SLOAD may map
 * to its whole statement or function: a site is as precise as the map is.
 */

export interface SourceFile {
  name: string;
  content: string;
  /** The file's AST (solc's `sources[name].ast`), for the enclosing function. */
  ast?: unknown;
}

export interface SourceSite {
  file: string;
  /** 1-based line of the mapped range's start. */
  line: number;
  /** `transfer()`, `constructor`, `modifier nonReentrant`; null outside any function. */
  function: string | null;
  /** The mapped source, or its first line when longer, trimmed to 120 characters. */
  code: string;
}

export type SiteLocator = (pc: number) => SourceSite | undefined;

/** `files`: by the source index solc gives them (`sources[name].id`). */
export function siteLocator(code: Uint8Array, sourceMap: string, files: ReadonlyMap<number, SourceFile>): SiteLocator {
  let entries: [number, number, number][] | undefined;
  let instructionAt: Map<number, number> | undefined;
  return (pc) => {
    entries ??= decodeSourceMap(sourceMap);
    instructionAt ??= instructionIndexes(code);
    const index = instructionAt.get(pc);
    const entry = index === undefined ? undefined : entries[index];
    if (entry === undefined) return undefined;
    const [start, length, fileIndex] = entry;
    const file = files.get(fileIndex);
    if (file === undefined || start < 0 || start > file.content.length) return undefined;
    const before = file.content.slice(0, start);
    const line = before.split("\n").length;
    const text = file.content.slice(start, start + length);
    const firstLine = text.split("\n")[0].trim();
    return { file: file.name, line, function: enclosingFunction(file.ast, start, fileIndex), code: firstLine.length > 120 ? firstLine.slice(0, 117) + "..." : firstLine };
  };
}

/** Per instruction: [start, length, file index] (-1 file: compiler-generated). */
export function decodeSourceMap(map: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  let prev: [number, number, number] = [0, 0, -1];
  for (const item of map.split(";")) {
    const [s, l, f] = item.split(":");
    const next: [number, number, number] = [s === undefined || s === "" ? prev[0] : Number(s), l === undefined || l === "" ? prev[1] : Number(l), f === undefined || f === "" ? prev[2] : Number(f)];
    out.push(next);
    prev = next;
  }
  return out;
}

/** Program counter of each instruction to its index (PUSH1..PUSH32 carry 1..32 bytes of data). */
export function instructionIndexes(code: Uint8Array): Map<number, number> {
  const at = new Map<number, number>();
  for (let pc = 0, i = 0; pc < code.length; i++) {
    at.set(pc, i);
    const op = code[pc];
    pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1;
  }
  return at;
}

interface AstNode {
  nodeType?: string;
  name?: string;
  kind?: string;
  src?: string;
  nodes?: AstNode[];
  [key: string]: unknown;
}

/** The innermost function or modifier whose source range holds `offset`. */
function enclosingFunction(ast: unknown, offset: number, fileIndex: number): string | null {
  let found: AstNode | undefined;
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const n = node as AstNode;
    if (typeof n.src === "string") {
      const [s, l, f] = n.src.split(":").map(Number);
      if (f === fileIndex && (offset < s || offset >= s + l)) return;
    }
    if (n.nodeType === "FunctionDefinition" || n.nodeType === "ModifierDefinition") found = n;
    for (const value of Object.values(n)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (typeof value === "object" && value !== null && (value as AstNode).nodeType !== undefined) visit(value);
    }
  };
  visit(ast);
  if (found === undefined) return null;
  if (found.nodeType === "ModifierDefinition") return `modifier ${found.name}`;
  if (found.kind === "constructor" || found.kind === "fallback" || found.kind === "receive") return found.kind;
  return `${found.name}()`;
}
