/**
 * XML 1.0 escaping. Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF,
 * CR; lone surrogates; U+FFFE/U+FFFF) are written as visible "\xNN" / "\uNNNN" text.
 */
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Escape for element content. */
export function xmlText(s: string): string {
  return s.replace(INVALID, visible).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escape for a double-quoted attribute value; tab/LF/CR as references so they survive normalisation. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

/** An element of the small XML subset pgchaos writes. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(s: string, where: () => string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (m, ref: string | undefined) => {
    if (!ref) throw new Error(`bare '&' ${where()}`);
    if (ref[0] === "#") return String.fromCodePoint(ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    const v = ENTITIES[ref];
    if (v === undefined) throw new Error(`unknown entity &${ref}; ${where()}`);
    return v;
  });
}

/**
 * A strict reader for well-formed XML without DTDs, CDATA or namespaces handling: enough to
 * check (in tests, or when reading back a junit.xml) what pgchaos writes. Throws on anything
 * not well-formed: mismatched tags, bare '&' or '<', duplicate attributes, control characters.
 */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const where = () => `at offset ${i}`;
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.exec(xml);
  if (bad) throw new Error(`invalid XML character U+${bad[0].charCodeAt(0).toString(16)} at offset ${bad.index}`);
  const skipMisc = () => {
    for (;;) {
      const m = /^\s+/.exec(xml.slice(i));
      if (m) i += m[0].length;
      if (xml.startsWith("<?", i)) {
        const e = xml.indexOf("?>", i);
        if (e < 0) throw new Error(`unterminated processing instruction ${where()}`);
        i = e + 2;
      } else if (xml.startsWith("<!--", i)) {
        const e = xml.indexOf("-->", i);
        if (e < 0) throw new Error(`unterminated comment ${where()}`);
        i = e + 3;
      } else return;
    }
  };
  const NAME = /^[A-Za-z_:][-A-Za-z0-9._:]*/;
  const element = (): XmlElement => {
    if (xml[i] !== "<") throw new Error(`expected '<' ${where()}`);
    i++;
    const nm = NAME.exec(xml.slice(i));
    if (!nm) throw new Error(`expected an element name ${where()}`);
    const el: XmlElement = { name: nm[0], attrs: {}, children: [], text: "" };
    i += nm[0].length;
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0];
      i += ws.length;
      if (xml.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (xml[i] === ">") {
        i++;
        break;
      }
      if (!ws) throw new Error(`expected whitespace before an attribute ${where()}`);
      const an = NAME.exec(xml.slice(i));
      if (!an) throw new Error(`expected an attribute name ${where()}`);
      i += an[0].length;
      const eq = /^\s*=\s*(["'])/.exec(xml.slice(i));
      if (!eq) throw new Error(`expected '="' ${where()}`);
      i += eq[0].length;
      const end = xml.indexOf(eq[1], i);
      if (end < 0) throw new Error(`unterminated attribute ${where()}`);
      const raw = xml.slice(i, end);
      if (raw.includes("<")) throw new Error(`'<' in attribute value ${where()}`);
      if (an[0] in el.attrs) throw new Error(`duplicate attribute ${an[0]} ${where()}`);
      el.attrs[an[0]] = unescapeXml(raw, where);
      i = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf("<", i);
      if (lt < 0) throw new Error(`unclosed element <${el.name}>`);
      el.text += unescapeXml(xml.slice(i, lt), where);
      i = lt;
      if (xml.startsWith("</", i)) {
        const close = /^<\/([A-Za-z_:][-A-Za-z0-9._:]*)\s*>/.exec(xml.slice(i));
        if (!close || close[1] !== el.name) throw new Error(`expected </${el.name}> ${where()}`);
        i += close[0].length;
        return el;
      }
      if (xml.startsWith("<!--", i)) {
        const e = xml.indexOf("-->", i);
        if (e < 0) throw new Error(`unterminated comment ${where()}`);
        i = e + 3;
        continue;
      }
      if (xml.startsWith("<![CDATA[", i) || xml.startsWith("<!", i) || xml.startsWith("<?", i))
        throw new Error(`unsupported markup ${where()}`);
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== xml.length) throw new Error(`content after the root element ${where()}`);
  return root;
}
