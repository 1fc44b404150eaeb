// piscina loads plain JavaScript. When the engine runs from TypeScript
// sources (tests, `npx hardhat` in this repository), worker threads do not
// inherit the parent's ts-node hook, so register it here; compiled builds
// resolve ./worker.js directly.
"use strict";
const path = require("node:path");
const fs = require("node:fs");
if (!fs.existsSync(path.join(__dirname, "worker.js")) && require.extensions[".ts"] === undefined) {
  require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "..", "tsconfig.json") });
}
module.exports = require("./worker").default;
