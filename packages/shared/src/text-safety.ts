// C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates that can make text display as
// something else (an extension disguised, a title reversed).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_A_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
/** The same, less tab, line feed and carriage return, which multi-line text keeps. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
/** Line and paragraph separators: a line break in text that has no lines (a title, a label, a file name). */
const LINE_SEPARATORS = /[\u2028\u2029]/u;
/**
 * Characters that show as nothing: zero-width space, soft hyphen, word joiner and invisible operators, the byte
 * order mark, Hangul fillers, the direction marks (which steer mixed-direction text, but in a file name only make
 * two names that look the same differ). Zero-width (non-)joiners stay: scripts and emoji need them. The combining
 * ones (grapheme joiner, Khmer inherent vowels) stand outside the class, where they cannot join a neighbour.
 */
const INVISIBLE =
  /[\u00ad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2060-\u2064\u3164\ufeff\uffa0]|\u034f|\u17b4|\u17b5/u;
/**
 * With the u flag a well-formed surrogate pair is one code point, so only an unpaired half matches. Such text has
 * no UTF-8 form (encodeURIComponent throws on it); String.prototype.isWellFormed is too new for every browser.
 */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Why `text` is unsafe to store and show, naming it as `what` ("title contains ..."), or null when it is fine.
 * Only `multiline` text may hold tabs and line breaks; `visibleOnly` text (a file name) no invisible characters.
 */
export function unsafeTextProblem(
  text: string,
  what: string,
  options: { multiline?: boolean; visibleOnly?: boolean } = {},
): string | null {
  if (LONE_SURROGATE.test(text)) return `${what} contains malformed text (an unpaired surrogate)`;
  const unsafe = options.multiline ? UNSAFE_IN_LINES : UNSAFE_IN_A_LINE;
  if (unsafe.test(text)) return `${what} contains control or direction-override characters`;
  if (!options.multiline && LINE_SEPARATORS.test(text)) return `${what} contains a line or paragraph separator`;
  if (options.visibleOnly && INVISIBLE.test(text)) return `${what} contains invisible characters`;
  return null;
}
