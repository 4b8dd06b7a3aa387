// How CloudMonitor decides that an event rule fires for an event, and which
// application groups a resource belongs to. THE one place where these
// semantics live: every other routing module calls in here.
//
// CMS documents the fields (PutEventRule, DynamicTagGroup) but not all of the
// matching rules. Where it is silent we take the natural reading below; a
// correction is one edit in this file. `SendDryRunSystemEvent` tests a rule for
// real when in doubt.
//
// Event pattern (one per rule; AND across fields, OR inside one list):
//   - A DISABLED rule never fires.
//   - product:         equal to the event's `product`, case-insensitive; `*` = any.
//   - eventTypeLists:  contains the event's CMS event type (Maintenance |
//                      Exception | StatusNotification, from the catalogue, else
//                      the payload's own `eventType`); `*` = any.
//   - levelLists:      contains the event's `level`; `*` = any.
//   - nameLists:       contains the event's FULL name as sent, status suffix
//                      included (`Instance:SystemMaintenance.Reboot:Scheduled`).
//                      A list entry may use `*` as a wildcard for any run of
//                      characters (`Instance:SystemMaintenance.*`); `*` alone = any.
//   - An absent or empty list is no filter (matches everything).
//   - sqlFilter:       Log Service full-text query matched against the event's
//                      JSON text (see `sqlFilterMatches`). Absent/blank = no filter.
//   - groupId:         when set, the event's resource must be a member of that
//                      application group; a rule without groupId is account-wide.
//
// Log Service full-text query (the subset CMS rules use):
//   - Terms, "quoted phrases", parentheses, `and`, `or`, `not` (keywords
//     case-insensitive). Adjacent terms without an operator mean `and`.
//     `a not b` means `a and not b`; a leading `not a` is allowed.
//     Precedence: not > and > or.
//   - The text is split into tokens at the Log Service default delimiters
//     , ' " ; = ( ) [ ] { } ? @ & < > / : \n \t \r and space, plus `\` (so JSON
//     escaped inside a string `content` tokenizes the same); tokens compare
//     case-insensitively.
//   - A term matches a token; `*` inside a term is a wildcard (`Exec*`). A term
//     or phrase that itself contains delimiters (`Instance:StateChange`) matches
//     that sequence of consecutive tokens.
//   - Field queries (`key: value`) and ranges are not supported: such a filter
//     is reported as an error, never silently treated as a match.
//
// Application-group membership (CMS dynamic tag group):
//   - A resource is a member when it carries the group's tagKey and its value
//     satisfies the match expressions, combined by matchExpressFilterRelation
//     (`and` by default, or `or`).
//   - tagValueMatchFunction: equals | startWith | endWith | contains |
//     notContains (value does not contain tagValue) | all (any value of the key).
//     Case-sensitive, as tag values are.
//   - A resource without the tagKey is a member of no group keyed on it, even
//     for notContains / all.

// ---------------------------------------------------------------- patterns

export interface EventPattern {
  product?: string;
  eventTypeLists?: readonly string[];
  levelLists?: readonly string[];
  nameLists?: readonly string[];
  sqlFilter?: string;
}

/** What a rule is matched against: the event as delivered, plus what the catalogue knows. */
export interface MatchableEvent {
  product: string;
  /** Full name as sent, `:<Status>` suffix included. */
  name: string;
  level: string;
  /** CMS event type, when known. */
  cmsEventType?: string;
  /** The event JSON exactly as delivered (for sqlFilter). */
  text: string;
}

export interface PatternVerdict {
  matched: boolean;
  /** The first field that did not match (for explanations). */
  failedOn?: "status" | "product" | "eventType" | "level" | "name" | "sqlFilter" | "group";
}

/** A `*` glob, anchored, case-sensitive unless told otherwise. */
export function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*")) return caseInsensitive ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, caseInsensitive ? "si" : "s");
  return re.test(value);
}

/** OR inside the list; absent or empty = no filter. */
export function listMatches(list: readonly string[] | undefined, value: string | undefined, caseInsensitive = false): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes("*")) return true;
  if (value === undefined) return false;
  return list.some((p) => globMatches(p, value, caseInsensitive));
}

/** AND across the pattern's fields (group scope is checked by the caller: it needs membership). */
export function patternMatches(pattern: EventPattern, event: MatchableEvent): PatternVerdict {
  if (pattern.product && !globMatches(pattern.product, event.product, true)) return { matched: false, failedOn: "product" };
  if (!listMatches(pattern.eventTypeLists, event.cmsEventType)) return { matched: false, failedOn: "eventType" };
  if (!listMatches(pattern.levelLists, event.level, true)) return { matched: false, failedOn: "level" };
  if (!listMatches(pattern.nameLists, event.name)) return { matched: false, failedOn: "name" };
  if (pattern.sqlFilter && pattern.sqlFilter.trim() && !sqlFilterMatches(pattern.sqlFilter, event.text)) return { matched: false, failedOn: "sqlFilter" };
  return { matched: true };
}

export function ruleEnabled(status: string | undefined): boolean {
  return (status ?? "ENABLED").toUpperCase() !== "DISABLED";
}

// ---------------------------------------------------------------- sqlFilter

export class SqlFilterError extends Error {
  override name = "SqlFilterError";
}

const DELIMITERS = ",'\";=()[]{}?@&<>/:\n\t\r \\";
const isDelimiter = (c: string) => DELIMITERS.includes(c);

/** Log Service tokenization, lower-cased. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const c of text) {
    if (isDelimiter(c)) {
      if (cur) out.push(cur.toLowerCase());
      cur = "";
    } else cur += c;
  }
  if (cur) out.push(cur.toLowerCase());
  return out;
}

type Query =
  | { kind: "phrase"; tokens: string[] }
  | { kind: "not"; q: Query }
  | { kind: "and" | "or"; left: Query; right: Query };

type Lexeme = { t: "word"; v: string } | { t: "phrase"; v: string } | { t: "(" } | { t: ")" };

function lex(src: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      out.push({ t: c });
      i++;
    } else if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw new SqlFilterError(`unterminated quote at position ${i + 1}`);
      out.push({ t: "phrase", v: src.slice(i + 1, end) });
      i = end + 1;
    } else {
      let j = i;
      while (j < src.length && !/\s/.test(src[j]) && src[j] !== "(" && src[j] !== ")" && src[j] !== '"') j++;
      out.push({ t: "word", v: src.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const KEYWORDS = new Set(["and", "or", "not"]);
const keyword = (l: Lexeme | undefined): string | undefined => (l?.t === "word" && KEYWORDS.has(l.v.toLowerCase()) ? l.v.toLowerCase() : undefined);

/** Parses a filter; throws SqlFilterError with the position of the problem. */
export function parseSqlFilter(src: string): Query {
  const ls = lex(src);
  let pos = 0;
  const peek = () => ls[pos];
  const describe = (l: Lexeme | undefined) => (l === undefined ? "end of filter" : l.t === "word" || l.t === "phrase" ? `"${l.v}"` : `"${l.t}"`);

  const primary = (): Query => {
    const l = ls[pos];
    if (l === undefined) throw new SqlFilterError(`filter "${src}": expected a term, got end of filter`);
    if (l.t === "(") {
      pos++;
      const q = or();
      if (peek()?.t !== ")") throw new SqlFilterError(`filter "${src}": expected ")", got ${describe(peek())}`);
      pos++;
      return q;
    }
    if (l.t === ")") throw new SqlFilterError(`filter "${src}": unexpected ")"`);
    if (keyword(l)) throw new SqlFilterError(`filter "${src}": expected a term, got operator ${describe(l)}`);
    pos++;
    if (l.t === "word" && /^[^:]+:$/.test(l.v)) throw new SqlFilterError(`filter "${src}": field queries ("${l.v} value") are not supported by the routing model`);
    const tokens = tokenize(l.v);
    if (tokens.length === 0) throw new SqlFilterError(`filter "${src}": term ${describe(l)} has no searchable characters`);
    return { kind: "phrase", tokens };
  };
  const unary = (): Query => {
    if (keyword(peek()) === "not") {
      pos++;
      return { kind: "not", q: unary() };
    }
    return primary();
  };
  const and = (): Query => {
    let left = unary();
    for (;;) {
      const k = keyword(peek());
      const next = peek();
      if (k === "and") {
        pos++;
        left = { kind: "and", left, right: unary() };
      } else if (k === "not") {
        pos++;
        left = { kind: "and", left, right: { kind: "not", q: unary() } };
      } else if (next && k === undefined && next.t !== ")") {
        left = { kind: "and", left, right: unary() };
      } else return left;
    }
  };
  const or = (): Query => {
    let left = and();
    while (keyword(peek()) === "or") {
      pos++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  };
  const q = or();
  if (pos < ls.length) throw new SqlFilterError(`filter "${src}": unexpected ${describe(ls[pos])}`);
  return q;
}

function tokenMatches(term: string, token: string): boolean {
  return term.includes("*") ? globMatches(term, token) : term === token;
}

function phraseIn(tokens: string[], phrase: string[]): boolean {
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    if (phrase.every((p, k) => tokenMatches(p, tokens[i + k]))) return true;
  }
  return false;
}

function evaluate(q: Query, tokens: string[]): boolean {
  switch (q.kind) {
    case "phrase":
      return phraseIn(tokens, q.tokens);
    case "not":
      return !evaluate(q.q, tokens);
    case "and":
      return evaluate(q.left, tokens) && evaluate(q.right, tokens);
    case "or":
      return evaluate(q.left, tokens) || evaluate(q.right, tokens);
  }
}

const parsed = new Map<string, Query>();

/** Does the event JSON text satisfy the filter? Throws SqlFilterError for a filter it cannot read. */
export function sqlFilterMatches(filter: string, eventText: string): boolean {
  let q = parsed.get(filter);
  if (!q) parsed.set(filter, (q = parseSqlFilter(filter)));
  return evaluate(q, tokenize(eventText));
}

// ---------------------------------------------------------------- groups

export const MATCH_FUNCTIONS = ["equals", "startWith", "endWith", "contains", "notContains", "all"] as const;
export type MatchFunction = (typeof MATCH_FUNCTIONS)[number];

export interface MatchExpress {
  tagValue?: string;
  tagValueMatchFunction: string;
}

export interface TagGroupRule {
  tagKey: string;
  matchExpresses: readonly MatchExpress[];
  /** `and` (default) or `or`. */
  relation?: string;
}

export function tagValueMatches(m: MatchExpress, value: string): boolean {
  const want = m.tagValue ?? "";
  switch (m.tagValueMatchFunction) {
    case "equals":
      return value === want;
    case "startWith":
      return value.startsWith(want);
    case "endWith":
      return value.endsWith(want);
    case "contains":
      return value.includes(want);
    case "notContains":
      return !value.includes(want);
    case "all":
      return true;
    default:
      throw new Error(`unknown tagValueMatchFunction "${m.tagValueMatchFunction}" (allowed: ${MATCH_FUNCTIONS.join(", ")})`);
  }
}

export function isMember(rule: TagGroupRule, tags: Readonly<Record<string, string>>): boolean {
  if (!Object.prototype.hasOwnProperty.call(tags, rule.tagKey)) return false;
  const value = tags[rule.tagKey];
  if (rule.matchExpresses.length === 0) return false;
  const results = rule.matchExpresses.map((m) => tagValueMatches(m, value));
  return (rule.relation ?? "and").toLowerCase() === "or" ? results.some(Boolean) : results.every(Boolean);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
