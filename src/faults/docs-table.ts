import { faultDocsTable } from "./registry.js";

const START = /<!-- fault-table:[^\n]*-->\n/;
const END = "\n<!-- /fault-table -->";

/** The document with the text between its fault-table markers replaced by the registry's table. */
export function withFaultTable(doc: string): string {
  const start = START.exec(doc);
  const end = doc.indexOf(END);
  if (!start || end < start.index) throw new Error("docs/scenario-format.md has no fault-table markers");
  const from = start.index + start[0].length;
  return doc.slice(0, from) + faultDocsTable() + doc.slice(end);
}
