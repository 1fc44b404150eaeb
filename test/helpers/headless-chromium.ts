/**
 * Opens an HTML report in a real headless browser (Debian's chromium) and
 * returns what a check script measured on the rendered page. `--dump-dom`
 * runs the page's scripts and prints the DOM after load, so the check runs
 * as a <script> appended to a copy of the report (with its
 * Content-Security-Policy removed, which would block that script: the
 * escaping is then tested without the CSP's help) and writes its findings as
 * JSON into <pre id="render-check">.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const INSTALL_HINT = "no chromium on the PATH: install it with `apt-get install -y chromium` (Debian) to run the HTML report's browser test";

/** `chromium` (Debian) or `chromium-browser` (Ubuntu and others) on the PATH. */
export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    for (const name of ["chromium", "chromium-browser"]) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const CSP_META = /<meta http-equiv="Content-Security-Policy"[^>]*>/;

/**
 * Renders `html` with `checkScript` (the body of a function that returns a
 * JSON-serialisable value, given `args`) appended, and returns that value.
 */
export async function renderAndCheck<T>(browser: string, html: string, checkScript: string, args: unknown): Promise<T> {
  if (!CSP_META.test(html)) throw new Error("the report has no Content-Security-Policy meta tag to lift for the check script");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "html-report-"));
  try {
    // JSON with <, > and & as \u escapes: safe inside a <script> element whatever the strings hold.
    const json = (v: unknown): string => JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
    const script = `<script>(function () {
  var pre = document.createElement("pre");
  pre.id = "render-check";
  try {
    var result = (function (args) {\n${checkScript}\n})(${json(args)});
    pre.textContent = JSON.stringify({ ok: true, result: result }).replace(/[<>&]/g, function (c) { return "\\\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"); });
  } catch (e) {
    pre.textContent = JSON.stringify({ ok: false, error: String(e && e.stack || e) }).replace(/[<>&]/g, function (c) { return "\\\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"); });
  }
  document.body.appendChild(pre);
})();</script>`;
    const copy = html.replace(CSP_META, "").replace("</body>", `${script}\n</body>`);
    const file = path.join(dir, "report.html");
    fs.writeFileSync(file, copy);
    const dom = await dumpDom(browser, pathToFileURL(file).href, path.join(dir, "profile"));
    const m = /<pre id="render-check">([^<]*)<\/pre>/.exec(dom);
    if (m === null) throw new Error(`chromium's DOM has no #render-check (did the page load?); DOM starts with: ${dom.slice(0, 300)}`);
    const out = JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as { ok: boolean; result?: T; error?: string };
    if (!out.ok) throw new Error(`the check script failed in chromium: ${out.error}`);
    return out.result as T;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function dumpDom(browser: string, url: string, profile: string): Promise<string> {
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", `--user-data-dir=${profile}`, "--window-size=1280,2000", "--dump-dom", url];
  return new Promise((resolve, reject) => {
    execFile(browser, args, { timeout: 60_000, maxBuffer: 256 * 1024 * 1024, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${browser} --dump-dom failed (${err.killed ? "killed after 60 s" : err.message}); stderr: ${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}
