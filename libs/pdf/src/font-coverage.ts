import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Which characters no installed font can draw. A certificate must print every character of a real name: names
 * include rare characters (CJK extensions B–F, ethnic-minority names with a middle dot), and a character that no
 * font has would print as a blank box (tofu) on a document that claims to be authoritative. Such a name is refused
 * at issuance with a message naming the character, never printed.
 *
 * The question is put to fontconfig, the same library Chromium asks on Linux when it falls back from the fonts the
 * stylesheet names to any installed font, so "fontconfig knows a font for it" is exactly "Chromium prints it".
 * Answers are cached per code point: a process asks about each character once (a few ms per `fc-list` call).
 */
export class FontCoverage {
  private readonly known = new Map<number, Promise<boolean>>();

  constructor(private readonly fcList = 'fc-list') {}

  /** The distinct characters of `text` that no installed font covers, in order of first appearance. */
  async unprintable(text: string): Promise<string[]> {
    const characters = [...new Set(Array.from(text))].filter((c) => !isLayoutOnly(c.codePointAt(0)!));
    const covered = await Promise.all(characters.map((c) => this.covers(c.codePointAt(0)!)));
    return characters.filter((_, i) => !covered[i]);
  }

  private covers(codePoint: number): Promise<boolean> {
    let answer = this.known.get(codePoint);
    if (!answer) {
      answer = execFileAsync(this.fcList, [`:charset=${codePoint.toString(16)}`, 'family'], { timeout: 10_000 }).then(
        ({ stdout }) => stdout.trim().length > 0,
      );
      // A failed fc-list call (missing binary) must not be cached as "not covered" forever.
      answer.catch(() => this.known.delete(codePoint));
      this.known.set(codePoint, answer);
    }
    return answer;
  }
}

/** Spaces and controls draw nothing, so they need no glyph. */
function isLayoutOnly(codePoint: number): boolean {
  return codePoint <= 0x20 || (codePoint >= 0x7f && codePoint <= 0xa0) || codePoint === 0x3000;
}

/** `U+30000 「𰀀」`: how a refused character is named in messages (the glyph alone may not display). */
export function describeCharacter(character: string): string {
  const hex = character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `「${character}」(U+${hex})`;
}
