/**
 * The sample project of the package test is the README's recipe for a user's
 * project ("Using it in your own project"), read from README.md itself so the
 * test builds exactly what a reader would: the README is the only copy of the
 * commands, the pinned versions and the files.
 *
 * The section's shape, which this parser insists on (anything else is an
 * error naming what it expected, so a README edit cannot silently drop part
 * of the recipe from the test):
 * - a `sh` block with `npm pack`, run in this repository (the test packs
 *   into a folder of its own instead);
 * - a `sh` block that creates the project: run as one bash script in a
 *   folder that holds the tarball where the block expects it;
 * - files: a line that starts with the file's path in backticks and ends
 *   with ":", then a fenced block with the file's whole content;
 * - a last `sh` block of commands to run in the project, one a line.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export const README = path.resolve(__dirname, "..", "..", "README.md");
const SECTION = "## Using it in your own project";

export interface SampleFile {
  /** Relative to the project folder, "/"-separated as in the README. */
  readonly path: string;
  readonly content: string;
}

export interface Recipe {
  /** The bash script that creates the project folder and installs the packages, as written. */
  readonly create: string;
  /** The folder `create` makes and enters (its first line: `mkdir NAME && cd NAME`). */
  readonly project: string;
  /** The tarball path `create` installs, relative to the project folder. */
  readonly tarball: string;
  readonly files: readonly SampleFile[];
  /** The commands to run in the project, as written. */
  readonly run: readonly string[];
}

interface Block {
  readonly lang: string;
  readonly body: string;
  /** The last non-blank line before the opening fence. */
  readonly leadIn: string;
}

/** The fenced blocks of a README section, in order. */
function sectionBlocks(readme: string, SECTION: string): Block[] {
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`${README} has no "${SECTION}" section`);
  const rest = readme.slice(start + SECTION.length + 2);
  const end = rest.search(/^## /m);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split("\n");
  const blocks: Block[] = [];
  let leadIn = "";
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)$/.exec(lines[i]);
    if (fence === null) {
      if (lines[i].trim() !== "") leadIn = lines[i];
      continue;
    }
    const close = lines.indexOf("```", i + 1);
    if (close < 0) throw new Error(`${README}: unclosed code block in "${SECTION}"`);
    blocks.push({ lang: fence[1], body: lines.slice(i + 1, close).join("\n") + "\n", leadIn });
    i = close;
    leadIn = "";
  }
  return blocks;
}

/** Reads the recipe from README.md (or the given text). */
export function readRecipe(readme: string = readFileSync(README, "utf8")): Recipe {
  const blocks = sectionBlocks(readme, SECTION);
  const shells = blocks.filter((b) => b.lang === "sh");
  if (shells.length !== 3 || !/^npm pack\b/.test(shells[0].body)) {
    throw new Error(
      `"${SECTION}" in ${README} must have three sh blocks: \`npm pack\` in this repository, the project's creation, ` +
        `and the commands to run in the project; found ${shells.length}`,
    );
  }
  const [, create, run] = shells;
  const project = /^mkdir (\S+) && cd \1\n/.exec(create.body)?.[1];
  if (project === undefined) throw new Error(`the project creation block in "${SECTION}" must start with "mkdir NAME && cd NAME":\n${create.body}`);
  const tarball = /\s(\S+\.tgz)\b/.exec(create.body)?.[1];
  if (tarball === undefined) throw new Error(`the project creation block in "${SECTION}" installs no .tgz:\n${create.body}`);

  const files = filesOf(blocks, SECTION);
  for (const needed of ["tsconfig.json", "hardhat.config.ts"]) {
    if (!files.some((f) => f.path === needed)) throw new Error(`"${SECTION}" in ${README} gives no ${needed}`);
  }

  return {
    create: create.body,
    project,
    tarball,
    files,
    run: run.body.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#")),
  };
}

/** Every block that is not a shell block or an example's output (`text`, `yaml`) is a file, named by the line before it. */
function filesOf(blocks: readonly Block[], section: string): SampleFile[] {
  const files: SampleFile[] = [];
  for (const block of blocks) {
    if (["sh", "text", "yaml"].includes(block.lang)) continue;
    const file = /^`([\w./-]+)`.*:$/.exec(block.leadIn)?.[1];
    if (file === undefined) {
      throw new Error(`the ${block.lang} block in "${section}" must follow a line "\`path/of/the/file\` ...:", not "${block.leadIn}"`);
    }
    files.push({ path: file, content: block.body });
  }
  return files;
}

const CHECKS_SECTION = "## Parallel-friendliness checks in tests";

/** The README's parallel-friendliness recipe, which continues the user's project: its files and its one block of commands. */
export function readChecksRecipe(readme: string = readFileSync(README, "utf8")): { files: readonly SampleFile[]; run: readonly string[] } {
  const blocks = sectionBlocks(readme, CHECKS_SECTION);
  const shells = blocks.filter((b) => b.lang === "sh");
  if (shells.length !== 1) throw new Error(`"${CHECKS_SECTION}" in ${README} must have one sh block, the commands to run in the project; found ${shells.length}`);
  const files = filesOf(blocks, CHECKS_SECTION);
  if (!files.some((f) => f.path.startsWith("contracts/")) || !files.some((f) => f.path.startsWith("test/"))) {
    throw new Error(`"${CHECKS_SECTION}" in ${README} must give a contract and a test`);
  }
  return { files, run: shells[0].body.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#")) };
}
