/**
 * Markup built so that report text cannot turn into markup: the `html` tag
 * escapes every interpolated string and number, and only fragments built by
 * the tag itself (`Html`) are inserted as they are. Contract names,
 * variables, keys and remedies come from the user's contracts and chain
 * data, so they are text wherever they land: element content, attributes
 * (always double-quoted here), SVG <title>.
 */

/** A fragment of markup whose text parts were escaped when it was built. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** What the tag accepts: text (escaped), fragments (as they are), lists of either; null and undefined add nothing. */
export type Part = Html | string | number | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function render(part: Part): string {
  if (part === null || part === undefined) return "";
  if (part instanceof Html) return part.markup;
  if (Array.isArray(part)) return part.map(render).join("");
  if (typeof part === "number") {
    if (!Number.isFinite(part)) throw new TypeError(`bug: a non-finite number (${part}) reached the markup; format it first`);
    return String(part);
  }
  return escapeHtml(part as string);
}

/** Template tag: `html\`<td>${name}</td>\`` escapes `name`. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < parts.length; i++) out += render(parts[i]) + strings[i + 1];
  return new Html(out);
}

/** Fragments joined with a separator (itself escaped when it is text). */
export function joinHtml(parts: readonly Part[], separator: Part = ""): Html {
  const sep = render(separator);
  return new Html(parts.map(render).join(sep));
}
