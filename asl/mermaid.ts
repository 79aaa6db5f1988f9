/**
 * Draws an ASL definition (plain JSON) as a Mermaid flowchart, so diagrams are generated from the
 * definition that runs rather than drawn by hand. Parallel and Map states become subgraphs.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface MermaidOptions {
  /** Label for a catch edge; default its error names. */
  catchLabel?: (catcher: Obj) => string;
  /** Label for a Choice rule edge; default the rule's Comment or a summary of its condition. */
  choiceLabel?: (rule: Obj) => string;
}

export function toMermaid(definition: Obj, options: MermaidOptions = {}): string {
  const lines = ['flowchart TD', '  start((start))'];
  const ends = { success: false };
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  // State names are unique in a machine, but two may sanitise to the same id.
  const id = (name: string) => {
    let v = ids.get(name);
    if (!v) {
      const base = name.replace(/[^A-Za-z0-9_]/g, '_');
      v = base;
      for (let i = 2; taken.has(v) || ['start', 'succeeded', 'end'].includes(v); i++) v = `${base}_${i}`;
      ids.set(name, v);
      taken.add(v);
    }
    return v;
  };
  drawGraph(definition, '  ', lines, id, ends, options);
  lines.push(`  start --> ${id(String(definition.StartAt))}`);
  if (ends.success) lines.push('  succeeded((succeeded))');
  return `${lines.join('\n')}\n`;
}

function drawGraph(graph: Obj, indent: string, lines: string[], id: (n: string) => string, ends: { success: boolean }, options: MermaidOptions): void {
  const states = isObj(graph.States) ? graph.States : {};
  const edges: string[] = [];
  for (const [name, raw] of Object.entries(states)) {
    if (!isObj(raw)) continue;
    const node = id(name);
    const label = `"${name}"`;
    switch (raw.Type) {
      case 'Choice':
        lines.push(`${indent}${node}{${label}}`);
        break;
      case 'Wait':
        lines.push(`${indent}${node}([${label}])`);
        break;
      case 'Fail':
        lines.push(`${indent}${node}[[${label}]]`);
        break;
      case 'Succeed':
        lines.push(`${indent}${node}((${label}))`);
        break;
      case 'Parallel':
      case 'Map': {
        lines.push(`${indent}subgraph ${node} [${label}]`);
        const graphs = raw.Type === 'Parallel' ? (Array.isArray(raw.Branches) ? raw.Branches : []) : [raw.ItemProcessor ?? raw.Iterator];
        graphs.forEach((g) => {
          if (!isObj(g)) return;
          drawGraph(g, `${indent}  `, lines, id, { success: false }, options);
        });
        lines.push(`${indent}end`);
        break;
      }
      default:
        lines.push(`${indent}${node}[${label}]`);
    }
    if (typeof raw.Next === 'string') edges.push(`${node} --> ${id(raw.Next)}`);
    if (raw.End === true && indent === '  ') {
      edges.push(`${node} --> succeeded`);
      ends.success = true;
    }
    if (raw.Type === 'Succeed' && indent === '  ') {
      edges.push(`${node} --> succeeded`);
      ends.success = true;
    }
    if (Array.isArray(raw.Choices)) {
      for (const rule of raw.Choices) {
        if (!isObj(rule)) continue;
        edges.push(`${node} -->|${escape(options.choiceLabel?.(rule) ?? ruleLabel(rule))}| ${id(String(rule.Next))}`);
      }
      if (typeof raw.Default === 'string') edges.push(`${node} -->|otherwise| ${id(raw.Default)}`);
    }
    if (Array.isArray(raw.Catch)) {
      for (const c of raw.Catch) {
        if (!isObj(c)) continue;
        edges.push(`${node} -.->|${escape(options.catchLabel?.(c) ?? errorsLabel(c))}| ${id(String(c.Next))}`);
      }
    }
  }
  for (const e of edges) lines.push(`${indent}${e}`);
}

function errorsLabel(catcher: Obj): string {
  const errors = Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.map(String) : [];
  return errors.length > 2 ? `${errors[0]} +${errors.length - 1}` : errors.join(', ');
}

function ruleLabel(rule: Obj): string {
  if (typeof rule.Comment === 'string') return rule.Comment;
  const op = Object.keys(rule).find((k) => !['Variable', 'Next', 'Assign', 'Comment'].includes(k));
  return op ? `${String(rule.Variable ?? '')} ${op} ${JSON.stringify(rule[op])}` : 'rule';
}

/** Mermaid edge labels cannot hold `|` or quotes. */
function escape(text: string): string {
  return text.replace(/[|"]/g, "'");
}
